"""Rows as they travel between a station and the town: the change log read in order, a synced row as plain JSON
values, a row applied under the merge rule, and the server's global log. Table-generic by design: every synced
table has the same sync columns (id, origin, created_hlc, updated_hlc, deleted)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Date, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.domain.ids import new_id
from app.persistence import tables as t
from app.persistence.repo_base import Repo, Row


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def row_to_json(row: Mapping[str, Any]) -> str:
    return json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))


def _typed(table_name: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """A row from JSON with its dates as dates; columns this database does not have are left out (a newer
    release's column arriving at an older one), so an apply never fails on them."""
    table = t.metadata.tables[table_name]
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in table.c:
            continue
        if isinstance(table.c[key].type, Date) and isinstance(value, str) and value:
            value = date.fromisoformat(value[:10])
        out[key] = value
    return out


class ReplicaRepository(Repo):
    # -- the station's outbox -----------------------------------------------------------------------
    def pending(self, limit: int) -> list[Row]:
        c = t.change_log.c
        return self._all(select(t.change_log).where(c.pushed_at.is_(None)).order_by(c.seq).limit(limit))

    def pending_count(self) -> int:
        c = t.change_log.c
        return int(self.uow.conn.execute(select(func.count()).where(c.pushed_at.is_(None))).scalar_one())

    def mark_pushed(self, change_ids: Sequence[str], at: str) -> None:
        c = t.change_log.c
        for start in range(0, len(change_ids), 500):
            self.uow.conn.execute(update(t.change_log).where(c.change_id.in_(list(change_ids[start:start + 500])),
                                                             c.pushed_at.is_(None)).values(pushed_at=at))

    def row(self, table_name: str, row_id: str) -> Row | None:
        table = t.metadata.tables[table_name]
        return self._one(select(table).where(table.c.id == row_id))

    # -- applying a row from elsewhere ----------------------------------------------------------------
    def apply(self, table_name: str, values: Mapping[str, Any]) -> str:
        """Apply a synced row under the merge rule: absent here → inserted; present → replaced only when it
        carries a later ``updated_hlc`` (last writer wins; a reading of the hybrid clock names its node, so
        two nodes never tie). Returns ``inserted``, ``updated``, ``kept`` (ours is as new or newer) or
        ``conflict: …`` (the row breaks a rule of this database, e.g. a second record of a unique thing).
        No change-log row is written: what arrives from elsewhere is not sent back."""
        if table_name not in t.SYNCED_TABLES:
            return f"conflict: {table_name} is not a synced table"
        table = t.metadata.tables[table_name]
        row = _typed(table_name, values)
        current = self.uow.conn.execute(select(table.c.updated_hlc).where(table.c.id == row["id"])).first()
        savepoint = self.uow.conn.begin_nested()
        try:
            if current is None:
                self.uow.conn.execute(insert(table), row)
                outcome = "inserted"
            elif str(row.get("updated_hlc", "")) > str(current[0]):
                self.uow.conn.execute(update(table).where(table.c.id == row["id"]).values(row))
                outcome = "updated"
            else:
                outcome = "kept"
            savepoint.commit()
        except IntegrityError as e:
            savepoint.rollback()
            return f"conflict: {str(e.orig).splitlines()[0][:300]}"
        return outcome

    def add_conflict(self, *, change_id: str, table_name: str, row_id: str, station_code: str, reason: str,
                     row_json: str, at: str) -> None:
        self.uow.conn.execute(insert(t.sync_conflicts).values(
            id=new_id(), change_id=change_id, table_name=table_name, row_id=row_id, station_code=station_code,
            reason=reason, row_json=row_json, found_at=at, state="open"))

    def conflicts(self, state: str | None = "open") -> list[Row]:
        c = t.sync_conflicts.c
        q = select(t.sync_conflicts)
        if state:
            q = q.where(c.state == state)
        return self._all(q.order_by(c.found_at))

    # -- the server's global log --------------------------------------------------------------------
    def logged(self, change_ids: Sequence[str]) -> set[str]:
        c = t.server_log.c
        found: set[str] = set()
        for start in range(0, len(change_ids), 500):
            found |= {r[0] for r in self.uow.conn.execute(
                select(c.change_id).where(c.change_id.in_(list(change_ids[start:start + 500]))))}
        return found

    def lock_log(self) -> int:
        """Take the server log's write lock for this transaction (batches are numbered one after another, so
        the order has no gaps) and return the last number used."""
        if self.uow.conn.dialect.name == "postgresql":
            self.uow.conn.exec_driver_sql("LOCK TABLE server_log IN EXCLUSIVE MODE")
        return int(self.uow.conn.execute(select(func.coalesce(func.max(t.server_log.c.seq), 0))).scalar_one())

    def log(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self.uow.conn.execute(insert(t.server_log), list(rows))

    def log_after(self, cursor: int, limit: int) -> list[Row]:
        c = t.server_log.c
        return self._all(select(t.server_log).where(c.seq > cursor).order_by(c.seq).limit(limit))

    def log_head(self) -> int:
        return int(self.uow.conn.execute(select(func.coalesce(func.max(t.server_log.c.seq), 0))).scalar_one())

    # -- enrolled stations (server) ------------------------------------------------------------------
    def server_station(self, code: str) -> Row | None:
        return self._one(select(t.server_stations).where(t.server_stations.c.station_code == code))

    def save_server_station(self, code: str, values: Mapping[str, Any]) -> None:
        if self.server_station(code) is None:
            self.uow.conn.execute(insert(t.server_stations).values(station_code=code, **values))
        else:
            self.uow.conn.execute(update(t.server_stations).where(t.server_stations.c.station_code == code)
                                  .values(**values))

    def server_stations(self) -> list[Row]:
        return self._all(select(t.server_stations).order_by(t.server_stations.c.station_code))
