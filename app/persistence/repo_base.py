"""What every repository shares: its unit of work, and rows read as plain dicts (never ORM objects)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.persistence.uow import UnitOfWork

Row = Mapping[str, Any]


class Repo:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    # Statements that run on every case or counter action are built once, as class attributes with bind
    # parameters: building a statement and its cache key costs more than SQLite takes to answer it.
    def _one(self, stmt: Any, params: Mapping[str, Any] | None = None) -> Row | None:
        result = self.uow.conn.execute(stmt, params)
        row = result.first()
        return dict(zip(result.keys(), row, strict=True)) if row is not None else None

    def _all(self, stmt: Any, params: Mapping[str, Any] | None = None) -> list[Row]:
        result = self.uow.conn.execute(stmt, params)
        keys = tuple(map(str, result.keys()))  # plain str (a column's name may be a str subclass)
        return [dict(zip(keys, row, strict=True)) for row in result]
