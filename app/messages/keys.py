"""Messages of the secrets a station keeps apart from its database (the sync credential and its keys)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
