"""Opening a station database: folders, engine, migrations on start, and the clock's last reading."""

from __future__ import annotations

import functools
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DatabaseError

from app.domain.errors import DomainError
from app.domain.ids import Hlc, HybridClock, new_id
from app.persistence import bulk, migrate
from app.persistence.engine import DB_FILE, make_engine, sqlite_url
from app.persistence.lookup import ResidentLookup
from app.persistence.tables import change_log, meta
from app.persistence.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class DataFolders:
    """The station's data folder and what lives in it (never the program folder)."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / DB_FILE

    @property
    def attachments(self) -> Path:
        return self.root / "attachments"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def create(self) -> None:
        for p in (self.root, self.attachments, self.backups, self.logs):
            p.mkdir(parents=True, exist_ok=True)


class Database:
    """One database and the hybrid clock of this installation (node)."""

    def __init__(self, engine: Engine, *, folders: DataFolders | None = None) -> None:
        self.engine = engine
        self.folders = folders
        self._origin: str | None = None
        self.node_id = self._node_id()
        self.clock = HybridClock(self.node_id, last=self._last_hlc())

    @classmethod
    def open_folder(cls, root: Path, *, upgrade: bool = True) -> Database:
        """Open (creating if needed) the station database in ``root``; back up and migrate it."""
        folders = DataFolders(root)
        folders.create()
        engine = make_engine(sqlite_url(folders.database))
        try:
            if upgrade:
                migrate.upgrade(engine, backup_dir=folders.backups)
                with engine.begin() as conn:
                    # An import that died while the search indexes were set aside (see bulk.py).
                    bulk.restore_search_indexes(conn)
        except DatabaseError as e:
            # Only a damaged file ("file is not a database", "database disk image is malformed"); a locked or
            # unopenable one (OperationalError) is not damage, and must not send anyone to the backups.
            if isinstance(e.orig, sqlite3.OperationalError) or not isinstance(e.orig, sqlite3.DatabaseError):
                raise
            engine.dispose()
            raise DomainError("db.unreadable", path=str(folders.database), backups=str(folders.backups),
                              detail=str(e.orig)) from e
        return cls(engine, folders=folders)

    @classmethod
    def open_url(cls, url: str, *, upgrade: bool = True) -> Database:
        engine = make_engine(url)
        if upgrade:
            migrate.upgrade(engine)
        return cls(engine)

    @functools.cached_property
    def resident_lookup(self) -> ResidentLookup:
        return ResidentLookup(self.engine)

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        if self._origin is None:
            # The station code never changes once set: read it once, not at the start of every transaction.
            with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
                self._origin = conn.execute(select(meta.c.value).where(meta.c.key == "station_code")).scalar()
        return UnitOfWork(self.engine, self.clock, self.node_id, origin=self._origin or "", read_only=read_only)

    def dispose(self) -> None:
        self.engine.dispose()

    def sqlite_path(self) -> Path:
        if self.engine.dialect.name != "sqlite" or not self.engine.url.database:
            raise DomainError("storage.not_sqlite")
        return Path(self.engine.url.database)

    def integrity_problems(self) -> list[str]:
        """What SQLite's integrity and foreign-key checks report (empty when all is well)."""
        if self.engine.dialect.name != "sqlite":
            return []
        with self.engine.connect() as conn:
            rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
            fks = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        problems = [] if rows == ["ok"] else rows[:20]
        problems += [f"foreign key: {tuple(r)}" for r in fks[:20]]
        return problems

    def _node_id(self) -> str:
        # The node id names this database in HLC stamps; made once, never changed.
        with self.engine.begin() as conn:
            value = conn.execute(select(meta.c.value).where(meta.c.key == "node_id")).scalar()
            if value is None:
                value = new_id().replace("-", "")[-12:]
                conn.execute(meta.insert().values(key="node_id", value=value))
            return str(value)

    def _last_hlc(self) -> Hlc | None:
        # The newest change-log rows (by seq, the primary key) hold the clock's last readings. Not max() over
        # the whole log: that reads every row (a quarter of a second at a million) on every start. The last
        # thousand rows cover the readings of any other process that wrote meanwhile (the admin CLI).
        recent = select(change_log.c.hlc).order_by(change_log.c.seq.desc()).limit(1000).subquery()
        with self.engine.connect() as conn:
            top = conn.execute(select(func.max(recent.c.hlc))).scalar()
        return Hlc.decode(top) if top else None


def describe(db: Database) -> dict[str, object]:
    """What a technician needs to know about a database without any of its records: the schema revision,
    the number of rows per table, the settings kept in ``meta`` (secrets left out) and the SQLite version."""
    from sqlalchemy import inspect, text

    with db.engine.connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        counts = {n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one()) for n in names}
        settings = {str(k): str(v) for k, v in conn.execute(select(meta.c.key, meta.c.value))
                    if not any(word in str(k) for word in _SECRET_WORDS)}
        sqlite_version = conn.exec_driver_sql("select sqlite_version()").scalar() \
            if db.engine.dialect.name == "sqlite" else ""
    return {"revision": migrate.current_revision(db.engine) or "", "dialect": db.engine.dialect.name,
            "sqlite": sqlite_version, "tables": counts, "meta": settings}


_SECRET_WORDS = ("credential", "secret", "password", "key", "token")
