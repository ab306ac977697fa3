"""Hand a PDF to the operating system's printing (CUPS ``lp`` on Linux, SumatraPDF on Windows), or to a folder.

The desktop counter prints through Qt (preview, printer dialog); this is for the CLI and for silent
receipts. Both paths are tested with stand-ins (a fake ``lp``; a fake SumatraPDF found the way Windows would
find it); neither has run against a real spooler here, and the Windows path has never run on Windows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from app.domain.errors import DomainError

TIMEOUT_S = 60


def _sumatra() -> str | None:
    found = shutil.which("SumatraPDF") or shutil.which("SumatraPDF.exe")
    if found:
        return found
    for base in (os.environ.get("LOCALAPPDATA", ""), os.environ.get("PROGRAMFILES", "")):
        path = Path(base) / "SumatraPDF" / "SumatraPDF.exe"
        if base and path.is_file():
            return str(path)
    return None


def send_to_printer(pdf: bytes, printer: str, *, title: str = "StationDesk") -> None:
    """Queue ``pdf`` on ``printer``; raises ``print.printer_failed`` / ``print.no_spooler`` with the reason."""
    if sys.platform == "win32":
        exe = _sumatra()
        if exe is None:
            raise DomainError("print.no_spooler", tool="SumatraPDF")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{_file_name(title)}.pdf"  # Sumatra shows it as the job's name
            path.write_bytes(pdf)
            _run([exe, "-print-to", printer, "-silent", "-print-settings", "noscale", str(path)], None, printer)
        return
    lp = shutil.which("lp")
    if lp is None:
        raise DomainError("print.no_spooler", tool="lp (CUPS)")
    _run([lp, "-d", printer, "-t", title, "-"], pdf, printer)


def save_pdf(pdf: bytes, folder: Path, name: str) -> Path:
    """``pdf`` written into ``folder`` as ``name``.pdf (a name Windows accepts); a file already there is kept and
    this one takes ``name (2).pdf``. Raises ``print.cannot_save`` saying why (a stick pulled out, no room)."""
    base = _file_name(name)
    path = folder / f"{base}.pdf"
    n = 1
    try:
        while path.exists():
            n += 1
            path = folder / f"{base} ({n}).pdf"
        with path.open("xb") as f:
            f.write(pdf)
    except OSError as e:
        raise DomainError("print.cannot_save", folder=str(folder), reason=e.strerror or str(e)) from e
    return path


def _file_name(title: str) -> str:
    """A name Windows accepts (no \\ / : * ? " < > |, no trailing dot or space)."""
    cleaned = "".join("_" if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in title).strip(" .")
    return cleaned[:80] or "StationDesk"


def _run(argv: list[str], data: bytes | None, printer: str) -> None:
    try:
        done = subprocess.run(argv, input=data, capture_output=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise DomainError("print.printer_failed", printer=printer, reason=str(e)) from e
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
        raise DomainError("print.printer_failed", printer=printer, reason=reason[-1] if reason else done.returncode)
