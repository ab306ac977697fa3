"""The one path helper: bundled resources and migrations from source, an installed wheel, or a frozen bundle;
and the station's data folder (per user, all users, or portable beside the program)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "StationDesk"
APP_AUTHOR = "StationDesk"
_PKG = Path(__file__).resolve().parent


def _first_existing(*candidates: Path) -> Path:
    for c in candidates:
        if c.is_dir():
            return c
    return candidates[-1]


def resources_dir() -> Path:
    """``resources/``: in a PyInstaller bundle, inside an installed wheel, or at the repo root."""
    frozen = getattr(sys, "_MEIPASS", None)
    candidates = [Path(frozen) / "resources"] if frozen else []
    candidates += [_PKG / "_resources", _PKG.parent / "resources"]
    return _first_existing(*candidates)


def migrations_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    candidates = [Path(frozen) / "db"] if frozen else []
    candidates += [_PKG / "_db", _PKG.parent / "db"]
    return _first_existing(*candidates)


STATION_DB_FILE = "station.sqlite3"


def station_database(data_dir: Path) -> Path:
    """The station's SQLite file in its data folder (the counter checks for it before loading the database layer)."""
    return data_dir / STATION_DB_FILE


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def default_data_dir() -> Path:
    """Where the station's database, attachments, logs and backups live.

    ``STATIONDESK_DATA_DIR`` wins; a file ``portable.txt`` beside the program selects portable mode;
    otherwise the per-user data folder (``%LOCALAPPDATA%\\StationDesk`` on Windows).
    """
    env = os.environ.get("STATIONDESK_DATA_DIR")
    if env:
        return Path(env).expanduser()
    exe_dir = Path(sys.executable).resolve().parent
    if getattr(sys, "frozen", False) and (exe_dir / "portable.txt").exists():
        return exe_dir / "data"
    import platformdirs  # imported late: only the data-folder lookup needs it

    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR, roaming=False))
