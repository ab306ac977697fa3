"""Packaging promises: the server install never pulls Qt, and resources ship with the program."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_core_and_the_server_extra_do_not_depend_on_pyside6():
    project = _project()
    core = [d.lower() for d in project["dependencies"]]
    server = [d.lower() for d in project["optional-dependencies"]["server"]]
    assert not any("pyside6" in d for d in core + server)
    assert any("pyside6-essentials" in d.lower() for d in project["optional-dependencies"]["client"])


def test_importing_the_cli_and_the_services_does_not_load_qt():
    code = ("import sys, app.cli.main, app.services.cases, app.services.imports, app.server, app.sync; "
            "print(any(m.startswith('PySide6') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_the_wheel_carries_the_catalogue_the_calendar_and_the_migrations(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                            str(tmp_path), str(ROOT)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("stationdesk-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("app/_resources/catalog/standard-47.json", "app/_resources/catalog/town-n.json",
                   "app/_resources/calendar/cn-holidays.json", "app/_resources/areas/gbt2260.tsv", "app/_db/env.py",
                   "app/_db/versions/0001_initial_schema.py", "app/_resources/styles/counter.qss"):
        assert needed in names, needed
