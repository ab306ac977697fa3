"""Automatic backups (at every daily close and on exit), their rotation, the list of backups, and recovery.

Where the copies live, in the station's data folder:

- ``backups/auto/auto-<yyyymmdd>-<hhmmss>-<close|exit>.sqlite3`` — automatic, rotated: the newest of each of
  the last 14 days that have one, and the newest of each of the last 12 months (app/domain/rotation.py);
- ``backups/station-<yyyymmdd>-<hhmmss>.sqlite3`` — made by hand (``maintenance.backup`` without a folder);
- ``backups/before-upgrade-<revision>-<time>.sqlite3`` — made before a new release migrated the file;
- ``backups/before-restore-<time>.sqlite3`` — the file as it was before a restore replaced it.

Only the automatic ones are ever deleted automatically. Every copy is made with SQLite's online backup API,
checked after writing (SQLite's quick_check and our ``meta`` table) and deleted if the check fails.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.domain.errors import DomainError
from app.domain.rotation import Rotation, plan_rotation
from app.domain.staff import Actor, Permission
from app.persistence import migrate, storage
from app.services import maintenance
from app.services.context import ServiceContext, StationIdentity
from app.services.maintenance import restore

log = logging.getLogger(__name__)

REASONS = ("close", "exit")
AUTO_FOLDER = "auto"
PENDING_RESTORE = "restore-pending.sqlite3"  # a restore chosen in the running counter, done at the next start
PENDING_CHOOSER = "restore-pending.json"  # who chose it (the restored file's audit names them)
COUNTER_LOCK = "counter.lock"  # app/ui/single.py's lock file (a service cannot import the ui)
# Free space an automatic backup leaves beside itself: a full disk stops the station, a missed copy does not.
SPARE_BYTES = 200 * 1024 * 1024

_NAME = re.compile(r"^(?P<kind>auto|station|before-restore|before-upgrade-(?P<rev>[^-]+))-(?P<day>\d{8})-"
                   r"(?P<time>\d{6})(?:-(?P<reason>close|exit))?(?:-\d+)?\.sqlite3$")


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    made_at: datetime
    kind: str  # daily | monthly | manual | before-upgrade | before-restore
    reason: str  # close | exit (automatic ones), manual, upgrade, restore
    size: int
    ok: bool  # the file passed the cheap check (storage.damage) and holds a station
    problem: str = ""
    revision: str = ""  # before-upgrade copies: the schema they were taken at


@dataclass(frozen=True, slots=True)
class AutoBackup:
    path: Path | None  # None when skipped: nothing changed since the last automatic backup
    seconds: float
    deleted: tuple[Path, ...] = ()

    @property
    def skipped(self) -> bool:
        return self.path is None


def auto_folder(data_dir: Path) -> Path:
    return data_dir / "backups" / AUTO_FOLDER


def automatic_backup(ctx: ServiceContext, *, reason: str, only_if_changed: bool = False) -> AutoBackup:
    """A checked copy of the station into ``backups/auto/``, then the rotation of the automatic copies.

    ``only_if_changed``: skip when the newest automatic copy holds the same station-made records as the live
    file (their newest change-log and audit sequence numbers are equal: see storage.change_marks). Raises a
    DomainError (``backup.no_space``, ``backup.verify_failed``) when no sound copy could be made; nothing
    else is touched then.
    """
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {REASONS}")
    started = time.perf_counter()
    if ctx.data_dir is None:
        raise DomainError("storage.no_data_dir")
    db_path = ctx.db.sqlite_path()
    folder = auto_folder(ctx.data_dir)
    if only_if_changed:
        newest = _newest_auto(folder)
        if newest is not None and _same_records(newest, db_path):
            return AutoBackup(None, time.perf_counter() - started)
    needed = storage.file_size(db_path) + storage.file_size(Path(f"{db_path}-wal"))
    if storage.free_bytes(folder) < needed + SPARE_BYTES:
        raise DomainError("backup.no_space", folder=str(folder), need_mb=str(needed // (1024 * 1024) + 1))
    dest = storage.unique_path(folder / f"auto-{ctx.now():%Y%m%d-%H%M%S}-{reason}.sqlite3")
    problem = storage.verified_backup(db_path, dest)
    if problem is not None:
        raise DomainError("backup.verify_failed", path=str(dest), detail=problem)
    deleted = _rotate(folder, keep=dest)
    return AutoBackup(dest, time.perf_counter() - started, deleted)


def backup_on_exit(ctx: ServiceContext) -> AutoBackup:
    """The counter's backup when its window closes: skipped when nothing was recorded since the last automatic
    backup (usually the daily close's), so closing stays quick. Never raises: a problem is logged (the next
    close or exit tries again) and the result says nothing was written."""
    try:
        return automatic_backup(ctx, reason="exit", only_if_changed=True)
    except Exception:  # leaving the program must not fail on its backup
        log.exception("the backup on exit failed")
        return AutoBackup(None, 0.0)


def backup_after_close(ctx: ServiceContext) -> DomainError | None:
    """The daily close's backup, after the close is committed: its problem is returned, not raised (the close
    stands whatever happens to its copy)."""
    if ctx.data_dir is None or ctx.db.engine.dialect.name != "sqlite":
        return None  # the town's database, or one opened without a data folder: not a station's file
    try:
        automatic_backup(ctx, reason="close")
    except DomainError as e:
        log.warning("the daily close's backup failed: %s", e)
        reason = {"backup.no_space": "no_space", "backup.verify_failed": "verify_failed"}.get(e.code, "failed")
        detail = e.params.get("detail") or e.params.get("folder") or e.code
        return DomainError("backup.after_close_failed", reason=reason, detail=str(detail))
    except Exception as e:  # a full disk, a folder that cannot be written: said, never raised
        log.exception("the daily close's backup failed")
        return DomainError("backup.after_close_failed", reason="failed", detail=str(e))
    return None


# -- what is there ----------------------------------------------------------------------------------------

def backups(data_dir: Path, *, check: bool = True) -> tuple[BackupInfo, ...]:
    """Every backup in the data folder, newest first. ``check`` runs the cheap check on each (storage.damage:
    SQLite's quick_check on files up to 64 MB, header and schema on bigger ones)."""
    folder = data_dir / "backups"
    found: list[tuple[Path, datetime, str, str, str]] = []
    auto: list[tuple[str, datetime]] = []
    for path in _files(auto_folder(data_dir)):
        parsed = _parse(path)
        if parsed is not None and parsed[1] == "auto":
            auto.append((path.name, parsed[0]))
            found.append((path, parsed[0], "", parsed[2] or "", ""))
    rotation = plan_rotation(auto) if auto else Rotation(frozenset(), frozenset(), frozenset())
    for path in _files(folder):
        parsed = _parse(path)
        if parsed is None or parsed[1] == "auto":
            continue
        made_at, kind, _, rev = parsed
        reason = {"station": "manual", "before-restore": "restore"}.get(kind, "upgrade")
        found.append((path, made_at, {"station": "manual"}.get(kind, kind), reason, rev))
    out = []
    for path, made_at, kind, reason, rev in found:
        if not kind:
            kind = rotation.kind(path.name) or "daily"  # one the next rotation deletes still counts as daily
        problem = _problem(path) if check else None
        out.append(BackupInfo(path=path, made_at=made_at, kind=kind, reason=reason, size=storage.file_size(path),
                              ok=problem is None, problem=problem or "", revision=rev))
    return tuple(sorted(out, key=lambda b: (b.made_at, b.path.name), reverse=True))


def last_good_backup(data_dir: Path, *, station: str | None = None) -> BackupInfo | None:
    """The newest backup that passes SQLite's full quick_check and holds this station: the one a damaged station
    is offered. Safety copies made before a restore are left out — the file they saved may be the damaged one —
    and so are backups of another station (this one known from its file or ``station.json``, or ``station``)."""
    here = station or _station_here(data_dir)
    for info in backups(data_dir, check=False):
        if info.kind == "before-restore":
            continue
        problem = storage.quick_check(info.path)
        if problem is None and not storage.looks_like_station(info.path):
            problem = "no StationDesk data"
        if problem is None and storage.revision(info.path) not in migrate.known_revisions():
            problem = "made by a newer release"
        if problem is None and here and _owner_code(info.path) != here:
            problem = "another station's backup"
        if problem is None:
            return info
        log.warning("backup %s is not usable: %s", info.path, problem)
    return None


def restore_last_good(data_dir: Path, *, by: maintenance.Restorer, station: str | None = None,
                      now: datetime | None = None) -> tuple[BackupInfo, maintenance.Restored]:
    """Restore the last good backup (the database closed), by a station head (maintenance.restore). Returns it
    and what the restore did (the safety copy of the file it replaced)."""
    info = last_good_backup(data_dir, station=station)
    if info is None:
        raise DomainError("restore.no_backup", backups=str(data_dir / "backups"))
    return info, restore(data_dir, info.path, by=by, station=station, made_at=info.made_at, now=now)


def restore_file(data_dir: Path, source: Path, *, by: maintenance.Restorer, station: str | None = None,
                 now: datetime | None = None) -> tuple[BackupInfo, maintenance.Restored]:
    """Restore a backup someone chose (the database closed): checked in full first (:func:`check_backup`)."""
    info = check_backup(source)
    return info, restore(data_dir, source, by=by, station=station, made_at=info.made_at, now=now)


def _station_here(data_dir: Path) -> str:
    here = maintenance.known_station(data_dir)
    return here.station_code if here else ""


def _owner_code(path: Path) -> str:
    try:
        return maintenance.file_owner(path).station_code
    except sqlite3.Error:
        return ""


def station_damage(data_dir: Path) -> str | None:
    """What is wrong with the station's file, or None (the check every start makes: storage.damage)."""
    return storage.damage(storage.database_path(data_dir))


# -- a restore chosen in the running counter ---------------------------------------------------------------

def prepare_restore(ctx: ServiceContext, *, actor: Actor, source: Path) -> BackupInfo:
    """The counter's 从备份恢复…: the chosen backup is checked and copied into the data folder now (a USB stick
    may be taken out), and replaces the station's file at the next start, before the station opens
    (:func:`finish_pending_restore`): a file cannot be replaced under the running counter. Who chose it is
    kept beside the copy, so the restored file's audit names them. The caller then asks the person to let the
    program restart (or restarts it)."""
    actor.require(Permission.STATION_ADMIN)
    if ctx.data_dir is None:
        raise DomainError("storage.no_data_dir")
    info = check_choice(ctx, source)
    pending = ctx.data_dir / PENDING_RESTORE
    chooser = ctx.data_dir / PENDING_CHOOSER
    chooser.unlink(missing_ok=True)
    pending.unlink(missing_ok=True)
    problem = storage.verified_backup(source, pending)
    if problem is not None:
        raise DomainError("restore.not_a_backup", path=str(source), detail=problem)
    try:  # scans kept beside the backup on the stick that this PC lacks (a new PC after a broken one)
        maintenance.bring_back_scans(ctx.data_dir, source)
    except OSError as e:
        pending.unlink(missing_ok=True)
        raise DomainError("restore.scans_failed", folder=str(source.parent / "attachments"),
                          detail=e.strerror or str(e)) from e
    chosen_at = ctx.now()
    chooser.write_text(json.dumps({
        "staff_id": actor.staff_id, "username": actor.username, "display_name": actor.display_name,
        "station_code": actor.station_code, "source": str(source),
        "made_at": info.made_at.isoformat(timespec="seconds"), "chosen_at": chosen_at.isoformat(timespec="seconds"),
    }, ensure_ascii=False), encoding="utf-8")
    storage.fsync_file(chooser)
    with ctx.uow() as uow:
        uow.audit(staff_id=actor.staff_id, action="station.restore_chosen", target_type="file",
                  target_id=source.name[:40], detail={"file": str(source), "made_at": info.made_at.isoformat(
                      timespec="seconds"), "username": actor.username}, at=chosen_at)
        uow.commit()
    return info


def check_choice(ctx: ServiceContext, source: Path) -> BackupInfo:
    """A file chosen in the running counter: :func:`check_backup`, and a backup of this very station (not of
    another station or town, not the town server's database)."""
    if ctx.data_dir is None:
        raise DomainError("storage.no_data_dir")
    info = check_backup(source)
    with ctx.read() as uow:
        st = ctx.station(uow)
    maintenance.check_restorable(ctx.data_dir, source, this=StationIdentity(st.code, st.town_code, st.name))
    return info


def check_backup(source: Path) -> BackupInfo:
    """A file someone chose to restore, checked in full (quick_check, a station's data, a schema this release
    knows), with what the confirmation shows about it."""
    if not source.is_file():
        raise DomainError("file.not_found", path=str(source))
    problem = storage.quick_check(source)
    if problem is None and not storage.looks_like_station(source):
        problem = "没有村站通的数据"
    if problem is not None:
        raise DomainError("restore.not_a_backup", path=str(source), detail=problem)
    rev = storage.revision(source) or ""
    if rev not in migrate.known_revisions():
        raise DomainError("db.newer_version", revision=rev, path=str(source))
    parsed = _parse(source)
    made_at = parsed[0] if parsed else datetime.fromtimestamp(source.stat().st_mtime)
    kind = {"station": "manual", "auto": "daily"}.get(parsed[1], parsed[1]) if parsed else "manual"
    return BackupInfo(path=source, made_at=made_at, kind=kind, reason=parsed[2] or "manual" if parsed else "manual",
                      size=storage.file_size(source), ok=True, revision=rev)


def pending_restore(data_dir: Path) -> Path | None:
    path = data_dir / PENDING_RESTORE
    return path if path.is_file() else None


def finish_pending_restore(data_dir: Path, *, now: datetime | None = None) -> Path | None:
    """At start, before the station opens: a restore chosen in the last session replaces the file (the current
    one saved as ``before-restore-…``), in the name of the station head who chose it. Returns the safety copy,
    or None when no restore was waiting."""
    pending = pending_restore(data_dir)
    if pending is None:
        return None
    chooser = data_dir / PENDING_CHOOSER
    try:
        chosen = _read_chooser(chooser)
        if chosen is None:
            raise DomainError("restore.pending_unsigned")
        by, original, made_at, chosen_at = chosen
        done = restore(data_dir, pending, by=by, original=original, made_at=made_at, chosen_at=chosen_at, now=now)
    except DomainError:
        # Said once; the file goes aside so the next start opens the station as it is.
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        pending.replace(storage.unique_path(data_dir / "backups" / f"restore-failed-{stamp}.sqlite3"))
        chooser.unlink(missing_ok=True)
        raise
    pending.unlink(missing_ok=True)
    chooser.unlink(missing_ok=True)
    log.info("restored the backup chosen last time by %s; the previous file is %s", done.by.username, done.safety)
    return done.safety


def _read_chooser(path: Path) -> tuple[maintenance.Restorer, Path, datetime, datetime] | None:
    """Who chose the waiting restore, and the file they chose (written by :func:`prepare_restore`)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        by = maintenance.Restorer(staff_id=str(data["staff_id"]), username=str(data["username"]),
                                  display_name=str(data["display_name"]), station_code=str(data["station_code"]),
                                  signed_in_to="station")
        return (by, Path(str(data["source"])), datetime.fromisoformat(str(data["made_at"])),
                datetime.fromisoformat(str(data["chosen_at"])))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def counter_is_open(data_dir: Path) -> bool:
    """Whether a counter window holds this data folder now (its lock file, app/ui/single.py, is locked): a
    restore must not replace the file under it. A lock left by a counter that died is not held."""
    lock = data_dir / COUNTER_LOCK
    if not lock.exists():
        return False
    try:
        if sys.platform == "win32":
            # Qt keeps the lock file open without write sharing while it holds it.
            with lock.open("ab"):
                return False
        import fcntl

        with lock.open("rb") as f:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # Qt holds a flock() on it (Unix)
            except BlockingIOError:
                return True
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
            return False
    except PermissionError:
        return sys.platform == "win32"
    except OSError:
        return False


# -- helpers --------------------------------------------------------------------------------------------------

def _parse(path: Path) -> tuple[datetime, str, str | None, str] | None:
    """(made at, auto|station|before-restore|before-upgrade, close|exit|None, revision) from a backup's name."""
    m = _NAME.match(path.name)
    if m is None:
        return None
    try:
        made_at = datetime.strptime(m["day"] + m["time"], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    kind = "before-upgrade" if m["rev"] else m["kind"]
    return made_at, kind, m["reason"], m["rev"] or ""


def _files(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_file() and p.suffix == ".sqlite3"]
    except FileNotFoundError:
        return []


def _problem(path: Path) -> str | None:
    problem = storage.damage(path)
    if problem is None and not storage.looks_like_station(path):
        problem = "no StationDesk data"
    return problem


def _newest_auto(folder: Path) -> Path | None:
    dated = [(parsed[0], p.name, p) for p in _files(folder) if (parsed := _parse(p)) is not None]
    return max(dated)[2] if dated else None


def _same_records(backup: Path, db_path: Path) -> bool:
    try:
        return storage.change_marks(backup) == storage.change_marks(db_path)
    except Exception:  # an unreadable copy is no reason to skip a backup
        log.warning("could not compare %s with the station", backup, exc_info=True)
        return False


def _rotate(folder: Path, *, keep: Path) -> tuple[Path, ...]:
    dated = [(p.name, parsed[0]) for p in _files(folder) if (parsed := _parse(p)) is not None and parsed[1] == "auto"]
    plan = plan_rotation(dated)
    deleted = []
    for name in sorted(plan.delete - {keep.name}):  # the copy just made stays whatever the clock says
        try:
            (folder / name).unlink()
            deleted.append(folder / name)
        except OSError:  # open in another program (Windows): the next rotation deletes it
            log.warning("could not delete the old backup %s", folder / name)
    return tuple(deleted)
