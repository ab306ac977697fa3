"""The Windows delivery's fixtures: the bundle built once per session with the real spec, the installer compiled
once from it with makensis, and a fresh wine prefix per module.

Without PyInstaller, makensis or wine these tests skip and say which tool is missing — except where
STATIONDESK_REQUIRE_INSTALLER_TOOLS=1 (CI sets it in .ci/run): there a missing tool fails them.

A developer trying the tests again may point STATIONDESK_TEST_BUNDLE at a bundle folder and
STATIONDESK_TEST_INSTALLER at a setup .exe already built from the same sources, to skip the build (about four
minutes on two cores); CI sets neither, so it always builds both from what is checked in."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from installers.build import Built, build_bundle, build_installer, find_makensis, folder_size
from installers.wine import WinePrefix, find_wine

REQUIRED = os.environ.get("STATIONDESK_REQUIRE_INSTALLER_TOOLS") == "1"


def need(present: bool, missing: str) -> None:
    """Skips (a developer's machine) or fails (CI) when a tool the test needs is not there."""
    if present:
        return
    if REQUIRED:
        pytest.fail(f"{missing}, and STATIONDESK_REQUIRE_INSTALLER_TOOLS=1 says it must be", pytrace=False)
    pytest.skip(missing)


def _quiet(_text: str) -> None:
    pass


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """build/dist/StationDesk as `python -m installers.build bundle` makes it, in a folder of this session."""
    given = os.environ.get("STATIONDESK_TEST_BUNDLE")
    if given:
        yield Built(Path(given), 0.0, folder_size(Path(given)))
        return
    need(importlib.util.find_spec("PyInstaller") is not None,
         'PyInstaller is not installed (pip install -e ".[build]")')
    root = tmp_path_factory.mktemp("bundle")
    yield build_bundle(root / "dist", root / "work", log=_quiet)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def installer(bundle: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """StationDesk-Setup-<version>.exe compiled by makensis from the session's bundle (the Linux bundle as its
    payload: what is tested is the installer's own logic)."""
    given = os.environ.get("STATIONDESK_TEST_INSTALLER")
    if given:
        yield Built(Path(given), 0.0, Path(given).stat().st_size)
        return
    need(find_makensis() is not None, "makensis is not installed (apt-get install nsis)")
    root = tmp_path_factory.mktemp("installer")
    yield build_installer(bundle.path, root, log=_quiet)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def wine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WinePrefix]:
    """A fresh 64-bit wine prefix reporting Windows 10, in a folder of its own (HOME too)."""
    need(find_wine() is not None and shutil.which("wineserver") is not None,
         "wine is not installed (apt-get install wine wine64)")
    root = tmp_path_factory.mktemp("wine")
    prefix = WinePrefix(root)
    prefix.boot()
    yield prefix
    prefix.kill()
    shutil.rmtree(root, ignore_errors=True)
