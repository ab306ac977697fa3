"""Find-as-you-type: the resident lookups the counter runs on every key press, lean enough for a million residents.

Each lookup is one statement answered by an index range scan, run on a pooled driver connection outside any
transaction: SQLite reads a single statement from one consistent snapshot, so nothing is lost by skipping
BEGIN/ROLLBACK and SQLAlchemy's per-statement machinery, which cost several times the query itself.
Only the columns a search result shows are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Engine

from app.domain.identity import IdType
from app.persistence import tables as t
from app.persistence.search_keys import KEY_CHARS, SEPARATOR, prefix_upper_bound

# What a result row carries (``app.services.views.resident_summary`` reads exactly these).
COLUMNS: tuple[str, ...] = ("id", "name", "gender", "birth_date", "id_type", "id_number", "phone", "village_code",
                            "group_name", "address", "household_id", "relation", "tags")
_BIRTH = COLUMNS.index("birth_date")
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM residents WHERE "
_ID_TYPES = ", ".join(f"'{kind.value}'" for kind in IdType)


# The same expression as the index ix_residents_name_initials_alt, so that SQLite and PostgreSQL use it.
_ALT = f"substr(name_initials, length(rtrim(name_initials, '{KEY_CHARS}')) + 1)"


def _prefix(column: str) -> str:
    # A range on the indexed column, read in index order: LIKE 'x%' would not use the index.
    return _SELECT + f"{column} >= ? AND {column} < ? AND deleted = 0 ORDER BY {column} LIMIT ?"


# kind -> statement. The unique index is (id_type, id_number): naming every type lets SQLite probe it once
# per type instead of scanning for a bare id_number.
SQL: dict[str, str] = {
    "id_exact": _SELECT + f"id_type IN ({_ID_TYPES}) AND id_number = ? AND deleted = 0",
    "id_suffix": _prefix("id_rev"),
    "phone_suffix": _prefix("phone_rev"),
    "name_prefix": _prefix("name"),
    "initials": _prefix("name_initials"),
    # The second reading of a name read two ways: what follows "|", on its own index (app.persistence.tables).
    "initials_alt": _SELECT + f"name_initials LIKE '%{SEPARATOR}%' AND {_ALT} >= ? AND {_ALT} < ? AND deleted = 0 "
                    f"ORDER BY {_ALT} LIMIT ?",
}
assert all(c in t.residents.c for c in COLUMNS), "lookup columns must exist in the residents table"

Row = dict[str, Any]


def lookup_params(kind: str, text: str, limit: int) -> tuple[Any, ...]:
    """The statement's parameters: suffixes are looked up as prefixes of the reversed number."""
    if kind == "id_exact":
        return (text,)
    key = text[::-1] if kind in ("id_suffix", "phone_suffix") else text
    return (key, prefix_upper_bound(key), limit)


def _for_driver(sql: str, paramstyle: str) -> str:
    """The statement as the station's sqlite3 reads it, or as psycopg (the town's PostgreSQL) does."""
    if paramstyle == "qmark":
        return sql
    return sql.replace("%", "%%").replace("?", "%s").replace("deleted = 0", "deleted = false")


class ResidentLookup:
    """The lookups of one database. Thread-safe: each call checks a connection out of the engine's pool."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        style = engine.dialect.paramstyle
        self._sql = {kind: _for_driver(sql, style) for kind, sql in SQL.items()}

    def find(self, searches: Sequence[tuple[str, str]], limit: int) -> list[Row]:
        """Run ``(kind, text)`` searches in order until ``limit`` distinct residents are found."""
        found: dict[str, Row] = {}
        conn = self._engine.raw_connection()
        try:
            for kind, text in searches:
                left = limit - len(found)
                if left <= 0:
                    break
                cursor = conn.cursor()
                cursor.execute(self._sql[kind], lookup_params(kind, text, left))
                for values in cursor.fetchall():
                    if values[0] not in found:
                        found[values[0]] = _row(values)
        finally:
            conn.close()
        return list(found.values())[:limit]


def _row(values: Sequence[Any]) -> Row:
    row = dict(zip(COLUMNS, values, strict=True))
    birth = values[_BIRTH]
    row["birth_date"] = date.fromisoformat(birth) if isinstance(birth, str) and birth else (birth or None)
    return row
