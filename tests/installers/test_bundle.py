"""The PyInstaller bundle: built with the real spec, run as a station would first run it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from installers.build import Built, bundle_exe
from installers.smoke import check_run, run_bundle

pytestmark = pytest.mark.slow


def test_the_bundle_starts_migrates_a_fresh_station_and_saves_the_counter_screenshot(bundle: Built,
                                                                                      tmp_path: Path) -> None:
    run = run_bundle(bundle_exe(bundle.path), tmp_path)

    assert run.returncode == 0, run.output[-3000:]
    assert check_run(run) == [], run.output[-3000:]
    assert run.database is not None and run.database.stat().st_size > 0
    assert run.database.is_relative_to(tmp_path / "data")  # the data folder it was given, not the program's
    assert run.revision == run.head
    assert run.image_ok, run.image
    assert f"screenshot: {run.screenshot}" in run.output


def test_the_bundle_holds_the_resources_and_migrations_where_the_path_helper_looks(bundle: Built) -> None:
    internal = bundle.path / "_internal"  # sys._MEIPASS of a PyInstaller 6 onedir bundle
    for needed in ("resources/catalog/standard-47.json", "resources/fonts/wqy-microhei.ttc",
                   "resources/translations/en.json", "resources/styles/counter.qss", "db/env.py",
                   "db/script.py.mako"):
        assert (internal / needed).is_file(), needed
    migrations = sorted(p.name for p in (internal / "db" / "versions").glob("*.py"))
    source = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "db" / "versions").glob("*.py"))
    assert migrations == source


def test_the_bundle_leaves_out_the_server_stack_tests_and_other_languages_of_qt(bundle: Built) -> None:
    internal = bundle.path / "_internal"
    names = {p.name.lower() for p in internal.rglob("*")}
    for absent in ("fastapi", "uvicorn", "psycopg", "starlette", "pytest", "_pytest", "hypothesis", "tkinter",
                   "_tkinter", "tcl", "tk"):
        assert absent not in names, absent
    assert not any(n.startswith(("libqt6webengine", "qt6webengine", "libqt6virtualkeyboard")) for n in names)
    qt_translations = {p.name for p in internal.rglob("*.qm")}
    assert "qtbase_zh_CN.qm" in qt_translations  # the counter's right-click menus in Chinese
    assert all("zh_CN" in n for n in qt_translations), sorted(qt_translations)
    assert bundle.size < 400_000_000


@pytest.mark.parametrize("marker", ["portable.txt", "all-users.txt", None])
def test_the_frozen_program_keeps_its_data_where_the_marker_beside_it_says(bundle: Built, tmp_path: Path,
                                                                           marker: str | None) -> None:
    """The installer's side of the data-folder contract, read by the frozen program (app/paths.py): portable.txt
    beside the program means data\\ beside it; all-users.txt the all-users folder (here XDG_DATA_DIRS, on
    Windows %PROGRAMDATA%); nothing, the per-user folder (XDG_DATA_HOME; %LOCALAPPDATA% on Windows)."""
    shared, personal = tmp_path / "shared", tmp_path / "personal"
    roots = {"portable.txt": bundle.path / "data", "all-users.txt": shared, None: personal}
    expected = roots[marker] if marker == "portable.txt" else roots[marker] / "StationDesk"
    placed = bundle.path / marker if marker else None
    if placed:
        placed.write_bytes(b"")
    try:
        run = run_bundle(bundle_exe(bundle.path), tmp_path / "run", expect_data_in=expected,
                         env={"XDG_DATA_DIRS": str(shared), "XDG_DATA_HOME": str(personal)})
        assert run.returncode == 0, run.output[-3000:]
        assert run.database is not None and run.revision == run.head
        others = [root for m, root in roots.items() if m != marker]
        assert not any(p.exists() for p in others), others
    finally:
        if placed:
            placed.unlink()
        if marker == "portable.txt":
            shutil.rmtree(bundle.path / "data", ignore_errors=True)
