"""What travels in the sync, as both ends and the town's screening see it (app.services.replication,
app.services.screening, app.sync)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Change:
    """One change as it travels: which row, what happened, and the row as it is now (None for a row that no
    longer exists here, which cannot happen to a synced row: deletions are tombstones)."""

    change_id: str
    table: str
    row_id: str
    op: str  # upsert | delete
    hlc: str
    row: Mapping[str, Any] | None
    seq: int = 0  # its number: in the station's change log on the way up, in the town's log on the way down
    station_code: str = ""  # who sent it (set by the server)
