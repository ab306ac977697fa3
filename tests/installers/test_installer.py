"""The NSIS installer under wine (64-bit, reporting Windows 10): silent installs per user and per machine, the
shortcuts and the Add/Remove Programs entry, an install over an install, silent uninstalls that keep the
station's data unless /REMOVEDATA says otherwise. The payload is the Linux bundle (installers/README.md): what
is tested is the installer's own logic, not the Windows program."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from installers.build import Built, installer_name, version
from installers.wine import APP_KEY, UNINSTALL_KEY, WinePrefix

pytestmark = pytest.mark.slow

PER_USER_DIR = r"C:\StationDesk-test"


def _program_files(installed: Path, bundle: Path) -> list[str]:
    """The bundle's top-level entries missing from the installed folder."""
    return [p.name for p in bundle.iterdir() if not (installed / p.name).exists()]


def _uninstall_entry(wine: WinePrefix, machine: bool) -> dict[str, str | int] | None:
    return wine.registry(machine).get(UNINSTALL_KEY)


def test_the_installer_is_named_with_the_apps_version(installer: Built) -> None:
    assert installer.path.name == installer_name() == f"StationDesk-Setup-{version()}.exe"
    assert installer.path.read_bytes()[:2] == b"MZ"


def test_a_per_user_install_puts_the_program_shortcuts_and_an_uninstall_entry_and_its_uninstall_keeps_the_data(
        wine: WinePrefix, installer: Built, bundle: Built) -> None:
    data = wine.local_appdata / "StationDesk"
    shutil.rmtree(data, ignore_errors=True)

    ran = wine.run(installer.path, "/S", "/CURRENTUSER", f"/D={PER_USER_DIR}")

    assert ran.returncode == 0, ran.output
    folder = wine.host_path(PER_USER_DIR)
    assert _program_files(folder, bundle.path) == []
    assert (folder / "_internal" / "resources" / "catalog" / "standard-47.json").is_file()
    assert (folder / "uninstall.exe").is_file()
    assert not (folder / "all-users.txt").exists()  # per user: the program's default data folder
    assert not (folder / "portable.txt").exists()
    start_menu, desktop = wine.shortcuts(all_users=False)
    assert start_menu.is_file() and desktop.is_file()
    link = start_menu.read_bytes()  # a shell link names its target in ANSI, Unicode or both
    assert b"StationDesk.exe" in link or "StationDesk.exe".encode("utf-16-le") in link
    entry = _uninstall_entry(wine, machine=False)
    assert entry is not None
    assert entry["DisplayName"] == "村站通 StationDesk"
    assert entry["DisplayVersion"] == version()
    assert entry["Publisher"] == "StationDesk"
    assert entry["UninstallString"] == f'"{PER_USER_DIR}\\uninstall.exe" /CurrentUser'
    assert entry["QuietUninstallString"] == f'"{PER_USER_DIR}\\uninstall.exe" /CurrentUser /S'
    assert isinstance(entry["EstimatedSize"], int) and entry["EstimatedSize"] * 1024 >= bundle.size * 0.9
    assert _uninstall_entry(wine, machine=True) is None  # nothing per machine

    data.mkdir(parents=True, exist_ok=True)  # the station's data, as the program would have made it
    (data / "station.sqlite3").write_bytes(b"the station's records")

    ran = wine.run(f"{PER_USER_DIR}\\uninstall.exe", "/S")

    assert ran.returncode == 0, ran.output
    assert not folder.exists()
    assert not start_menu.exists() and not start_menu.parent.exists() and not desktop.exists()
    assert _uninstall_entry(wine, machine=False) is None
    assert APP_KEY not in wine.registry(machine=False)
    assert (data / "station.sqlite3").read_bytes() == b"the station's records"  # kept


