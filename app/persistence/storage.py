"""The station's SQLite file on disk: where it lives, consistent copies, and quick health checks."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from app.persistence.engine import DB_FILE


def database_path(data_dir: Path) -> Path:
    return data_dir / DB_FILE


def backup_sqlite(src: Path, dest: Path) -> Path:
    """Copy a live SQLite database with the online backup API (consistent even while it is in use)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
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
    return None if rows == ["ok"] else "; ".join(str(r) for r in rows[:5])


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
