"""Keeping the station's data safe: backups by hand, restore with a safety copy, and the integrity check.

Automatic backups (daily close, exit), their rotation and the list of backups are in app/services/backups.py.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.domain.audit import verify_chain
from app.domain.cases import parse_case_no
from app.domain.errors import DomainError
from app.domain.staff import Actor, Permission
from app.persistence import migrate, storage
from app.persistence.uow import audit_payload
from app.services.attachments import verify_attachment
from app.services.context import ServiceContext
from app.services.integrity import check as money_chain


@dataclass(frozen=True, slots=True)
class Finding:
    area: str  # database | audit | numbers | attachments | money
    code: str
    params: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class CheckReport:
    findings: tuple[Finding, ...]
    audit_entries: int
    cases: int
    attachments: int
    chain_links: int = 0  # the money chain: payments, receipts, drawers, closes
    before_chain: int = 0  # records older than the chain (an upgraded station): not covered by it

    @property
    def ok(self) -> bool:
        return not self.findings


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


def restore(data_dir: Path, source: Path, *, now: datetime | None = None) -> Path:
    """Replace the station database with a backup. The current file is kept as a safety copy first.

    Runs with the database closed (the CLI and the client call it before opening the station).
    Returns the safety copy's path.
    """
    if not source.is_file():
        raise DomainError("file.not_found", path=str(source))
    problem = storage.quick_check(source)
    if problem:
        raise DomainError("restore.not_a_backup", path=str(source), detail=problem)
    if not storage.looks_like_station(source):
        raise DomainError("restore.not_a_backup", path=str(source), detail="没有村站通的数据")
    revision = storage.revision(source) or ""
    if revision not in migrate.known_revisions():
        raise DomainError("db.newer_version", revision=revision, path=str(source))
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    db_path = storage.database_path(data_dir)
    safety = storage.unique_path(data_dir / "backups" / f"before-restore-{stamp}.sqlite3")
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
        bring_back_scans(data_dir, source)
    return safety


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


def check(ctx: ServiceContext, *, actor: Actor) -> CheckReport:
    """The database file, the audit chain, gap-free case numbers, the attachments' hashes, and the money
    chain (payments, receipts, drawers and daily closes edited, deleted or slipped in after the fact)."""
    actor.require(Permission.STATION_ADMIN)
    findings: list[Finding] = []
    for problem in ctx.db.integrity_problems():
        findings.append(Finding("database", "check.db_corrupt", (("detail", problem),)))
    with ctx.uow() as uow:
        entries = [(e["seq"], e["prev_hash"], e["hash"], audit_payload(e)) for e in uow.audit_entries()]
        numbers = uow.repos.cases.all_numbers(ctx.station_code(uow))
        attachments = uow.repos.cases.all_attachments()
        missing_indexes = uow.missing_search_indexes()
    for name in missing_indexes:
        findings.append(Finding("database", "check.index_missing", (("index", name),)))
    for brk in verify_chain(entries):
        findings.append(Finding("audit", f"check.audit_{brk.reason}", (("seq", str(brk.seq)),)))
    by_day: dict[tuple[str, str], list[int]] = {}
    for no in numbers:
        try:
            station, when, seq = parse_case_no(no)
        except DomainError:
            findings.append(Finding("numbers", "check.bad_case_no", (("case_no", no),)))
            continue
        by_day.setdefault((station, when.isoformat()), []).append(seq)
    for (station, day), seqs in sorted(by_day.items()):
        expected = set(range(1, max(seqs) + 1))
        for gap in sorted(expected - set(seqs)):
            findings.append(Finding("numbers", "check.case_gap", (("station", station), ("day", day),
                                                                   ("seq", str(gap)))))
    if ctx.data_dir is not None:
        for a in attachments:
            state = verify_attachment(ctx.data_dir, a["stored_path"], a["sha256"])
            if state:
                findings.append(Finding("attachments", f"check.attachment_{state}",
                                        (("file", a["file_name"]), ("case", a["case_id"]))))
    chain = money_chain(ctx)
    for link in chain.problems:
        findings.append(Finding("money", f"check.chain_{link.kind}",
                                (("station", link.station_code), ("seq", str(link.seq)), ("what", link.what))))
    return CheckReport(findings=tuple(findings), audit_entries=len(entries), cases=len(numbers),
                       attachments=len(attachments), chain_links=chain.links, before_chain=chain.before_chain)
