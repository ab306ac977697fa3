"""Bulk loading: the resident search indexes step aside while a large roster goes in, and are rebuilt after.

Building an index once, from all the rows, is several times cheaper than updating it row by row for a
million inserts. Only the search indexes step aside; the unique index on the ID number always stays,
because the import checks every row against it. If the process dies while they are away, opening the
database puts them back (``Database.open_folder``) and ``check`` reports them missing until then.
"""

from __future__ import annotations

from sqlalchemy import Connection, Index, inspect

from app.persistence import tables as t

# Every index of ``residents`` except the unique one on (id_type, id_number).
SEARCH_INDEXES: tuple[str, ...] = ("ix_residents_id_rev", "ix_residents_name", "ix_residents_name_initials",
                                   "ix_residents_name_initials_alt", "ix_residents_phone_rev",
                                   "ix_residents_household_id", "ix_residents_village_code")


def _indexes() -> list[Index]:
    by_name = {str(ix.name): ix for ix in t.residents.indexes}
    return [by_name[name] for name in SEARCH_INDEXES]


def _index_names(conn: Connection) -> set[str]:
    # By name from the catalogue: SQLAlchemy's reflection skips SQLite's index on an expression (the second
    # reading of a name's initials), and would report it missing.
    if conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'residents'"
    elif conn.dialect.name == "postgresql":
        sql = "SELECT indexname FROM pg_indexes WHERE tablename = 'residents' AND schemaname = current_schema()"
    else:
        return {str(ix["name"]) for ix in inspect(conn).get_indexes("residents")}
    return {str(name) for name in conn.exec_driver_sql(sql).scalars()}


def missing_search_indexes(conn: Connection) -> list[str]:
    present = _index_names(conn)
    return [name for name in SEARCH_INDEXES if name not in present]


def suspend_search_indexes(conn: Connection) -> None:
    missing = set(missing_search_indexes(conn))
    for index in _indexes():
        if index.name not in missing:
            index.drop(conn)


def restore_search_indexes(conn: Connection) -> list[str]:
    """Create the search indexes that are missing; returns their names."""
    missing = missing_search_indexes(conn)
    for index in _indexes():
        if index.name in missing:
            index.create(conn)
    return missing
