"""The unit of work: one transaction, the repositories on it, sync bookkeeping and the audit chain."""

from __future__ import annotations

import json
import operator
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, insert, select, update

from app.domain.audit import GENESIS, seal
from app.domain.ids import HybridClock, new_id, new_ids
from app.persistence import bulk
from app.persistence import tables as t

SQLITE_DEFAULT_CACHE = -2000  # KiB, as SQLite sets it on a new connection


class UnitOfWork:
    """``with uow:`` opens one transaction; ``uow.commit()`` makes it durable; leaving without
    committing rolls it back. Every synced write also writes its change-log row here."""

    def __init__(self, engine: Engine, clock: HybridClock, node_id: str, *, origin: str = "",
                 read_only: bool = False, sealer: tuple[str, bytes] | None = None) -> None:
        self._engine = engine
        self.sealer = sealer  # (key id, key): what audit entries and chain links are sealed with
        self.read_only = read_only
        self.clock = clock
        self.node_id = node_id
        self.origin = origin
        self._conn: Connection | None = None
        self._committed = False

    # -- transaction -------------------------------------------------------------------------
    def __enter__(self) -> UnitOfWork:
        from app.persistence.repositories import Repositories

        conn = self._engine.connect()
        if self.read_only:
            # A reader must not take the write lock: under WAL a DEFERRED transaction reads a consistent
            # snapshot while the counter (or sync) writes.
            conn = conn.execution_options(sqlite_begin="DEFERRED")
        self._conn = conn
        self._conn.begin()
        self._committed = False
        self._cache_changed = False
        self._pending_log: list[tuple[str, str, str, str, str]] = []
        self.repos = Repositories(self)
        if not self.origin:
            self.origin = self.meta_get("station_code") or "UNSET"
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert self._conn is not None
        try:
            if not self._committed:
                self._conn.rollback()
            if self._cache_changed:
                # On the driver's connection: through SQLAlchemy it would open a new transaction.
                driver = self._conn.connection.dbapi_connection
                if driver is not None:
                    driver.execute(f"PRAGMA cache_size = {SQLITE_DEFAULT_CACHE}")
                self._cache_changed = False
        finally:
            self._conn.close()
            self._conn = None

    def commit(self) -> None:
        assert self._conn is not None
        self._flush_log()
        self._conn.commit()
        self._committed = True

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("unit of work used outside 'with'")
        return self._conn

    # -- local facts -------------------------------------------------------------------------
    def meta_get(self, key: str) -> str | None:
        return self.conn.execute(select(t.meta.c.value).where(t.meta.c.key == key)).scalar()

    def meta_delete(self, key: str) -> None:
        self.conn.execute(delete(t.meta).where(t.meta.c.key == key))

    def meta_set(self, key: str, value: str) -> None:
        if self.meta_get(key) is None:
            self.conn.execute(insert(t.meta).values(key=key, value=value))
        else:
            self.conn.execute(update(t.meta).where(t.meta.c.key == key).values(value=value))

    # -- bulk loading (see bulk.py) -----------------------------------------------------------
    def suspend_search_indexes(self) -> None:
        bulk.suspend_search_indexes(self.conn)

    def restore_search_indexes(self) -> list[str]:
        return bulk.restore_search_indexes(self.conn)

    def missing_search_indexes(self) -> list[str]:
        return bulk.missing_search_indexes(self.conn)

    def set_cache_mib(self, mib: int) -> None:
        """This transaction's page cache (an import's inserts touch more pages than a counter's reads).
        Back to SQLite's default when the unit of work ends, so the pooled connection gives the memory back."""
        self.conn.exec_driver_sql(f"PRAGMA cache_size = {-1024 * int(mib)}")
        self._cache_changed = True

    # -- synced writes -----------------------------------------------------------------------
    def add(self, table_name: str, values: Mapping[str, Any]) -> str:
        """Insert a synced record with fresh sync columns; returns its id."""
        table = _synced(table_name)
        stamp = self.clock.now().encode()
        row = dict(values)
        row.setdefault("id", new_id())
        row.setdefault("origin", self.origin)
        row["created_hlc"] = row["updated_hlc"] = stamp
        row.setdefault("deleted", False)
        # Rows go in as execution parameters of a constant statement, so SQLAlchemy compiles it once
        # (``.values(row)`` would rebuild every bind parameter on each call: most of an accept's cost).
        self.conn.execute(_insert(table), row)
        self._log(table.name, row["id"], "upsert", stamp)
        return str(row["id"])

    def add_many(self, table_name: str, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk insert for imports: one executemany for the rows and one for their change-log rows.

        Every row must have the same keys. Each row gets its ``id`` (unless given) and sync columns set
        in place, so the caller can read the ids back. The rows go to the driver as plain tuples through
        the column types' own bind processors: the same values ``add`` would store, without building
        SQLAlchemy parameters row by row (most of an import's time before)."""
        table = _synced(table_name)
        if not rows:
            return
        # One transaction, one moment: every row of the batch carries the same HLC stamp.
        stamp = self.clock.now().encode()
        ids = new_ids(2 * len(rows))
        change_ids = ids[len(rows):]
        for row, row_id in zip(rows, ids, strict=False):
            row.setdefault("id", row_id)
            row.setdefault("origin", self.origin)
            row["created_hlc"] = row["updated_hlc"] = stamp
            row.setdefault("deleted", False)
        names = tuple(rows[0])
        if len(names) < 2 or any(row.keys() != rows[0].keys() for row in rows):
            raise ValueError(f"add_many({table_name}): rows with different columns")
        dialect = self.conn.dialect
        processed = [(i, p) for i, name in enumerate(names)
                     if (p := table.c[name].type.bind_processor(dialect)) is not None]
        quote = dialect.identifier_preparer.quote
        mark = _placeholder(dialect)
        sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
               f"VALUES ({', '.join([mark] * len(names))})")
        pick = operator.itemgetter(*names)
        params = []
        for row in rows:
            values = pick(row)
            if processed:
                as_list = list(values)
                for i, process in processed:
                    as_list[i] = process(as_list[i])
                values = tuple(as_list)
            params.append(values)
        self.conn.exec_driver_sql(sql, params)
        name = str(table.name)  # a plain str: the driver adapts a str subclass object by object
        self._pending_log.extend((cid, name, row["id"], "upsert", stamp)
                                 for cid, row in zip(change_ids, rows, strict=True))

    def change(self, table_name: str, row_id: str, values: Mapping[str, Any]) -> None:
        """Update a synced record; it gets a new ``updated_hlc`` and a change-log row. A record merged field by
        field also notes which fields this version changed (``field_hlc``)."""
        table = _synced(table_name)
        stamp = self.clock.now().encode()
        changes = {**values, "updated_hlc": stamp}
        if table_name in t.FIELD_MERGED:
            current = self.conn.execute(select(table.c.field_hlc).where(table.c.id == row_id)).scalar()
            fields = json.loads(current or "{}")
            fields.update({key: stamp for key in values})
            changes["field_hlc"] = json.dumps(fields, sort_keys=True, separators=(",", ":"))
        self.conn.execute(update(table).where(table.c.id == row_id).values(changes))
        self._log(table.name, row_id, "upsert", stamp)

    def tombstone(self, table_name: str, row_id: str) -> None:
        """Mark a synced record deleted; it stays (and syncs) as a tombstone."""
        table = _synced(table_name)
        stamp = self.clock.now().encode()
        self.conn.execute(update(table).where(table.c.id == row_id).values(deleted=True, updated_hlc=stamp))
        self._log(table.name, row_id, "delete", stamp)

    def _log(self, table_name: str, row_id: str, op: str, stamp: str) -> None:
        # Written with the commit, all in one statement (same transaction, so just as atomic), in the order
        # the changes were made: a case before its materials, as the town server will want to apply them.
        self._pending_log.append((new_id(), table_name, row_id, op, stamp))

    def _flush_log(self) -> None:
        if self._pending_log:
            mark = _placeholder(self.conn.dialect)
            self.conn.exec_driver_sql(
                f"INSERT INTO change_log (change_id, table_name, row_id, op, hlc) VALUES ({', '.join([mark] * 5)})",
                self._pending_log)
            self._pending_log = []

    def pending_changes(self) -> int:
        """Change-log rows written by this unit of work and not yet flushed (they go in with ``commit``)."""
        return len(self._pending_log)

    # -- audit -------------------------------------------------------------------------------
    def audit(self, *, staff_id: str, action: str, target_type: str = "", target_id: str = "",
              detail: Mapping[str, Any] | None = None, at: datetime | None = None) -> None:
        """Append one sealed entry to the audit chain (inside this transaction)."""
        last = self.conn.execute(_LAST_AUDIT).first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        entry = {
            "seq": seq, "id": new_id(), "origin": self.origin, "hlc": self.clock.now().encode(),
            "at": (at or datetime.now()).isoformat(timespec="seconds"), "staff_id": staff_id,
            "action": action, "target_type": target_type, "target_id": target_id,
            "detail": json.dumps(dict(detail or {}), ensure_ascii=False, sort_keys=True),
        }
        entry["prev_hash"] = prev
        entry["key_id"] = self.sealer[0] if self.sealer else ""
        entry["hash"] = seal(prev, audit_payload(entry), self.sealer[1] if self.sealer else None)
        self.conn.execute(_insert(t.audit_log), entry)

    def audit_entries(self) -> Iterable[Mapping[str, Any]]:
        for row in self.conn.execute(select(t.audit_log).order_by(t.audit_log.c.seq)).mappings():
            yield dict(row)


_INSERTS: dict[str, Any] = {}
_LAST_AUDIT = select(t.audit_log.c.seq, t.audit_log.c.hash).order_by(t.audit_log.c.seq.desc()).limit(1)


def _placeholder(dialect: Any) -> str:
    """The driver's own parameter mark: ``?`` for sqlite3, ``%s`` for psycopg (the town's PostgreSQL)."""
    return "?" if dialect.paramstyle == "qmark" else "%s"


def _insert(table: Table) -> Any:
    stmt = _INSERTS.get(table.name)
    if stmt is None:
        stmt = _INSERTS[table.name] = insert(table)
    return stmt


def _synced(table_name: str) -> Table:
    if table_name not in t.SYNCED_TABLES:
        raise ValueError(f"not a synced table: {table_name}")
    return t.metadata.tables[table_name]


AUDIT_SEALED_FIELDS = ("seq", "id", "origin", "hlc", "at", "staff_id", "action", "target_type",
                       "target_id", "detail")


def audit_payload(row: Mapping[str, Any]) -> dict[str, Any]:
    """What an entry's seal covers: its fields, and the key's id when it is keyed (an earlier release's plain
    seals covered the fields alone)."""
    payload = {k: row[k] for k in AUDIT_SEALED_FIELDS}
    if row.get("key_id"):
        payload["key_id"] = row["key_id"]
    return payload
