"""The station's SQLite file on disk: where it lives, consistent copies, and quick health checks."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from app.domain.errors import DomainError
from app.persistence.engine import DB_FILE

SQLITE_HEADER = b"SQLite format 3\x00"
# A start runs SQLite's quick_check (every page read) only on a file up to this size: QUICK_CHECK_UP_TO is
# about a tenth of a second on the demo station's 3.5 MB and grows with the file (see damage()).
QUICK_CHECK_UP_TO = 64 * 1024 * 1024


def database_path(data_dir: Path) -> Path:
    return data_dir / DB_FILE


def backup_sqlite(src: Path, dest: Path) -> Path:
    """Copy a live SQLite database with the online backup API (consistent even while it is in use).

    On POSIX the copy (and the journal SQLite makes beside it meanwhile, which takes the file's mode) is
    readable by its owner only from its first byte: it holds everything the station holds. On Windows the
    folder's ACLs decide (the installer sets them for the data folder)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.close(os.open(dest, os.O_WRONLY | os.O_CREAT, 0o600))
        with contextlib.suppress(OSError):  # a stick without owners (FAT) refuses a chmod; it has no others
            os.chmod(dest, 0o600)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(dest)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
        finally:
            target.close()
    finally:
        source.close()
    return dest


def verified_backup(src: Path, dest: Path, *, station: bool = True) -> str | None:
    """:func:`backup_sqlite`, then the copy checked as a restore would check it (``station``: it must hold a
    station's data, not just a schema) and flushed to the disk. A copy that fails its check is deleted and
    what was wrong is returned (None when it is sound); one that could not be written at all (a full disk, a
    stick pulled out) raises ``backup.failed``."""
    try:
        backup_sqlite(src, dest)
    except (sqlite3.Error, OSError) as e:
        _discard(dest)
        raise DomainError("backup.failed", path=str(dest), detail=str(e)) from e
    problem = quick_check(dest)
    if problem is None and station and not looks_like_station(dest):
        problem = "no StationDesk data in the copy"
    if problem is not None:
        _discard(dest)
        return problem
    fsync_file(dest)
    return None


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):  # nothing was written where there is no folder
        path.unlink(missing_ok=True)


def fsync_file(path: Path) -> None:
    """Flush a finished file to the disk before it replaces another (a power cut leaves the old or the new)."""
    with path.open("rb+") as f:
        os.fsync(f.fileno())


def quick_check(path: Path) -> str | None:
    """None when SQLite finds the file sound; otherwise what it reported (or why it could not open it)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as e:
        return str(e)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as e:
        return str(e)
    finally:
        conn.close()
    return None if rows == ["ok"] else brief(rows)


def brief(rows: Sequence[object]) -> str:
    """What quick_check found, short enough for a sentence a person reads: its first two findings and how many
    more (a badly damaged file lists hundreds of pages, in one row)."""
    lines = [line.strip() for row in rows for line in str(row).splitlines()
             if line.strip() and not line.startswith("***")]
    text = "; ".join(lines[:2]) + (f" (+{len(lines) - 2} more)" if len(lines) > 2 else "")
    return text if len(text) <= 200 else text[:199] + "…"


def looks_like_station(path: Path) -> bool:
    """Whether the file holds a StationDesk database (it has our ``meta`` table and a station code)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'station_code'").fetchone()
        return row is not None
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def damage(path: Path, *, quick_check_up_to: int = QUICK_CHECK_UP_TO) -> str | None:
    """Why the database file at ``path`` looks damaged, or None: cheap enough to run on every start.

    The file is a SQLite file (its header), not cut short (the size its header gives), its schema reads and
    every table's first page reads. A file up to ``quick_check_up_to`` bytes also gets SQLite's quick_check,
    which reads every page: a bigger one would hold the start for seconds (a 1,000,000-resident station),
    so damage deep inside it shows when that part is read, or in the station check. A file that cannot be
    opened for another reason (locked, no permission) is not called damaged: opening it reports that.

    A missing or empty (0-byte) file is a new database to SQLite; it is called damaged when a station was
    here before (a backup in the folder's ``backups/``, or the identity file the station writes beside its
    database, :data:`IDENTITY_FILE`), so the counter offers the backup instead of starting an empty station.
    Likewise a sound SQLite file that holds no station (no tables, or no station code) when a good backup of
    a station is beside it. A new installation (no file, no backups) is no damage.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(100)
    except FileNotFoundError:
        return "the station's file is missing" if _station_was_here(path) else None
    except OSError:
        return None
    if size == 0:
        # SQLite treats an empty file as a new database: a power cut or a broken copy leaves one too.
        return "the file is empty (0 bytes)" if _station_was_here(path) else None
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        return "file is not a database"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    header_size_valid = pages > 0 and head[24:28] == head[92:96]
    # With frames waiting in the -wal (a checkpoint cut off) or a hot -journal (a transaction cut off) the file
    # may legitimately be shorter than its header says: SQLite puts it right on opening.
    settled = _empty_or_missing(Path(f"{path}-wal")) and _empty_or_missing(Path(f"{path}-journal"))
    if header_size_valid and settled and size < pages * page_size:
        return f"the file is cut short ({size} of {pages * page_size} bytes)"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in tables:
            conn.execute(f'SELECT * FROM "{name}" LIMIT 1').fetchall()
        if size <= quick_check_up_to:
            rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
            if rows != ["ok"]:
                return brief(rows)
        empty = _no_station(conn, tables)
    except sqlite3.OperationalError as e:
        return None if _not_damage(e) else str(e)
    except sqlite3.DatabaseError as e:
        return str(e)
    finally:
        conn.close()
    if empty is not None and _good_backup_beside(path):
        return empty
    return None


# The small file a station writes beside its database whenever it is opened or set up (its station and town
# codes: app/services/station.py): it says a station was here when the database itself is gone or empty.
IDENTITY_FILE = "station.json"


def _station_was_here(path: Path) -> bool:
    """Whether the folder of a missing or empty station file says a station lived in it."""
    return (path.parent / IDENTITY_FILE).is_file() or bool(_backups_beside(path))


def _backups_beside(path: Path) -> list[Path]:
    """The station backups in the ``backups/`` folder beside ``path`` (and its ``auto/``), newest first."""
    found: list[tuple[float, Path]] = []
    for folder in (path.parent / "backups", path.parent / "backups" / "auto"):
        try:
            for p in folder.iterdir():
                if p.suffix == ".sqlite3" and p.is_file() and p.stat().st_size > 0:
                    found.append((p.stat().st_mtime, p))
        except OSError:  # no such folder
            continue
    return [p for _, p in sorted(found, reverse=True)]


def _good_backup_beside(path: Path) -> bool:
    """Whether a backup beside ``path`` holds a station and passes SQLite's check (the cheap one on big files)."""
    for candidate in _backups_beside(path):
        if not looks_like_station(candidate):
            continue
        if file_size(candidate) > QUICK_CHECK_UP_TO or quick_check(candidate) is None:
            return True
    return False


