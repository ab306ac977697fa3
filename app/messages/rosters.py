"""Messages of the roster import (花名册导入): files that cannot be read, rows and fields that do not fit."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
