"""Opening a station database: folders, engine, migrations on start, and the clock's last reading."""

from __future__ import annotations

import contextlib
import functools
import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DatabaseError

from app.domain.errors import DomainError
from app.domain.ids import Hlc, HybridClock, new_id
from app.persistence import bulk, migrate
from app.persistence.engine import DB_FILE, make_engine, sqlite_url
from app.persistence.keystore import SYNC_CREDENTIAL, KeyStore, owner_only, station_keys
from app.persistence.lookup import ResidentLookup
from app.persistence.tables import change_log, meta
from app.persistence.uow import UnitOfWork

log = logging.getLogger(__name__)


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

    def station_files(self) -> list[Path]:
        """The files holding the station's records: its database (with its -wal and -shm) and the backups."""
        found = [self.database, Path(f"{self.database}-wal"), Path(f"{self.database}-shm")]
        for folder in (self.backups, self.backups / "auto"):
            with contextlib.suppress(OSError):
                found += sorted(p for p in folder.iterdir() if ".sqlite3" in p.name and p.is_file())
        return found

    def create(self) -> None:
        for p in (self.root, self.attachments, self.backups, self.logs):
            p.mkdir(parents=True, exist_ok=True)


class Database:
    """One database and the hybrid clock of this installation (node)."""

    def __init__(self, engine: Engine, *, folders: DataFolders | None = None) -> None:
        self.engine = engine
        self.folders = folders
        self._origin: str | None = None
        # The key the station's audit entries and chain links are sealed with (its id, the key), kept apart from
        # the database and handed in by app.services.seals; None seals with plain SHA-256 (an earlier release).
        self.sealer: tuple[str, bytes] | None = None
        self.node_id = self._node_id()
        self.clock = HybridClock(self.node_id, last=self._last_hlc())

    @classmethod
    def open_folder(cls, root: Path, *, upgrade: bool = True) -> Database:
        """Open (creating if needed) the station database in ``root``; back up and migrate it."""
        folders = DataFolders(root)
        folders.create()
        _owner_only(folders)
        engine = make_engine(sqlite_url(folders.database))
        try:
            if upgrade:
                migrate.upgrade(engine, backup_dir=folders.backups)
                with engine.begin() as conn:
                    # An import that died while the search indexes were set aside (see bulk.py).
                    bulk.restore_search_indexes(conn)
                _move_secrets_or_say_why(engine, root)
            _owner_only(folders)  # a new station's file, made by SQLite just now
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
        return UnitOfWork(self.engine, self.clock, self.node_id, origin=self._origin or "", read_only=read_only,
                          sealer=self.sealer)

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


def _owner_only(folders: DataFolders) -> None:
    """POSIX: the station's file, its -wal and -shm (SQLite gives them the database's mode) and its backups
    readable by their owner only; files made before this release are tightened here, at every open (a chmod
    of what is too open, nothing more). Windows: the data folder's ACLs, set by the installer."""
    for path in folders.station_files():
        owner_only(path)


def _move_secrets_or_say_why(engine: Engine, root: Path) -> None:
    """move_secrets_out at open; a station whose key store cannot be written now still opens (the secret stays
    where it was until the next open tries again), and the log says why."""
    try:
        moved = move_secrets_out(engine, station_keys(root))
    except (DomainError, OSError, sqlite3.Error):
        log.warning("could not move the station's secrets out of its database yet", exc_info=True)
        return
    if moved:
        log.info("moved %s from the station's database into its key store", ", ".join(moved))


# Secrets an earlier release kept in ``meta``: moved to the key store at open (see move_secrets_out).
_SECRETS_IN_META = {"sync.credential": SYNC_CREDENTIAL}


def move_secrets_out(engine: Engine, keys: KeyStore) -> list[str]:
    """A secret an earlier release kept in the station's ``meta`` (the sync credential) goes into the key store
    and out of the database: deleted with ``secure_delete`` on (SQLite zeroes the row's bytes in its page),
    then a checkpoint copies that page over the old one in the file and empties the -wal. Returns the keys
    moved; nothing to do on every later open. A secret already in the key store is kept there: it is the
    newer one (a restored old backup brings back a credential that a re-enrolment has replaced)."""
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        found = {str(k): str(v) for k, v in conn.execute(
            select(meta.c.key, meta.c.value).where(meta.c.key.in_(list(_SECRETS_IN_META))))}
        enrolled_at = conn.execute(select(meta.c.value).where(meta.c.key == "sync.enrolled_at")).scalar()
    if not found:
        return []
    for key, value in found.items():
        try:
            kept = keys.get(_SECRETS_IN_META[key])
        except DomainError:
            kept = None  # a key file this PC cannot read (another PC's): the database's copy is the one here
        if not kept:
            keys.put(_SECRETS_IN_META[key], value)
            if keys.get(_SECRETS_IN_META[key]) != value:  # only ever deleted once safely kept elsewhere
                raise DomainError("keys.cannot_write", path=str(keys.folder), detail="read back differently")
    raw = engine.raw_connection()
    try:
        sqlite = raw.driver_connection
        assert isinstance(sqlite, sqlite3.Connection)
        before = sqlite.execute("PRAGMA secure_delete").fetchone()[0]
        sqlite.execute("PRAGMA secure_delete = ON")
        try:
            sqlite.execute("BEGIN IMMEDIATE")
            try:
                sqlite.executemany("DELETE FROM meta WHERE key = ?", [(k,) for k in found])
                if not enrolled_at and "sync.credential" in found:  # how "enrolled" is known from now on
                    sqlite.execute("INSERT INTO meta (key, value) VALUES ('sync.enrolled_at', ?)",
                                   (datetime.now().isoformat(timespec="seconds"),))
                sqlite.execute("COMMIT")
            except BaseException:
                sqlite.execute("ROLLBACK")
                raise
        finally:
            sqlite.execute(f"PRAGMA secure_delete = {int(before)}")
        busy, _, _ = sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:  # another program holds a read open: its pages go to the file at a later checkpoint
            log.warning("the checkpoint after moving the secrets out could not finish: another reader")
    finally:
        raw.close()
    return sorted(found)


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