def _no_station(conn: sqlite3.Connection, tables: Sequence[str]) -> str | None:
    """Why an open, sound SQLite file holds no station, or None when it holds one."""
    if not tables:
        return "the file holds no tables (no station)"
    if "meta" not in tables:
        return "the file holds no station (no meta table)"
    row = conn.execute("SELECT value FROM meta WHERE key = 'station_code'").fetchone()
    return None if row is not None and row[0] else "the file holds no station (no station code)"


def _not_damage(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return any(word in text for word in ("locked", "busy", "unable to open", "readonly", "read-only", "permission"))


def _empty_or_missing(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return True


def change_marks(path: Path) -> tuple[int, int]:
    """The newest change-log and audit sequence numbers in a station file: every record the station itself
    writes through the unit of work adds to one or the other, so two files with the same marks hold the same
    station-made data (what came from the town can be pulled again). (0, 0) for a file without them."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        marks = []
        for table in ("change_log", "audit_log"):
            try:
                marks.append(int(conn.execute(f"SELECT coalesce(max(seq), 0) FROM {table}").fetchone()[0]))
            except sqlite3.OperationalError:  # no such table (a file from before it)
                marks.append(0)
        return marks[0], marks[1]
    finally:
        conn.close()


def revision(path: Path) -> str | None:
    """The schema revision (Alembic's) a station file is at, or None when it has none."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


def unique_path(dest: Path) -> Path:
    """``dest``, or ``<stem>-2``, ``-3``… beside it when it exists: a copy never writes into an earlier one."""
    n, candidate = 1, dest
    while candidate.exists():
        n += 1
        candidate = dest.with_name(f"{dest.stem}-{n}{dest.suffix}")
    return candidate


def file_size(path: Path) -> int:
    """The size of a file, 0 when there is none (a -wal file that was never made)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def free_bytes(folder: Path) -> int:
    """Free space where ``folder`` is (its nearest existing parent when it is not made yet)."""
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def mirror_files(src: Path, dst: Path) -> tuple[int, int]:
    """Every file under ``src`` also under ``dst`` (same relative path): the ones missing there, or of another
    size, are copied (to a temporary name, then renamed); nothing is ever deleted. Returns (files under
    ``src``, files copied now). A scan is written once and never changes, so an existing file of the same size
    is the same file: a second backup to the same stick copies only the new scans."""
    total = copied = 0
    if not src.is_dir():
        return 0, 0
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        total += 1
        target = dst / path.relative_to(src)
        if target.is_file() and target.stat().st_size == path.stat().st_size:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        shutil.copyfile(path, part)
        fsync_file(part)
        part.replace(target)
        copied += 1
    return total, copied
