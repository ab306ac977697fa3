"""What the town reads to judge a push (app.services.screening): its own copies of the records a push names,
the schema as plain column shapes, and the security events it keeps of what it refused."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Date,
    Integer,
    String,
    any_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)

from app.domain.ids import new_id
from app.domain.record_values import Column
from app.persistence import tables as t
from app.persistence.replica import row_plain
from app.persistence.repo_base import Repo, Row


@functools.cache
def column_shapes() -> dict[str, dict[str, Column]]:
    """Every synced table's columns as the trust rules read them (kind, width, nullable, default, what a
    foreign key names): the schema stays persistence's, the rules stay plain Python."""
    out: dict[str, dict[str, Column]] = {}
    for name in t.SYNCED_TABLES:
        columns: dict[str, Column] = {}
        for c in t.metadata.tables[name].c:
            kind = ("bool" if isinstance(c.type, Boolean) else "date" if isinstance(c.type, Date)
                    else "int64" if isinstance(c.type, BigInteger) else "int32" if isinstance(c.type, Integer)
                    else "text")
            length = c.type.length if isinstance(c.type, String) else None
            target = next((fk.column.table.name for fk in c.foreign_keys), "")
            columns[str(c.name)] = Column(kind=kind, length=length, nullable=bool(c.nullable),
                                          has_default=c.server_default is not None or c.default is not None,
                                          refers_to=str(target))
        out[name] = columns
    return out


def parents_first(tables: Iterable[str]) -> list[str]:
    """Table names in an order where a record's parents come before it."""
    order = {table.name: n for n, table in enumerate(t.metadata.sorted_tables)}
    return sorted(set(tables), key=lambda name: order.get(name, len(order)))


class TrustRepository(Repo):
    def _chunks(self, ids: Iterable[str]) -> Iterable[list[str]]:
        wanted = sorted({str(i) for i in ids if i})
        for start in range(0, len(wanted), 500):
            yield wanted[start:start + 500]

    def _among(self, column: Any, values: Sequence[str]) -> Any:
        """``column IN values``: on PostgreSQL one array parameter (the same statement for any 500 ids, planned
        once), elsewhere a plain IN."""
        if self.uow.conn.dialect.name != "postgresql":
            return column.in_(list(values))
        return column == any_(bindparam("among", list(values), type_=ARRAY(String())))

    def copies(self, table_name: str, row_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The town's own copies of these records, as plain values (dates as ISO text): id → row."""
        table = t.metadata.tables[table_name]
        found: dict[str, dict[str, Any]] = {}
        for chunk in self._chunks(row_ids):
            for r in self._all(select(table).where(self._among(table.c.id, chunk))):
                found[str(r["id"])] = row_plain(r)
        return found

    def holds_any(self, table_name: str, *, other_than: str | None = None) -> bool:
        """Whether the town holds a record of this kind (``other_than``: one made elsewhere than there, or
        changed since by another node — the last part of a clock reading names its node)."""
        table = t.metadata.tables[table_name]
        q = select(table.c.id).limit(1)
        if other_than is not None:
            q = q.where(or_(table.c.origin != other_than,
                            func.substr(table.c.updated_hlc, 21) != func.substr(table.c.created_hlc, 21)))
        return self.uow.conn.execute(q).first() is not None

    def village_codes(self) -> set[str]:
        return {str(r[0]) for r in self.uow.conn.execute(select(t.villages.c.code))}

    def residents_by_number(self, numbers: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Live (not merged) residents holding these (id type, ID number) pairs."""
        r = t.residents.c
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for chunk in self._chunks(n for _, n in numbers):
            for row in self._all(select(t.residents).where(r.id_number.in_(chunk), r.merged_into.is_(None))):
                found[(str(row["id_type"]), str(row["id_number"]))] = row_plain(row)
        return found

    def first_logged(self, row_ids: Sequence[str]) -> dict[str, int]:
        """The log number at which each of these residents first reached the town."""
        c = t.server_log.c
        found: dict[str, int] = {}
        for chunk in self._chunks(row_ids):
            stmt = (select(c.row_id, func.min(c.seq)).where(c.table_name == "residents", c.row_id.in_(chunk))
                    .group_by(c.row_id))
            found.update((str(a), int(b)) for a, b in self.uow.conn.execute(stmt))
        return found

    def restamp(self, table_name: str, row_id: str, stamp: str) -> dict[str, Any] | None:
        """The town's copy of a record given a new version stamp, its content unchanged (no change-log row: the
        caller logs it). Returns the row as it is now, plain."""
        table = t.metadata.tables[table_name]
        self.uow.conn.execute(update(table).where(table.c.id == row_id).values(updated_hlc=stamp))
        return self.copies(table_name, [row_id]).get(row_id)

    # -- a restored station, and anchors ---------------------------------------------------------------
    def numbers_of(self, station_code: str) -> tuple[list[str], list[str]]:
        """The case and document numbers the town holds of a station."""
        cases = [str(r[0]) for r in self.uow.conn.execute(
            select(t.cases.c.case_no).where(t.cases.c.station_code == station_code))]
        docs = [str(r[0]) for r in self.uow.conn.execute(
            select(t.documents.c.number).where(t.documents.c.station_code == station_code))]
        return cases, docs

    def sent_by(self, station_code: str) -> dict[str, list[str]]:
        """Every record a station ever sent to the town: table -> ids."""
        c = t.server_log.c
        out: dict[str, list[str]] = {}
        for name, row_id in self.uow.conn.execute(
                select(c.table_name, c.row_id).where(c.station_code == station_code).distinct()):
            out.setdefault(str(name), []).append(str(row_id))
        return out

    def add_anchor(self, values: Mapping[str, Any]) -> None:
        self.uow.conn.execute(insert(t.station_anchors).values(id=new_id(), **values))

    def last_anchor(self, station_code: str) -> Row | None:
        a = t.station_anchors.c
        return self._one(select(t.station_anchors).where(a.station_code == station_code)
                         .order_by(a.at.desc(), a.id.desc()).limit(1))  # ids are time-ordered (UUIDv7)

    def chain_head(self, station_code: str) -> tuple[int, str]:
        """The last link of a station's chain as the town holds it."""
        c = t.chain_links.c
        row = self.uow.conn.execute(select(c.seq, c.hash).where(c.station_code == station_code)
                                    .order_by(c.seq.desc()).limit(1)).first()
        return (int(row[0]), str(row[1])) if row else (0, "")

    # -- security events ------------------------------------------------------------------------------
    def add_events(self, events: Sequence[Mapping[str, Any]]) -> None:
        if events:
            self.uow.conn.execute(insert(t.security_events), [{"id": new_id(), **e} for e in events])

    def events(self, *, station_code: str | None = None, state: str | None = "open", limit: int = 1000) -> list[Row]:
        c = t.security_events.c
        q = select(t.security_events)
        if station_code:
            q = q.where(c.station_code == station_code)
        if state:
            q = q.where(c.state == state)
        return self._all(q.order_by(c.found_at.desc(), c.id).limit(limit))

    def mark_events_seen(self, ids: Sequence[str] | None) -> int:
        c = t.security_events.c
        stmt = update(t.security_events).where(c.state == "open")
        if ids is not None:
            stmt = stmt.where(c.id.in_(list(ids)))
        return int(self.uow.conn.execute(stmt.values(state="seen")).rowcount or 0)

    def set_pulled_to(self, station_code: str, seq: int) -> None:
        c = t.server_stations.c
        self.uow.conn.execute(update(t.server_stations).where(c.station_code == station_code, c.pulled_to < seq)
                              .values(pulled_to=seq))
