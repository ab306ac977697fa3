"""Where the station's data lives: never in the program folder; per user, for all users of the PC (the
per-machine installer's marker), portable beside the program, or a folder given at start."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app import paths


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The program as the installer lays it out: a frozen StationDesk.exe in its folder."""
    folder = tmp_path / "Program Files" / "StationDesk"
    folder.mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(folder / "StationDesk.exe"))
    monkeypatch.delenv("STATIONDESK_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / ".local" / "share"))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "usr" / "share"))
    return folder


def test_per_user_by_default_and_never_the_program_folder(bundle: Path, tmp_path: Path) -> None:
    where = paths.data_location()
    assert where.mode == "per-user"
    assert where.path == tmp_path / "home" / ".local" / "share" / "StationDesk"
    assert bundle not in where.path.parents


def test_the_per_machine_installers_marker_selects_the_folder_all_users_share(bundle: Path, tmp_path: Path) -> None:
    (bundle / paths.ALL_USERS_MARKER).write_text("")
    where = paths.data_location()
    assert where.mode == "all-users"
    assert where.path == tmp_path / "usr" / "share" / "StationDesk"


def test_portable_keeps_the_data_beside_the_program(bundle: Path) -> None:
    (bundle / paths.ALL_USERS_MARKER).write_text("")
    (bundle / paths.PORTABLE_MARKER).write_text("")  # portable wins: a stick carried from PC to PC
    assert paths.data_location() == paths.DataLocation(bundle / "data", "portable")


def test_a_folder_given_at_start_wins(bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (bundle / paths.PORTABLE_MARKER).write_text("")
    monkeypatch.setenv("STATIONDESK_DATA_DIR", str(tmp_path / "elsewhere"))
    assert paths.data_location() == paths.DataLocation(tmp_path / "elsewhere", "custom")
    assert paths.default_data_dir() == tmp_path / "elsewhere"


def test_from_source_the_program_folder_is_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert (paths.program_dir() / "app" / "paths.py").is_file()
    assert (paths.resources_dir() / "translations" / "en.json").is_file()
    assert (paths.migrations_dir() / "versions").is_dir()
