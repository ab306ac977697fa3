"""Handing a PDF to the system's printing on Windows: SumatraPDF found where Windows keeps it, with the
printer's name, silent, not scaled; a plain message when it is missing or fails. The spooler is a stand-in
(a script in SumatraPDF's place): no Windows and no printer here."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from app.domain.errors import DomainError
from app.printing import spool


def _fake_sumatra(base: Path, *, fail: bool = False) -> Path:
    folder = base / "SumatraPDF"
    folder.mkdir(parents=True)
    exe = folder / "SumatraPDF.exe"
    body = ('echo "Printer not found" >&2; exit 1' if fail
            else f'printf "%s\\n" "$@" > "{base}/args"; for last; do :; done; cp "$last" "{base}/job.pdf"')
    exe.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setattr(sys, "platform", "win32")
    assert spool.shutil.which("SumatraPDF") is None  # not on PATH: found in an install folder
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    monkeypatch.setenv("PROGRAMFILES", str(tmp_path / "programs"))
    return tmp_path


def test_sumatra_gets_the_printer_silent_and_unscaled_with_a_file_name_windows_accepts(windows: Path) -> None:
    _fake_sumatra(windows / "programs")
    spool.send_to_printer(b"%PDF-1.4 receipt", "XP-80C 热敏", title='QX01-SL2026-000001: "补打"')
    args = (windows / "programs" / "args").read_text(encoding="utf-8").splitlines()
    assert args[:5] == ["-print-to", "XP-80C 热敏", "-silent", "-print-settings", "noscale"]
    assert Path(args[5]).name == "QX01-SL2026-000001_ _补打_.pdf"
    assert (windows / "programs" / "job.pdf").read_bytes() == b"%PDF-1.4 receipt"
    assert not Path(args[5]).exists()  # the temporary copy is gone


def test_the_per_user_install_wins_and_a_failure_or_no_sumatra_is_a_plain_message(windows: Path) -> None:
    with pytest.raises(DomainError) as missing:
        spool.send_to_printer(b"%PDF", "HP")
    assert missing.value.code == "print.no_spooler" and missing.value.params["tool"] == "SumatraPDF"
    _fake_sumatra(windows / "programs")
    _fake_sumatra(windows / "local", fail=True)  # the per-user one is taken first: its failure shows
    with pytest.raises(DomainError) as failed:
        spool.send_to_printer(b"%PDF", "HP")
    assert failed.value.code == "print.printer_failed" and failed.value.params["reason"] == "Printer not found"


def test_a_title_that_is_nothing_but_forbidden_characters_still_names_a_file() -> None:
    assert spool._file_name(' ..:*?<>| ') == "______" and spool._file_name("  ") == "StationDesk"
    assert os.sep not in spool._file_name("a/b\\c")
