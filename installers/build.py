r"""Builds the counter's bundle (PyInstaller) and its Windows installer (NSIS), and smoke-runs the bundle.

    python -m installers.build bundle      # build/dist/StationDesk/ (StationDesk.exe + _internal/)
    python -m installers.build installer   # build/installer/StationDesk-Setup-<version>.exe (needs makensis)
    python -m installers.build all         # both
    python -m installers.build smoke       # run the built bundle once, offscreen, on a fresh data folder
    python -m installers.build smoke --bundle "C:\Program Files\StationDesk"   # or an installed copy

Everything goes under build/ (git-ignored). The bundle needs `pip install -e ".[build]"`; the installer needs
NSIS 3 (Debian: apt-get install nsis; Windows: choco install nsis).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "installers"
SPEC = HERE / "stationdesk.spec"
NSI = HERE / "stationdesk.nsi"
BUILD = ROOT / "build"
DIST = BUILD / "dist"
WORK = BUILD / "pyinstaller"
INSTALLER_DIR = BUILD / "installer"
BUNDLE_NAME = "StationDesk"
WINDOWS = sys.platform == "win32"

Log = Callable[[str], None]


def _say(text: str) -> None:
    print(text, flush=True)


def version() -> str:
    """``__version__`` of app/__init__.py, read as text (the build does not import the app)."""
    text = (ROOT / "app" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.MULTILINE)
    if match is None:
        raise SystemExit("app/__init__.py has no __version__")
    return match.group(1)


def installer_name(ver: str | None = None) -> str:
    return f"StationDesk-Setup-{ver or version()}.exe"


def bundle_exe(bundle_dir: Path) -> Path:
    """The program in a bundle folder: StationDesk.exe on Windows, StationDesk on Linux."""
    return bundle_dir / (f"{BUNDLE_NAME}.exe" if WINDOWS else BUNDLE_NAME)


def admin_exe(bundle_dir: Path) -> Path:
    """The admin CLI beside it: stationdesk-admin.exe on Windows, stationdesk-admin on Linux."""
    return bundle_dir / ("stationdesk-admin.exe" if WINDOWS else "stationdesk-admin")


def folder_size(folder: Path) -> int:
    """Bytes of the files under ``folder``; a symbolic link counts as the link, not as what it points to."""
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


@dataclass(frozen=True)
class Built:
    path: Path
    seconds: float
    size: int  # bytes


def build_bundle(dist: Path = DIST, work: Path = WORK, *, log: Log = _say) -> Built:
    """PyInstaller with installers/stationdesk.spec: ``dist``/StationDesk/."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit('PyInstaller is not installed: pip install -e ".[build]"') from None
    log(f"bundle: PyInstaller {SPEC.relative_to(ROOT)} -> {dist / BUNDLE_NAME}")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work), str(SPEC)], check=True, cwd=ROOT)
    seconds = time.perf_counter() - t0
    folder = dist / BUNDLE_NAME
    if not bundle_exe(folder).is_file():
        raise SystemExit(f"PyInstaller ran but {bundle_exe(folder)} is not there")
    size = folder_size(folder)
    log(f"bundle: {folder} ({size / 1e6:.0f} MB) in {seconds:.0f} s")
    return Built(folder, seconds, size)


def find_makensis() -> str | None:
    found = shutil.which("makensis")
    if found:
        return found
    if WINDOWS:  # the NSIS installer (and choco) put it here without touching PATH
        for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):
            if base and (Path(base) / "NSIS" / "makensis.exe").is_file():
                return str(Path(base) / "NSIS" / "makensis.exe")
    return None


def build_installer(bundle_dir: Path = DIST / BUNDLE_NAME, out_dir: Path = INSTALLER_DIR, *,
                    log: Log = _say) -> Built:
    """makensis installers/stationdesk.nsi on the bundle: ``out_dir``/StationDesk-Setup-<version>.exe."""
    makensis = find_makensis()
    if makensis is None:
        raise SystemExit("makensis is not installed (Debian: apt-get install nsis; Windows: choco install nsis)")
    if not bundle_dir.is_dir():
        raise SystemExit(f"no bundle in {bundle_dir}: run `python -m installers.build bundle` first")
    ver = version()
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / installer_name(ver)
    dash = "/" if WINDOWS else "-"  # makensis's option sign on each system
    args = [makensis, f"{dash}INPUTCHARSET", "UTF8", f"{dash}V2", f"{dash}DVERSION={ver}",
            f"{dash}DBUNDLE_DIR={bundle_dir.resolve()}", f"{dash}DOUT_FILE={out.resolve()}", str(NSI)]
    log(f"installer: makensis {NSI.relative_to(ROOT)} (version {ver}, payload {bundle_dir})")
    if not WINDOWS:
        log("installer: the payload is the Linux bundle: this installer tests the installer's logic under wine")
    t0 = time.perf_counter()
    subprocess.run(args, check=True, cwd=HERE)
    seconds = time.perf_counter() - t0
    size = out.stat().st_size
    log(f"installer: {out} ({size / 1e6:.1f} MB) in {seconds:.0f} s")
    return Built(out, seconds, size)


def smoke(bundle_dir: Path = DIST / BUNDLE_NAME, *, keep: Path | None = None, log: Log = _say) -> int:
    """Runs the bundle once on a fresh data folder and checks what it did; 0 when everything held."""
    from installers.smoke import check_run, run_bundle

    work = keep or Path(tempfile.mkdtemp(prefix="stationdesk-smoke-"))
    log(f"smoke: {bundle_exe(bundle_dir)} --demo --screenshot (data in {work / 'data'})")
    run = run_bundle(bundle_exe(bundle_dir), work)
    problems = check_run(run)
    for line in run.output.splitlines()[-5:]:
        log(f"  | {line}")
    if problems:
        for p in problems:
            log(f"smoke: FAILED: {p}")
        return 1
    log(f"smoke: passed in {run.seconds:.1f} s: exit 0, {run.screenshot} ({run.image}), "
        f"database at revision {run.revision}")
    if keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m installers.build", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=("bundle", "installer", "all", "smoke"))
    p.add_argument("--dist", type=Path, default=DIST, help="where the bundle folder goes (default build/dist)")
    p.add_argument("--out", type=Path, default=INSTALLER_DIR, help="where the installer goes (build/installer)")
    p.add_argument("--bundle", type=Path, help="installer, smoke: this bundle folder instead of <dist>/StationDesk "
                                                "(smoke: an installed copy, say)")
    p.add_argument("--keep", type=Path, help="smoke: keep the data folder and screenshot in this folder")
    args = p.parse_args(argv)
    bundle_dir = args.bundle or args.dist / BUNDLE_NAME
    if args.what in ("bundle", "all"):
        build_bundle(args.dist)
    if args.what in ("installer", "all"):
        build_installer(bundle_dir, args.out)
    if args.what == "smoke":
        return smoke(bundle_dir, keep=args.keep)
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:  # run as `python installers/build.py`
        sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
