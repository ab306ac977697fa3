"""Messages of the town's trust rules: what a station may change, refusals, security events, anchors."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
