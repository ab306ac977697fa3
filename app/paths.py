"""The one path helper: bundled resources and migrations from source, an installed wheel, or a frozen bundle;
and the station's data folder (per user, all users, or portable beside the program)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "StationDesk"
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


PORTABLE_MARKER = "portable.txt"  # beside the program: data in ``data`` beside it (a USB stick)
ALL_USERS_MARKER = "all-users.txt"  # beside the program (the per-machine installer writes it): one shared folder


@dataclass(frozen=True, slots=True)
class DataLocation:
    """Where the station's data lives, and why: ``custom`` (``--data-dir`` or ``STATIONDESK_DATA_DIR``),
    ``portable``, ``all-users`` (a shared station PC) or ``per-user``."""

    path: Path
    mode: str


def program_dir() -> Path:
    """The folder the program runs from: the bundle's folder when frozen, else the project (from source)."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return _PKG.parent


def data_location() -> DataLocation:
    """Where the station's database, attachments, logs and backups live — never in the program folder.

    ``STATIONDESK_DATA_DIR`` wins; else a file ``portable.txt`` beside the program selects portable mode
    (``data`` beside the program); else ``all-users.txt`` beside it (written by the per-machine installer)
    selects the all-users folder (``%PROGRAMDATA%\\StationDesk`` on Windows); else the per-user data folder
    (``%LOCALAPPDATA%\\StationDesk`` on Windows, ``~/.local/share/StationDesk`` on Linux).
    """
    env = os.environ.get("STATIONDESK_DATA_DIR")
    if env:
        return DataLocation(Path(env).expanduser(), "custom")
    here = program_dir()
    if (here / PORTABLE_MARKER).exists():
        return DataLocation(here / "data", "portable")
    import platformdirs  # imported late: only the data-folder lookup needs it

    if (here / ALL_USERS_MARKER).exists():
        return DataLocation(all_users_data_dir(), "all-users")
    return DataLocation(Path(platformdirs.user_data_dir(APP_NAME, False, roaming=False)), "per-user")


def all_users_data_dir() -> Path:
    """The data folder every account of the PC shares (``%PROGRAMDATA%\\StationDesk`` on Windows)."""
    import platformdirs  # imported late, as above

    return Path(platformdirs.site_data_dir(APP_NAME, False, multipath=False))


def shared_by_all_users(data_dir: Path) -> bool:
    """Whether ``data_dir`` is the all-users data folder or inside it (its demo station), however it was chosen
    (the per-machine installer's marker, or ``--data-dir`` naming it): every account of the PC uses it."""
    try:
        here, shared = data_dir.resolve(), all_users_data_dir().resolve()
    except OSError:
        return False
    return here == shared or shared in here.parents


def default_data_dir() -> Path:
    return data_location().path
