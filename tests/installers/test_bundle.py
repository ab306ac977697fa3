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


def test_the_admin_cli_beside_the_counter_serves_a_technician_without_python(bundle: Built, tmp_path: Path) -> None:
    """stationdesk-admin in the same folder: a demo station, its information, the backups list and a support
    bundle — in Chinese, exit 0, without the town server's libraries."""
    import json
    import os
    import subprocess

    from installers.build import admin_exe

    cli = admin_exe(bundle.path)
    assert cli.is_file()
    data = tmp_path / "station"
    env = {**os.environ, "STATIONDESK_USER": "zhanzhang", "STATIONDESK_PASSWORD": "demo2026"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([str(cli), "--data-dir", str(data), *args], capture_output=True, text=True,
                              env=env, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "Traceback" not in done.stderr
        return done

    assert "demo2026" in run("demo").stdout
    info = json.loads(run("--json", "info").stdout)
    assert info["station_code"] == "QX01"
    case_no = json.loads(run("--json", "case", "list").stdout)[0]["case_no"]
    run("print", "receipt", case_no, "--out", str(tmp_path / "receipt.pdf"))  # reportlab and its QR code, frozen
    assert (tmp_path / "receipt.pdf").read_bytes().startswith(b"%PDF")
    run("backup")
    assert "手工" in run("backups").stdout
    assert "支持包已写好" in run("support-bundle", "--to", str(tmp_path / "usb")).stdout
    assert list((tmp_path / "usb").glob("stationdesk-support-*.zip"))


# What printing a receipt (with its QR code) and a day-close report loads, run from source: the frozen counter
# must carry every one of these modules (reportlab loads some of itself by name, which PyInstaller cannot see).
_PRINTING_PROBE = r"""
import sys
before = set(sys.modules)
from pathlib import Path
from app.services.context import open_context
from app.services.demo import build_demo
from app.services.staff import authenticate
from app.services.cases import list_cases
from app.printing.documents import issue
ctx = open_context(Path(sys.argv[1]))
build_demo(ctx, residents=200)
head = authenticate(ctx, username="zhanzhang", password="demo2026")
issue(ctx, actor=head, kind="receipt", subject=list_cases(ctx)[0].case_no)
for name in sorted(set(sys.modules) - before):
    where = getattr(sys.modules[name], "__file__", None) or ""
    if name.startswith(("reportlab", "app.printing")) and where.endswith(".py"):  # not C extensions
        print(name)
"""


def test_the_frozen_counter_carries_every_module_printing_loads_at_run_time(bundle: Built, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from PyInstaller.archive.readers import CArchiveReader

    root = Path(__file__).resolve().parents[2]
    loaded = subprocess.run([sys.executable, "-c", _PRINTING_PROBE, str(tmp_path / "probe")], cwd=root,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    needed = set(loaded.stdout.split())
    assert "reportlab.graphics.barcode.qr" in needed  # the receipt's QR code, loaded by name
    archive = CArchiveReader(str(bundle_exe(bundle.path)))
    pyz = archive.open_embedded_archive("PYZ.pyz")
    assert sorted(needed - set(pyz.toc)) == []
