"""Rows as they travel between a station and the town: the change log read in order, a synced row as plain JSON
values, a row applied under the merge rule, and the server's global log. Table-generic by design: every synced
table has the same sync columns (id, origin, created_hlc, updated_hlc, deleted)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
from sqlalchemy import ARRAY, Boolean, Date, String, any_, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app.domain.catalog import version_key
from app.domain.ids import new_id
from app.domain.merge import merge_fields
from app.persistence import tables as t
from app.persistence.repo_base import Repo, Row


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        # A NUL cannot be kept in PostgreSQL's text: a record that somehow holds one goes without it.
        return value.replace("\x00", "") if "\x00" in value else value
    return value.isoformat() if isinstance(value, date) else value


def row_plain(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row with plain JSON values (dates as ISO text), as it travels."""
    return {k: _plain(v) for k, v in row.items()}


def row_to_json(row: Mapping[str, Any]) -> str:
    """A row as compact JSON with sorted keys (dates as ISO text): how the town's log keeps it."""
    try:
        return orjson.dumps(row, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # not a plain dict, keys that are str subclasses, an integer past 64 bits …: the slow way
        return json.dumps({str(k): _plain(v) for k, v in row.items()}, ensure_ascii=False, sort_keys=True,
                          separators=(",", ":"), default=str)


def row_from_json(text: str) -> dict[str, Any]:
    found: dict[str, Any] = orjson.loads(text)
    return found


_SHAPES: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


def _shape(table_name: str) -> tuple[frozenset[str], frozenset[str]]:
    """A table's column names and which of them hold dates (looked up once per table)."""
    shape = _SHAPES.get(table_name)
    if shape is None:
        table = t.metadata.tables[table_name]
        shape = _SHAPES[table_name] = (frozenset(table.c.keys()),
                                       frozenset(c.name for c in table.c if isinstance(c.type, Date)))
    return shape


def _typed(table_name: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """A row from JSON with its dates as dates; columns this database does not have are left out (a newer
    release's column arriving at an older one), so an apply never fails on them."""
    columns, dates = _shape(table_name)
    out = {k: v for k, v in values.items() if k in columns}
    for key in dates:
        value = out.get(key)
        if isinstance(value, str) and value:
            out[key] = date.fromisoformat(value[:10])
    return out


# Published files (one row per file id, replaced by newer versions): a newer version wins whatever the clocks
# say — a station set up after the town published a version still makes its shipped, older copy, later.
_VERSIONED = frozenset({"catalog_files", "calendar_files"})

# Tables in an order where a row's parents come before it: a batch is applied table by table in this order.
_ORDER = {table.name: n for n, table in enumerate(t.metadata.sorted_tables)}


@dataclass(slots=True)
class Outcome:
    """What applying one row did: ``inserted``, ``updated``, ``kept``, ``waiting: …`` (its parent record is
    not here yet) or ``conflict: …``; the values a field-by-field merge decided against; and, when the row
    was a second registration of one person, the (loser, survivor) pair."""

    result: str
    lost: list[tuple[str, Any, Any]] = field(default_factory=list)
    merged: tuple[str, str] | None = None


def _integrity_errors() -> tuple[type[Exception], ...]:
    """A rule broken, as SQLAlchemy reports it, as psycopg reports it from a COPY and as sqlite3 from its own
    executemany (the station's client may run without psycopg: SQLite only)."""
    try:
        import psycopg
    except ImportError:
        return (IntegrityError, sqlite3.IntegrityError)
    return (IntegrityError, psycopg.errors.IntegrityError, sqlite3.IntegrityError)


_INTEGRITY_ERRORS = _integrity_errors()


def _row_errors() -> tuple[type[Exception], ...]:
    """What a row that does not fit this database raises: any database error (a value too long, of the wrong
    type …), a missing or malformed value read by the merge."""
    try:
        import psycopg
    except ImportError:
        return (SQLAlchemyError, sqlite3.Error, ValueError, KeyError, TypeError)
    return (SQLAlchemyError, psycopg.Error, sqlite3.Error, ValueError, KeyError, TypeError)


_ROW_ERRORS = _row_errors()


def _missing_parent(error: IntegrityError) -> bool:
    """A foreign key naming a row that is not here (yet), as SQLite and PostgreSQL say it."""
    code = getattr(error.orig, "sqlstate", None)
    return code == "23503" or "FOREIGN KEY constraint failed" in str(error.orig)


class ReplicaRepository(Repo):
    def __init__(self, uow: Any) -> None:
        super().__init__(uow)
        self.lost: list[tuple[str, Any, Any]] = []  # what the last field-by-field merge decided against
        self.merged: tuple[str, str] | None = None  # the last apply merged (loser, survivor)

    def _among(self, column: Any, values: Sequence[str]) -> Any:
        """``column IN values``: on PostgreSQL one array parameter (``= ANY``), so a statement for 500 ids is
        the same statement each time, not one expanded into 500 parameters; elsewhere a plain IN."""
        if self.uow.conn.dialect.name != "postgresql":
            return column.in_(list(values))
        return column == any_(bindparam("among", list(values), type_=ARRAY(String())))

    # -- the station's outbox -----------------------------------------------------------------------
    def pending(self, limit: int, after: int = 0) -> list[Row]:
        c = t.change_log.c
        return self._all(select(t.change_log).where(c.pushed_at.is_(None), c.seq > after).order_by(c.seq)
                         .limit(limit))

    def pending_count(self) -> int:
        c = t.change_log.c
        return int(self.uow.conn.execute(select(func.count()).where(c.pushed_at.is_(None))).scalar_one())

    def pending_rows(self, table_name: str, row_ids: Sequence[str]) -> set[str]:
        """Which of these rows have a change the town has not acknowledged yet."""
        c = t.change_log.c
        found: set[str] = set()
        for start in range(0, len(row_ids), 500):
            found |= {r[0] for r in self.uow.conn.execute(
                select(c.row_id).where(c.table_name == table_name, self._among(c.row_id, row_ids[start:start + 500]),
                                       c.pushed_at.is_(None)).distinct())}
        return found

    def mark_pushed_between(self, first: int, last: int, at: str) -> None:
        """Every change numbered ``first``…``last`` acknowledged: one statement over the primary key."""
        c = t.change_log.c
        self.uow.conn.execute(update(t.change_log).where(c.seq.between(first, last), c.pushed_at.is_(None))
                              .values(pushed_at=at))

    def mark_pushed(self, change_ids: Sequence[str], at: str) -> None:
        c = t.change_log.c
        for start in range(0, len(change_ids), 500):
            self.uow.conn.execute(update(t.change_log).where(self._among(c.change_id, change_ids[start:start + 500]),
                                                             c.pushed_at.is_(None)).values(pushed_at=at))

    def rows(self, table_name: str, row_ids: Sequence[str]) -> dict[str, Row]:
        """Rows of one table by id, read in chunks."""
        table = t.metadata.tables[table_name]
        ids = sorted(set(row_ids))
        found: dict[str, Row] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found.update((str(r["id"]), r) for r in self._all(select(table).where(self._among(table.c.id, chunk))))
        return found

    def plain_rows(self, table_name: str, row_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``rows`` as they travel (``row_plain``: dates as ISO text, no NUL). On SQLite read straight from the
        driver — a date is kept there as the ISO text it travels as, a boolean as 0/1 — which is several times
        quicker than making date objects only to write them out again (the outbox reads every row it sends)."""
        conn = self.uow.conn
        if conn.dialect.name != "sqlite":
            return {k: row_plain(v) for k, v in self.rows(table_name, row_ids).items()}
        table = t.metadata.tables[table_name]
        columns = [str(c.name) for c in table.c]  # plain str: a column's name is a str subclass orjson refuses
        flags = [n for n, c in enumerate(table.c) if isinstance(c.type, Boolean)]
        texts = [n for n, c in enumerate(table.c) if isinstance(c.type, String)]  # Text is a String too
        listed = ", ".join(f'"{c}"' for c in columns)
        ids = sorted(set(row_ids))
        found: dict[str, dict[str, Any]] = {}
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                cursor.execute(f'SELECT {listed} FROM "{table_name}" WHERE id IN ({", ".join("?" * len(chunk))})',
                               chunk)
                for record in cursor.fetchall():
                    values = list(record)
                    for n in flags:
                        if values[n] is not None:
                            values[n] = bool(values[n])
                    for n in texts:
                        if isinstance(values[n], str) and "\x00" in values[n]:
                            values[n] = values[n].replace("\x00", "")
                    row = dict(zip(columns, values, strict=True))
                    found[str(row["id"])] = row
        finally:
            cursor.close()
        return found

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
        savepoint = self.uow.conn.begin_nested()
        self.lost = []
        self.merged = None
        try:
            row = _typed(table_name, values)
            current = self.uow.conn.execute(select(table.c.updated_hlc).where(table.c.id == row["id"])).first()
            later = str(row.get("updated_hlc", "")) > str(current[0]) if current is not None else True
            if current is not None and table_name in _VERSIONED:  # a published file: the newer version wins
                theirs_at, ours_at = self._versions(table, row)
                later = theirs_at > ours_at if theirs_at != ours_at else later
            if table_name == "residents":
                row = self._merge_same_person(row, exists=current is not None)
            elif "applicant_id" in row:
                row["applicant_id"] = self._survivor(row["applicant_id"])
            if current is None:
                self.uow.conn.execute(insert(table), row)
                self._repoint()
                outcome = "inserted"
            elif table_name in t.FIELD_MERGED and str(row.get("updated_hlc", "")) != str(current[0]):
                ours = self.row(table_name, row["id"])
                assert ours is not None
                merged, self.lost = merge_fields(table_name, ours, {**ours, **row})
                self.uow.conn.execute(update(table).where(table.c.id == row["id"]).values(merged))
                outcome = "updated"
            elif later:
                self.uow.conn.execute(update(table).where(table.c.id == row["id"]).values(row))
                outcome = "updated"
            else:
                outcome = "kept"
            savepoint.commit()
        except IntegrityError as e:
            savepoint.rollback()
            detail = str(e.orig).splitlines()[0][:300]
            if _missing_parent(e):  # it refers to a record not here yet: it can be applied later, not now
                return f"waiting: {detail}"
            return f"conflict: {detail}"
        except _ROW_ERRORS as e:  # a value that does not fit a column, a row without its id …: kept, not fatal
            savepoint.rollback()
            first = (str(e).splitlines() or [""])[0]
            return f"conflict: the row does not fit this database ({type(e).__name__}: {first})"[:400]
        return outcome

    def apply_all(self, items: Sequence[tuple[str, Mapping[str, Any]]],
                  present: Mapping[str, Mapping[str, str]] | None = None) -> list[Outcome]:
        """Apply many synced rows (table, row) under the same rules as ``apply``, table by table with parents
        first, and in bulk: one read of what is here, one insert of what is new and one update of what is
        newer per table. A bulk statement that breaks a rule is undone and its rows applied one by one, so
        each row still gets its own outcome. The outcomes come back in the order of ``items``."""
        out: list[Outcome | None] = [None] * len(items)
        by_table: dict[str, list[int]] = {}
        for i, (name, _row) in enumerate(items):
            if name not in t.SYNCED_TABLES:
                out[i] = Outcome(f"conflict: {name} is not a synced table")
            else:
                by_table.setdefault(name, []).append(i)
        for name in sorted(by_table, key=lambda n: _ORDER[n]):
            idx = by_table[name]
            rest = idx
            if len(idx) >= 3 and name not in _VERSIONED:  # (fewer are not worth a bulk statement)
                bulk = self.uow.conn.begin_nested()
                try:
                    if name in t.FIELD_MERGED:  # new records in bulk; one here already is merged field by field
                        rest = self._insert_new(name, [(i, _typed(name, items[i][1])) for i in idx], out,
                                                (present or {}).get(name))
                    else:
                        self._apply_bulk(name, [(i, _typed(name, items[i][1])) for i in idx], out,
                                         (present or {}).get(name))
                        rest = []
                    bulk.commit()
                except _ROW_ERRORS:  # a row that does not fit: all of this table's rows one by one, to find it
                    bulk.rollback()
                    rest = idx
            for i in rest:
                result = self.apply(name, items[i][1])
                out[i] = Outcome(result, self.lost, self.merged)
        return [o if o is not None else Outcome("kept") for o in out]

    def _lookup(self, key: Any, value: Any, keys: Sequence[str]) -> dict[str, str]:
        """``key → value`` for the rows whose ``key`` is one of ``keys``, read in chunks of 500."""
        found: dict[str, str] = {}
        wanted = sorted(set(keys))
        for start in range(0, len(wanted), 500):
            found.update((str(a), str(b)) for a, b in self.uow.conn.execute(
                select(key, value).where(self._among(key, wanted[start:start + 500]))))
        return found

    def _present(self, table: Any, ids: Sequence[str]) -> dict[str, str]:
        """Which of these rows are here: id → updated_hlc."""
        return self._lookup(table.c.id, table.c.updated_hlc, ids)

    def _insert_new(self, name: str, rows: list[tuple[int, dict[str, Any]]], out: list[Outcome | None],
                    known: Mapping[str, str] | None = None) -> list[int]:
        """Insert in one statement the rows of a field-merged table that are simply new: not here, once in the
        batch, and (residents) not a second registration of an ID number. Returns the others, to be applied
        one by one."""
        table = t.metadata.tables[name]
        present = known if known is not None else self._present(table, [r["id"] for _, r in rows])
        new: list[tuple[int, dict[str, Any]]] = []
        rest: list[int] = []
        seen: set[Any] = set()
        for i, r in rows:
            key = (r.get("id_type"), r.get("id_number")) if name == "residents" else None
            if r["id"] in present or r["id"] in seen or r.get("merged_into") or (key is not None and key in seen):
                rest.append(i)
            else:
                new.append((i, r))
                seen |= {r["id"], key} if key is not None else {r["id"]}
        if name == "residents" and new:  # the same person registered here under another id: merged one by one
            numbers = sorted({str(r["id_number"]) for _, r in new})
            taken: set[tuple[str, str]] = set()
            c = t.residents.c
            for start in range(0, len(numbers), 500):
                taken |= {(str(a), str(b)) for a, b in self.uow.conn.execute(
                    select(c.id_type, c.id_number).where(self._among(c.id_number, numbers[start:start + 500])))}
            rest += [i for i, r in new if (r["id_type"], r["id_number"]) in taken]
            new = [(i, r) for i, r in new if (r["id_type"], r["id_number"]) not in taken]
        if new:
            self._insert_or_each(table, new, out, rest)
        return sorted(rest)

    def _insert_or_each(self, table: Any, rows: list[tuple[int, dict[str, Any]]], out: list[Outcome | None],
                        rest: list[int]) -> None:
        """One insert per set of columns; a statement that breaks a rule is undone and its rows go to ``rest``."""
        self._in_groups(rows, lambda group: self._insert_rows(table, group), "inserted", out, rest)

    def _in_groups(self, rows: list[tuple[int, dict[str, Any]]], write: Callable[[list[dict[str, Any]]], object],
                   outcome: str, out: list[Outcome | None], rest: list[int]) -> None:
        """``write`` the rows one statement per set of columns (a row from an older release has fewer), each in
        a savepoint: a statement that breaks a rule is undone and its rows go to ``rest``, to be applied one by
        one; the others get ``outcome``."""
        shapes: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = {}
        for i, r in rows:
            shapes.setdefault(tuple(sorted(r)), []).append((i, r))
        for group in shapes.values():
            savepoint = self.uow.conn.begin_nested()
            try:
                write([r for _, r in group])
                savepoint.commit()
            except _INTEGRITY_ERRORS:
                savepoint.rollback()
                rest += [i for i, _ in group]
                continue
            for i, _ in group:
                out[i] = Outcome(outcome)

    def _insert_rows(self, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        """Rows with the same columns into one table: on PostgreSQL by COPY (several times faster than
        inserts for the town's big batches), on SQLite by the driver's executemany with the columns' own
        conversions (booleans, dates)."""
        conn = self.uow.conn
        if len(rows) < 20:
            conn.execute(insert(table), list(rows))
            return
        columns = list(rows[0])
        if conn.dialect.name == "sqlite":  # the driver's own executemany: SQLAlchemy's per-row work took most of it
            convert = [(n, f) for n, c in enumerate(columns)
                       if (f := table.c[c].type._cached_bind_processor(conn.dialect)) is not None]
            values: list[Any] = [[r[c] for c in columns] for r in rows]
            for v in values:
                for n, f in convert:
                    if v[n] is not None:
                        v[n] = f(v[n])
            names = ", ".join(f'"{c}"' for c in columns)
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})',
                                   values)
            finally:
                cursor.close()
            return
        if conn.dialect.name != "postgresql":
            conn.execute(insert(table), list(rows))
            return
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for r in rows:
                    copy.write_row([r[c] for c in columns])
        finally:
            cursor.close()

    def _apply_bulk(self, name: str, rows: list[tuple[int, dict[str, Any]]], out: list[Outcome | None],
                    known: Mapping[str, str] | None = None) -> None:
        table = t.metadata.tables[name]
        conn = self.uow.conn
        if "applicant_id" in table.c:  # cases of a person merged into another point at the survivor
            merged = self._merged_among({str(r["applicant_id"]) for _, r in rows if r.get("applicant_id")})
            for _, r in rows:
                if r.get("applicant_id") in merged:
                    r["applicant_id"] = self._survivor(r["applicant_id"])
        latest: dict[str, tuple[int, dict[str, Any]]] = {}  # one row twice in a batch: its later version
        for i, r in rows:
            seen = latest.get(r["id"])
            if seen is None or str(r.get("updated_hlc", "")) > str(seen[1].get("updated_hlc", "")):
                if seen is not None:
                    out[seen[0]] = Outcome("kept")
                latest[r["id"]] = (i, r)
            else:
                out[i] = Outcome("kept")
        current = known if known is not None else self._present(table, list(latest))
        fresh, newer = [], []
        for row_id, (i, r) in latest.items():
            if row_id not in current:
                fresh.append((i, r))
            elif str(r.get("updated_hlc", "")) > current[row_id]:
                newer.append((i, r))
            else:
                out[i] = Outcome("kept")
        rest: list[int] = []
        self._insert_or_each(table, fresh, out, rest)
        update_stmt = update(table).where(table.c.id == bindparam("_row_id"))
        self._in_groups(newer, lambda group: conn.execute(update_stmt, [{**r, "_row_id": r["id"]} for r in group]),
                        "updated", out, rest)
        by_index = dict(rows)
        for i in sorted(rest):  # find which row breaks the rule: each row on its own
            out[i] = Outcome(self.apply(name, by_index[i]), self.lost, self.merged)

    def _versions(self, table: Any, row: Mapping[str, Any]) -> tuple[Any, Any]:
        """The arriving and the present version of a published file, as they order."""
        ours = self.uow.conn.execute(select(table.c.version).where(table.c.id == row["id"])).scalar()
        return version_key(str(row.get("version", ""))), version_key(str(ours or ""))

    def _merged_among(self, resident_ids: set[str]) -> set[str]:
        """Which of these residents were merged into another."""
        found: set[str] = set()
        ids = sorted(resident_ids)
        r = t.residents.c
        for start in range(0, len(ids), 500):
            found |= {str(x[0]) for x in self.uow.conn.execute(
                select(r.id).where(self._among(r.id, ids[start:start + 500]), r.merged_into.is_not(None)))}
        return found

    # -- one person registered twice ------------------------------------------------------------------
    def _survivor(self, resident_id: str | None) -> str | None:
        """The resident a (possibly merged) resident id now means."""
        seen = 0
        while resident_id and seen < 5:
            found = self.uow.conn.execute(select(t.residents.c.merged_into).where(t.residents.c.id == resident_id)
                                          ).scalar()
            if not found:
                return resident_id
            resident_id, seen = found, seen + 1
        return resident_id

    def _merge_same_person(self, row: dict[str, Any], *, exists: bool) -> dict[str, Any]:
        """Two stations registered one person (one ID number) offline: the earlier registration survives (by
        clock stamp, then id: the same choice on every node), the later one is kept as a deleted row that
        points at it, and the loser's cases point at the survivor. Every node merges alike, so they agree."""
        r = t.residents.c
        if exists:  # a later version of a row merged here keeps its merge marks
            mine = self.row("residents", row["id"])
            if mine is not None and mine["merged_into"]:
                return {**row, **{k: mine[k] for k in ("merged_into", "deleted", "id_type", "id_number", "id_rev")}}
            return row
        if row.get("merged_into"):
            return row
        other = self._one(select(t.residents).where(r.id_type == row["id_type"], r.id_number == row["id_number"],
                                                    r.id != row["id"]))
        if other is None:
            return row
        survivor, loser = sorted(({**other}, row), key=lambda x: (str(x["created_hlc"]), str(x["id"])))
        freed = "M" + str(loser["id"]).replace("-", "")[-29:]  # frees the ID number; unique, fits the column
        marks = {"merged_into": survivor["id"], "deleted": True, "id_type": "merged", "id_number": freed,
                 "id_rev": freed[::-1]}
        self.merged = (str(loser["id"]), str(survivor["id"]))
        if loser is not row:  # ours lost: it frees the ID number before the newcomer goes in
            self.uow.conn.execute(update(t.residents).where(r.id == loser["id"]).values(marks))
            return row
        return {**row, **marks}

    def _repoint(self) -> None:
        """After a merge: the loser's cases point at the survivor (once both rows are in)."""
        if self.merged is not None:
            loser, survivor = self.merged
            self.uow.conn.execute(update(t.cases).where(t.cases.c.applicant_id == loser)
                                  .values(applicant_id=survivor))

    def add_conflict(self, *, change_id: str, table_name: str, row_id: str, station_code: str, reason: str,
                     row_json: str, at: str, state: str = "open") -> None:
        self.uow.conn.execute(insert(t.sync_conflicts).values(
            id=new_id(), change_id=change_id, table_name=table_name, row_id=row_id, station_code=station_code,
            reason=reason, row_json=row_json, found_at=at, state=state))

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
                select(c.change_id).where(self._among(c.change_id, change_ids[start:start + 500])))}
        return found

    def lock_log(self) -> int:
        """Take the server log's write lock for this transaction (batches are numbered one after another, so
        the order has no gaps) and return the last number used."""
        if self.uow.conn.dialect.name == "postgresql":
            self.uow.conn.exec_driver_sql("LOCK TABLE server_log IN EXCLUSIVE MODE")
        return int(self.uow.conn.execute(select(func.coalesce(func.max(t.server_log.c.seq), 0))).scalar_one())

    def log(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self._insert_rows(t.server_log, rows)

    def log_after(self, cursor: int, limit: int, *, station: str | None = None, upto: int | None = None
                  ) -> list[Row]:
        """The log after ``cursor`` (up to ``upto``), in order; for a station only what concerns it: not its own
        changes (it has them), every change meant for all, and a resident's case records when the resident
        lives in the station's village or the station has served them."""
        c = t.server_log.c
        q = select(t.server_log).where(c.seq > cursor)
        if upto is not None:
            q = q.where(c.seq <= upto)
        if station is not None:
            served = select(t.cases.c.applicant_id).where(t.cases.c.station_code == station)
            villagers = select(t.residents.c.id).join(
                t.stations, t.stations.c.village_code == t.residents.c.village_code).where(t.stations.c.code == station)
            q = q.where(c.station_code != station,
                        or_(c.audience == "", c.audience == "@" + station, c.audience.in_(served),
                            c.audience.in_(villagers)))
            if self.uow.conn.dialect.name == "postgresql":
                # Walk the log in order and stop at the page's end. Without this, statistics that have not caught
                # up with a burst of pushes (autovacuum analyses a minute later) make the planner collect and sort
                # everything after the cursor for every page.
                self.uow.conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
                self.uow.conn.exec_driver_sql("SET LOCAL enable_sort = off")
        return self._all(q.order_by(c.seq).limit(limit))

    def newly_served(self, station: str, resident_ids: Sequence[str]) -> set[str]:
        """Which of these residents the station has no case for yet and who live outside its village."""
        ids = sorted(set(resident_ids))
        if not ids:
            return set()
        cases, residents = t.cases.c, t.residents.c
        served = {str(x[0]) for x in self.uow.conn.execute(select(cases.applicant_id).where(
            cases.station_code == station, self._among(cases.applicant_id, ids)).distinct())}
        village = select(t.stations.c.village_code).where(t.stations.c.code == station).scalar_subquery()
        villagers = {str(x[0]) for x in self.uow.conn.execute(select(residents.id).where(
            self._among(residents.id, ids), residents.village_code == village))}
        return set(ids) - served - villagers

    def case_history(self, resident_ids: Sequence[str], *, other_than: str) -> list[tuple[str, Row]]:
        """Every record of these residents' cases made at other stations than ``other_than``, parents first:
        (table, row)."""
        cases = t.cases.c
        found = self._all(select(t.cases).where(self._among(cases.applicant_id, sorted(set(resident_ids))),
                                                cases.station_code != other_than))
        out: list[tuple[str, Row]] = [("cases", r) for r in found]
        case_ids = [str(r["id"]) for r in found]
        payment_ids: list[str] = []
        for name in ("case_materials", "case_events", "attachments", "ratings", "follow_ups", "documents",
                     "payments"):
            table = t.metadata.tables[name]
            rows = self._all(select(table).where(self._among(table.c.case_id, case_ids))) if case_ids else []
            out += [(name, r) for r in rows]
            if name == "payments":
                payment_ids = [str(r["id"]) for r in rows]
        if payment_ids:
            events = t.payment_events
            out += [("payment_events", r) for r in self._all(select(events).where(
                self._among(events.c.payment_id, payment_ids)))]
        return sorted(out, key=lambda x: _ORDER[x[0]])

    def case_applicants(self, case_ids: Sequence[str]) -> dict[str, str]:
        """Whose cases these are (case id → resident id)."""
        return self._lookup(t.cases.c.id, t.cases.c.applicant_id, case_ids)

    def payment_cases(self, payment_ids: Sequence[str]) -> dict[str, str]:
        """Which case each payment belongs to (payment id → case id)."""
        return self._lookup(t.payments.c.id, t.payments.c.case_id, payment_ids)

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
