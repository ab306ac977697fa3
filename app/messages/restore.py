"""Messages of restoring a station from a backup: who may, which file, and what happens to the town's numbers."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