def test_a_per_machine_install_shares_one_data_folder_and_its_uninstall_with_removedata_deletes_only_that(
        wine: WinePrefix, installer: Built, bundle: Built) -> None:
    shared = wine.program_data / "StationDesk"
    personal = wine.local_appdata / "StationDesk"
    personal.mkdir(parents=True, exist_ok=True)
    (personal / "marker.txt").write_text("a per-user station on the same PC")

    ran = wine.run(installer.path, "/S", "/ALLUSERS")

    assert ran.returncode == 0, ran.output
    folder = wine.drive_c / "Program Files" / "StationDesk"
    assert _program_files(folder, bundle.path) == []
    assert (folder / "all-users.txt").is_file() and (folder / "all-users.txt").stat().st_size == 0
    assert shared.is_dir()  # made by the installer, for every user of the PC
    start_menu, desktop = wine.shortcuts(all_users=True)
    assert start_menu.is_file() and desktop.is_file()
    entry = _uninstall_entry(wine, machine=True)
    assert entry is not None
    assert entry["InstallLocation"] == r"C:\Program Files\StationDesk"
    assert entry["QuietUninstallString"] == r'"C:\Program Files\StationDesk\uninstall.exe" /AllUsers /S'
    assert _uninstall_entry(wine, machine=False) is None

    (shared / "station.sqlite3").write_bytes(b"shared records")

    ran = wine.run(r"C:\Program Files\StationDesk\uninstall.exe", "/S", "/REMOVEDATA")

    assert ran.returncode == 0, ran.output
    assert not folder.exists()
    assert not start_menu.exists() and not desktop.exists()
    assert _uninstall_entry(wine, machine=True) is None
    assert APP_KEY not in wine.registry(machine=True)
    assert not shared.exists()  # asked for: this install mode's data went
    assert (personal / "marker.txt").is_file()  # the per-user folder is another install's: untouched
    shutil.rmtree(personal)


def test_installing_again_over_an_install_keeps_its_folder_its_mode_and_the_data_and_replaces_the_program(
        wine: WinePrefix, installer: Built, bundle: Built) -> None:
    data = wine.local_appdata / "StationDesk"
    shutil.rmtree(data, ignore_errors=True)
    assert wine.run(installer.path, "/S", "/CURRENTUSER", f"/D={PER_USER_DIR}").returncode == 0
    folder = wine.host_path(PER_USER_DIR)
    stale = folder / "_internal" / "left-by-the-old-version.pyd"
    stale.write_bytes(b"old")
    data.mkdir(parents=True, exist_ok=True)
    (data / "station.sqlite3").write_bytes(b"the station's records")

    # No mode and no folder given: an administrator's default would be per machine in Program Files, but the
    # installed version is found in the registry and its mode and folder are used again.
    ran = wine.run(installer.path, "/S")

    assert ran.returncode == 0, ran.output
    assert not (wine.drive_c / "Program Files" / "StationDesk").exists()
    assert _uninstall_entry(wine, machine=True) is None
    assert _program_files(folder, bundle.path) == []
    assert not stale.exists()  # the old program's files were replaced, not added to
    assert (data / "station.sqlite3").read_bytes() == b"the station's records"
    entry = _uninstall_entry(wine, machine=False)
    assert entry is not None and entry["InstallLocation"] == PER_USER_DIR

    ran = wine.run(f"{PER_USER_DIR}\\uninstall.exe", "/S", "/REMOVEDATA")

    assert ran.returncode == 0, ran.output
    assert not folder.exists() and not data.exists()
    assert _uninstall_entry(wine, machine=False) is None


def test_the_installer_refuses_a_windows_older_than_10_1809(wine: WinePrefix, installer: Built) -> None:
    wine.set_windows("win7")
    try:
        ran = wine.run(installer.path, "/S", "/CURRENTUSER", f"/D={PER_USER_DIR}")
    finally:
        wine.set_windows("win10")

    assert ran.returncode == 3
    assert not wine.host_path(PER_USER_DIR).exists()
    assert _uninstall_entry(wine, machine=False) is None
