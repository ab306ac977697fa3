"""Keeping the station's data safe: backups by hand, restore with a safety copy, and the integrity check.

Automatic backups (daily close, exit), their rotation and the list of backups are in app/services/backups.py.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.domain.errors import DomainError
from app.domain.staff import MAX_FAILED_LOGINS, Actor, Permission, Role, lock_after_failure
from app.domain.town import check_code
from app.persistence import migrate, storage
from app.services.checking import CheckReport as CheckReport  # the station check lives there
from app.services.checking import Finding as Finding
from app.services.checking import check as check
from app.services.context import ServiceContext, StationIdentity, open_context, read_station_identity
from app.services.security import verify_password

log = logging.getLogger(__name__)


def backup(ctx: ServiceContext, *, actor: Actor, dest: Path | None = None) -> Path:
    """A consistent copy of the live database (SQLite online backup API), checked after writing: the station
    head's backup by hand, into ``backups/`` or a chosen folder or file (a USB stick). Never rotated."""
    actor.require(Permission.STATION_ADMIN)
    db_path = ctx.db.sqlite_path()
    if dest is None:
        folder = ctx.db.folders.backups if ctx.db.folders else db_path.parent
        dest = folder / f"station-{ctx.now():%Y%m%d-%H%M%S}.sqlite3"
    elif dest.is_dir():
        dest = dest / f"station-{ctx.now():%Y%m%d-%H%M%S}.sqlite3"
    if dest.exists():
        raise DomainError("backup.exists", path=str(dest))
    needed = storage.file_size(db_path) + storage.file_size(Path(f"{db_path}-wal"))
    if storage.free_bytes(dest.parent) < needed:
        raise DomainError("backup.no_space", folder=str(dest.parent), need_mb=str(needed // (1024 * 1024) + 1))
    problem = storage.verified_backup(db_path, dest)
    if problem:
        raise DomainError("backup.verify_failed", path=str(dest), detail=problem)
    with ctx.uow() as uow:
        uow.audit(staff_id=actor.staff_id, action="station.backup", target_type="file", target_id=dest.name[:40],
                  at=ctx.now())
        uow.commit()
    return dest


@dataclass(frozen=True, slots=True)
class ScanCopy:
    folder: Path
    files: int  # scans (and camera photos) the station holds
    copied: int  # copied this time (the others were there from an earlier backup)


def copy_scans(ctx: ServiceContext, *, actor: Actor, dest: Path) -> ScanCopy:
    """With a backup by hand to a chosen folder (a USB stick): the case scans beside it in ``attachments/``,
    only the new ones each time. The database alone would restore the cases without their scans."""
    actor.require(Permission.STATION_ADMIN)
    folder = (dest if dest.is_dir() else dest.parent) / "attachments"
    if ctx.db.folders is None:
        return ScanCopy(folder, 0, 0)
    try:
        files, copied = storage.mirror_files(ctx.db.folders.attachments, folder)
    except OSError as e:
        raise DomainError("backup.scans_failed", folder=str(folder), detail=e.strerror or str(e)) from e
    return ScanCopy(folder, files, copied)


def bring_back_scans(data_dir: Path, source: Path) -> int:
    """A restore from a USB stick: the scans kept beside the backup (``attachments/``) that this PC lacks are
    copied back into the data folder (a new PC after a broken one). Returns how many."""
    beside = source.parent / "attachments"
    if not beside.is_dir() or beside.resolve() == (data_dir / "attachments").resolve():
        return 0
    return storage.mirror_files(beside, data_dir / "attachments")[1]


# -- restore -------------------------------------------------------------------------------------------------
#
# A restore replaces the station's whole file, so it is the station head's, and it is audited on both sides:
# in the current file before it is replaced (when it can be written: it then lives on in the safety copy) and
# in the restored file afterwards (``station.restored``). Who signs in depends on the current file: when it can
# be read, a station head of this station signs in as usual; when it is damaged, empty or missing — the very
# case a restore is for — the account is checked against the backup being restored, read-only. A backup of
# another station, another town, or the town server's own database is refused.

SIGN_IN_FAILURES = "restore-sign-in.json"  # failed sign-ins against a backup: counted here, never in the backup
RECOVER_FLAG = "sync.recover"  # meta key: the restore's time; the sync asks the town for what came after
_failures_in_memory: dict[str, dict[str, Any]] = {}  # when the data folder cannot be written


@dataclass(frozen=True, slots=True)
class Restorer:
    """Who restores: a station head signed in to this station's file (``station``) or, the file unreadable, to
    an account held in the backup itself (``backup``; ``verified_for`` is that backup)."""

    staff_id: str
    username: str
    display_name: str
    station_code: str
    signed_in_to: str  # station | backup | town (the town's recovery code)
    verified_for: str = ""


@dataclass(frozen=True, slots=True)
class FileOwner:
    """Whose data a station file (or a file offered as one) holds, read from it without writing."""

    station_code: str  # "" when it holds no station
    town_code: str
    station_name: str = ""
    town_server: bool = False  # the town server's own database (enrolled stations, the town's change log)


@dataclass(frozen=True, slots=True)
class RestoreCheck:
    this: StationIdentity  # the station of this data folder
    owner: FileOwner  # the station the backup holds


@dataclass(frozen=True, slots=True)
class Restored:
    source: Path  # the file the person chose
    made_at: datetime  # when that backup was made
    safety: Path  # the copy of the file it replaced
    at: datetime
    station_code: str
    by: Restorer


def restorer(actor: Actor) -> Restorer:
    """A restore by a station head signed in to the station's (readable) file."""
    actor.require(Permission.STATION_ADMIN)
    return Restorer(staff_id=actor.staff_id, username=actor.username, display_name=actor.display_name,
                    station_code=actor.station_code, signed_in_to="station")


def restorer_by_town(data_dir: Path, *, station: str, code: str, now: datetime | None = None) -> Restorer:
    """For a station whose accounts are lost: the town's recovery code (``python -m app.server recovery-code``),
    checked here without a network with the key the town issued the station (kept in its key store)."""
    from app.persistence.keystore import station_keys as keystore_of
    from app.services.seals import keys_in, recovery_code_ok

    keys = keys_in(keystore_of(data_dir))
    today = (now or datetime.now()).strftime("%Y%m%d")
    code_station = _named_station(station)
    if not code_station or not recovery_code_ok(keys, station=code_station, code=code, today=today):
        raise DomainError("restore.bad_recovery_code", station=code_station or "?")
    return Restorer(staff_id="", username="town:recovery-code", display_name="镇里给的恢复码",
                    station_code=code_station, signed_in_to="town")


def readable_station(data_dir: Path) -> StationIdentity | None:
    """This folder's station as its own file says, when that file is sound and holds a station; None when it is
    damaged, empty, missing or not set up (then a restore signs in against the backup)."""
    db_path = storage.database_path(data_dir)
    # Every page read (not only the start's cheap check): a file damaged deep inside is not "readable" here.
    if not db_path.is_file() or storage.damage(db_path, quick_check_up_to=0) or storage.quick_check(db_path):
        return None
    try:
        owner = file_owner(db_path)
    except sqlite3.Error:
        return None
    if not owner.station_code:
        return None
    return StationIdentity(owner.station_code, owner.town_code, owner.station_name)


def known_station(data_dir: Path) -> StationIdentity | None:
    """This folder's station: from its readable file, else from ``station.json`` (written at every opening)."""
    return readable_station(data_dir) or read_station_identity(data_dir)


def file_owner(path: Path) -> FileOwner:
    """The station and town a SQLite file holds, and whether it is the town server's database (read-only)."""
    with _read_only(path) as conn:
        code = _scalar(conn, "SELECT value FROM meta WHERE key = 'station_code'") or ""
        name = _scalar(conn, "SELECT name FROM stations WHERE code = ?", code) if code else None
        town = (_scalar(conn, "SELECT town_code FROM stations WHERE code = ?", code) if code else None) \
            or _scalar(conn, "SELECT code FROM towns ORDER BY code LIMIT 1") or ""
        server = bool(_scalar(conn, "SELECT 1 FROM server_stations LIMIT 1")
                      or _scalar(conn, "SELECT 1 FROM server_log LIMIT 1"))
        if not code and _scalar(conn, "SELECT 1 FROM towns LIMIT 1"):
            server = True  # the town's records and no station: the town's database, never a station's
    return FileOwner(station_code=str(code), town_code=str(town), station_name=str(name or ""), town_server=server)


def check_restorable(data_dir: Path, source: Path, *, station: str | None = None,
                     this: StationIdentity | None = None) -> RestoreCheck:
    """The checks a file gets before it may replace this folder's station: a sound SQLite file holding a
    station's data at a schema this release knows, and the backup of *this* station of *this* town — not of
    another station, not of another town, not the town server's database. This station is known from its
    readable file, else from ``station.json``, else from ``station`` (the person names it); with none of them
    the restore is refused and says so."""
    if not source.is_file():
        raise DomainError("file.not_found", path=str(source))
    problem = storage.quick_check(source)
    if problem:
        raise DomainError("restore.not_a_backup", path=str(source), detail=problem)
    try:
        owner = file_owner(source)
    except sqlite3.Error as e:
        raise DomainError("restore.not_a_backup", path=str(source), detail=str(e)) from e
    named = _named_station(station)
    here = this or known_station(data_dir)
    if owner.town_server:
        raise DomainError("restore.town_server_file", path=str(source),
                          ours=(here.station_code if here else named) or "?")
    if not owner.station_code or not storage.looks_like_station(source):
        raise DomainError("restore.not_a_backup", path=str(source), detail="没有村站通的数据")
    revision = storage.revision(source) or ""
    if revision not in migrate.known_revisions():
        raise DomainError("db.newer_version", revision=revision, path=str(source))
    if here is None:
        if not named:
            raise DomainError("restore.station_unknown", path=str(source), theirs=owner.station_code)
        here = StationIdentity(named, "")
    elif named and named != here.station_code:
        raise DomainError("restore.station_named_differs", named=named, ours=here.station_code)
    if here.town_code and owner.town_code and here.town_code != owner.town_code:
        raise DomainError("restore.other_town", path=str(source), theirs=owner.station_code,
                          theirs_town=owner.town_code, ours=here.station_code, ours_town=here.town_code)
    if owner.station_code != here.station_code:
        raise DomainError("restore.other_station", path=str(source), theirs=owner.station_code,
                          ours=here.station_code)
    return RestoreCheck(this=here, owner=owner)


def sign_in_from_backup(data_dir: Path, source: Path, *, username: str, password: str,
                        now: datetime | None = None) -> Restorer:
    """A station head's sign-in for restoring over a damaged, empty or missing file: the account and password
    are checked against the backup's own staff (read-only; it must be an active station head of the backup's
    station). Failures are counted in the data folder, as a sign-in counts them — five in a row lock the name
    for 15 minutes — and logged; the backup is never written."""
    at = now or datetime.now()
    name = username.strip().lower()
    if not name or not password:
        raise DomainError("restore.account_needed")
    locked = _locked_until(data_dir, name, at)
    if locked is not None:
        raise DomainError("restore.sign_in_locked", until=f"{locked:%H:%M}")
    owner = file_owner(source)
    try:
        with _read_only(source) as conn:
            row = conn.execute(
                "SELECT id, username, display_name, role, station_code, active, password_hash FROM staff "
                "WHERE username = ? AND deleted = 0", (name,)).fetchone()
    except sqlite3.Error:
        row = None
    if row is None or not row[5] or not verify_password(str(row[6]), password):
        failures, until = _count_failure(data_dir, name, at)
        # info, not warning: the CLI would print a warning to its user beside the sentence; the counter logs it
        log.info("a sign-in for a restore failed (%s, attempt %d, against %s)", name, failures, source)
        if until is not None:
            raise DomainError("restore.sign_in_locked", until=f"{until:%H:%M}")
        raise DomainError("restore.sign_in_failed", left=MAX_FAILED_LOGINS - failures)
    _clear_failures(data_dir, name)
    staff_id, user, display_name, role, station_code = (str(v) for v in row[:5])
    if station_code != owner.station_code:
        raise DomainError("restore.not_this_stations_head", username=user, station=station_code,
                          theirs=owner.station_code)
    if role != Role.HEAD.value:
        raise DomainError("restore.head_needed", username=user)
    return Restorer(staff_id=staff_id, username=user, display_name=display_name, station_code=station_code,
                    signed_in_to="backup", verified_for=_key(source))


def restore(data_dir: Path, source: Path, *, by: Restorer, station: str | None = None,
            made_at: datetime | None = None, original: Path | None = None, chosen_at: datetime | None = None,
            now: datetime | None = None) -> Restored:
    """Replace the station database with a backup, by a station head (see :class:`Restorer`). The current file
    is kept as a safety copy first.

    Runs with the database closed (the CLI and the client call it before opening the station). ``original``:
    the file the person chose when ``source`` is a copy of it (a restore chosen in the counter); ``made_at``:
    when the backup was made (else its file's time). The restored file gets ``station.restored`` in its audit
    chain and the ``sync.recover`` flag.
    """
    at = now or datetime.now()
    here = readable_station(data_dir)
    checked = check_restorable(data_dir, source, station=station, this=here or read_station_identity(data_dir))
    if by.signed_in_to == "town":  # the town's recovery code, made for this station
        if by.station_code != checked.owner.station_code:
            raise DomainError("restore.bad_recovery_code", station=checked.owner.station_code)
    elif here is not None:
        if by.signed_in_to != "station" or by.station_code != here.station_code:
            raise DomainError("restore.sign_in_here", station=here.station_code)
    elif by.station_code != checked.owner.station_code or (
            by.signed_in_to == "backup" and by.verified_for != _key(source)):
        raise DomainError("restore.sign_in_again")
    chosen = original or source
    when = made_at or datetime.fromtimestamp(source.stat().st_mtime)
    stamp = at.strftime("%Y%m%d-%H%M%S")
    db_path = storage.database_path(data_dir)
    safety = storage.unique_path(data_dir / "backups" / f"before-restore-{stamp}.sqlite3")
    detail: dict[str, Any] = {"username": by.username, "name": by.display_name, "signed_in_to": by.signed_in_to,
                              "file": str(chosen), "made_at": when.isoformat(timespec="seconds"),
                              "safety_copy": safety.name, "station": checked.owner.station_code}
    if chosen_at is not None:
        detail["chosen_at"] = chosen_at.isoformat(timespec="seconds")
    if here is not None:  # the current file can be written: the entry lives on in the safety copy
        try:
            _audit(data_dir, by=by, action="station.restore_started", target=chosen.name, detail=detail, at=at)
        except Exception:  # a file that takes no entry is still replaced; the restored one says so
            log.exception("the restore could not be written into the current file's audit")
    if db_path.exists():
        _safety_copy(db_path, safety)
    # The new file is complete, checked and on disk before the current one is touched. The online backup API
    # (not a file copy) also takes what a source still in WAL mode holds in its -wal file.
    tmp = db_path.with_suffix(".restoring")
    tmp.unlink(missing_ok=True)
    storage.backup_sqlite(source, tmp)
    problem = storage.quick_check(tmp)
    if problem:
        tmp.unlink(missing_ok=True)
        raise DomainError("restore.not_a_backup", path=str(source), detail=problem)
    storage.fsync_file(tmp)
    # A -wal left beside the restored file would be replayed onto it: remove it (its data is in the safety copy).
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    tmp.replace(db_path)
    with contextlib.suppress(OSError):  # the data is back; scans that could not be copied can be copied by hand
        bring_back_scans(data_dir, chosen)
    _audit(data_dir, by=by, action="station.restored", target=chosen.name, detail=detail, at=at,
           recover=at.isoformat(timespec="seconds"))
    log.info("restored %s (%s) by %s; the previous file is %s", chosen, detail["made_at"], by.username, safety)
    return Restored(source=chosen, made_at=when, safety=safety, at=at, station_code=checked.owner.station_code,
                    by=by)


def _audit(data_dir: Path, *, by: Restorer, action: str, target: str, detail: dict[str, Any], at: datetime,
           recover: str | None = None) -> None:
    """One entry in the station's audit chain (and, after a restore, the ``sync.recover`` flag), through the
    unit of work of the station opened as every start opens it."""
    ctx = open_context(data_dir, now=lambda: at)
    try:
        with ctx.uow() as uow:
            uow.audit(staff_id=by.staff_id, action=action, target_type="file", target_id=target[:40],
                      detail=detail, at=at)
            if recover is not None:
                uow.meta_set(RECOVER_FLAG, recover)
            uow.commit()
        if recover is not None:  # the anchors kept on this PC are ahead of the older file now, by design
            from app.services.checking import set_aside_anchors

            set_aside_anchors(ctx)
    finally:
        ctx.db.dispose()


def _named_station(station: str | None) -> str:
    if station is None or not station.strip():
        return ""
    return check_code("station", station.strip().upper())


def _key(path: Path) -> str:
    return str(path.resolve())


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that cannot write to the file (a backup is never changed by reading it)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def _scalar(conn: sqlite3.Connection, sql: str, *params: object) -> Any:
    try:
        row = conn.execute(sql, params).fetchone()
    except sqlite3.OperationalError:  # no such table (an unrelated file, or an older schema)
        return None
    return row[0] if row else None


# Failed sign-ins against a backup, per user name: {"name": {"failures": n, "locked_until": iso}}.
def _failures_file(data_dir: Path) -> Path:
    return data_dir / SIGN_IN_FAILURES


def _load_failures(data_dir: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(_failures_file(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return dict(_failures_in_memory)
    return data if isinstance(data, dict) else {}


def _save_failures(data_dir: Path, data: dict[str, dict[str, Any]]) -> None:
    _failures_in_memory.clear()
    _failures_in_memory.update(data)
    path = _failures_file(data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        part.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        part.replace(path)
    except OSError:  # a read-only folder: counted for as long as this program runs
        log.warning("could not write %s", path)


def _locked_until(data_dir: Path, name: str, at: datetime) -> datetime | None:
    until = _load_failures(data_dir).get(name, {}).get("locked_until")
    if not until:
        return None
    moment = datetime.fromisoformat(str(until))
    return moment if moment > at else None


def _count_failure(data_dir: Path, name: str, at: datetime) -> tuple[int, datetime | None]:
    data = _load_failures(data_dir)
    entry = data.get(name, {})
    failures = int(entry.get("failures", 0)) + 1
    until = lock_after_failure(failures, at)
    data[name] = {"failures": 0 if until else failures,
                  "locked_until": until.isoformat(timespec="seconds") if until else None}
    _save_failures(data_dir, data)
    return failures, until


def _clear_failures(data_dir: Path, name: str) -> None:
    data = _load_failures(data_dir)
    if name in data:
        del data[name]
        _save_failures(data_dir, data)


def _safety_copy(db_path: Path, safety: Path) -> None:
    """The current file kept before a restore replaces it: a consistent copy when SQLite can read it, else (a
    damaged file) its bytes as they are, with its -wal beside it, for a technician to rescue what is left."""
    try:
        storage.backup_sqlite(db_path, safety)
        return
    except sqlite3.DatabaseError:
        safety.unlink(missing_ok=True)
    shutil.copyfile(db_path, safety)
    wal = Path(f"{db_path}-wal")
    if wal.exists():
        shutil.copyfile(wal, Path(f"{safety}-wal"))
    storage.fsync_file(safety)


