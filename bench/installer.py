"""Figures of the Windows delivery (issue 8; ``python -m bench --only installer``, never in a plain run): the
bundle built from scratch (size, time), the installer made from it (size against the 120 MB limit, time), the
bundled counter's start to its first paint (cold and warm) beside the same start from source, and the
installer's silent install and uninstall under wine.

On Linux the bundle is the Linux one and it is also the installer's payload (installers/README.md): its size
and the installer's are those of that payload; the Windows workflow prints the Windows sizes.

The start is timed from starting the process to Qt's own log line saying the window's first paint is being
flushed ("Painting and flushing dirty top level", logging category qt.widgets.painting): the frozen program
cannot be watched from inside as bench/ui_start.py watches the source run, and Qt's log is the same signal
for both (the window's first paint: the login page, cursor in the account field). The process is then killed.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.figures import Figure
from installers.build import build_bundle, build_installer, bundle_exe, find_makensis
from installers.smoke import run_bundle
from installers.wine import WinePrefix, find_wine

INSTALLER_LIMIT_MB = 120.0
FIRST_PAINT = "Painting and flushing dirty top level"
DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def drop_page_cache() -> bool:
    """Empties the kernel's page cache (as root), so the next start reads its files from disk: a cold start."""
    try:
        subprocess.run(["sync"], check=True)
        DROP_CACHES.write_text("3\n")
        return True
    except OSError:
        return False


def time_to_first_paint(command: list[str], *, cwd: Path | None = None, timeout: float = 120) -> float:
    """Milliseconds from starting ``command`` to Qt's log line of the window's first paint (then it is killed)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as an installed program runs
    env.update(QT_QPA_PLATFORM="offscreen", QT_LOGGING_RULES="qt.widgets.painting=true")
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace",
                            env=env, cwd=cwd)
    assert proc.stderr is not None
    try:
        for line in proc.stderr:
            if FIRST_PAINT in line:
                return (time.perf_counter() - t0) * 1000
            if time.perf_counter() - t0 > timeout:
                break
        raise RuntimeError(f"{command[0]} never painted its window")
    finally:
        proc.kill()
        proc.wait(timeout=30)


def _starts(command: list[str], runs: int, cwd: Path | None = None) -> tuple[list[float], list[float], bool]:
    """Cold starts (page cache dropped before each) and warm starts (after one uncounted run)."""
    cold: list[float] = []
    dropped = True
    for _ in range(3):
        dropped = drop_page_cache() and dropped
        cold.append(time_to_first_paint(command, cwd=cwd))
    time_to_first_paint(command, cwd=cwd)
    warm = [time_to_first_paint(command, cwd=cwd) for _ in range(runs)]
    return cold, warm, dropped


def run(*, starts: int = 7, log: Callable[[str], None] = print) -> tuple[list[Figure], dict[str, Any]]:
    work = Path(tempfile.mkdtemp(prefix="stationdesk-bench-installer-"))
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    try:
        # PyInstaller's work folder is new, so nothing of an earlier build is reused (its cache of
        # analysed binaries in the user's cache folder still is, as on any build machine).
        bundle = build_bundle(work / "dist", work / "pyinstaller", log=log)
        figures += [
            Figure("installer: bundle size (onedir folder, files as stored)", bundle.size / 1e6, "MB",
                   detail=f"{bundle.path} ({sys.platform} bundle)"),
            Figure("installer: bundle build time (PyInstaller, fresh work folder)", bundle.seconds, "s"),
        ]
        details["bundle"] = {"bytes": bundle.size, "seconds": bundle.seconds}

        # The start: a demo station made by the bundle itself, then the program on it up to its first paint.
        smoke = run_bundle(bundle_exe(bundle.path), work / "station")
        if smoke.returncode != 0 or smoke.database is None:
            raise RuntimeError(f"the bundle's smoke run failed: {smoke.output[-2000:]}")
        station = smoke.database.parent
        args = ["--data-dir", str(station), "--lang", "zh", "--lock-minutes", "0"]
        log(f"installer: the bundled counter's start, {starts} warm runs and 3 cold …")
        b_cold, b_warm, dropped = _starts([str(bundle_exe(bundle.path)), *args], starts)
        s_cold, s_warm, _ = _starts([sys.executable, "-m", "app", *args], starts, cwd=Path(__file__).parents[1])
        how = "page cache dropped before each" if dropped else "could not drop the page cache: these are warm"
        bw, sw = statistics.median(b_warm), statistics.median(s_warm)
        figures += [
            Figure("installer: bundled counter, cold start to the window's first paint (median of 3)",
                   statistics.median(b_cold), "ms", detail=how),
            Figure("installer: bundled counter, warm start to the window's first paint (median)", bw, "ms",
                   detail=f"median of {starts}"),
            Figure("installer: the same from source (python -m app), cold / warm", statistics.median(s_cold), "ms",
                   detail=f"warm {sw:.0f} ms; {how}"),
            Figure("installer: bundled warm start / source warm start", bw / sw, "x"),
        ]
        details["start"] = {"bundle_cold_ms": b_cold, "bundle_warm_ms": b_warm, "source_cold_ms": s_cold,
                            "source_warm_ms": s_warm, "cache_dropped": dropped}

        if find_makensis() is None:
            log("installer: makensis is not installed: no installer figures")
            return figures, details
        setup = build_installer(bundle.path, work / "installer", log=log)
        figures += [
            Figure("installer: StationDesk-Setup size (LZMA)", setup.size / 1e6, "MB", INSTALLER_LIMIT_MB,
                   detail=f"ratio to the bundle {setup.size / bundle.size:.2f}; payload: the {sys.platform} bundle"),
            Figure("installer: installer build time (makensis)", setup.seconds, "s"),
        ]
        details["installer"] = {"bytes": setup.size, "seconds": setup.seconds}

        if find_wine() is None:
            log("installer: wine is not installed: no install figures")
            return figures, details
        log("installer: silent install and uninstall under wine …")
        wine = WinePrefix(work / "wine")
        try:
            boot = wine.boot()
            installed = wine.run(setup.path, "/S", "/CURRENTUSER", r"/D=C:\StationDesk-bench")
            removed = wine.run(r"C:\StationDesk-bench\uninstall.exe", "/S")
            if installed.returncode or removed.returncode:
                raise RuntimeError(f"wine: install {installed.returncode}, uninstall {removed.returncode}")
        finally:
            wine.kill()
        figures += [
            Figure("installer: silent install under wine (per user)", installed.seconds, "s",
                   detail=f"a fresh prefix made in {boot:.0f} s first (not counted)"),
            Figure("installer: silent uninstall under wine", removed.seconds, "s"),
        ]
        details["wine"] = {"boot_s": boot, "install_s": installed.seconds, "uninstall_s": removed.seconds}
        return figures, details
    finally:
        shutil.rmtree(work, ignore_errors=True)
