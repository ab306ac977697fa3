"""``python -m app.cli print KIND NUMBER --out FILE.pdf [--printer NAME] [--reprint]`` and its companions."""

from __future__ import annotations

import json
import os
import stat
from datetime import date
from pathlib import Path

import pytest

from app.cli.main import main
from app.services.cases import accept_case
from app.services.residents import register_resident
from tests.conftest import PASSWORD, StationFixture
from tests.helpers import make_id
from tests.printing.pdfcheck import page_sizes_mm, squeezed


@pytest.fixture
def case_no(station: StationFixture, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("STATIONDESK_USER", "xiaoli")
    monkeypatch.setenv("STATIONDESK_PASSWORD", PASSWORD)
    person = register_resident(station.ctx, actor=station.head, name="张三", id_number=make_id(date(1980, 5, 6), True),
                               village="V01", phone="13812345678")
    item = station.ctx.catalog.item("S08")
    return accept_case(station.ctx, actor=station.clerk, applicant_id=person.id, item_code="S08",
                       received_materials=[m.code for m in item.materials]).case.case_no


def _cli(station: StationFixture, *args: str) -> int:
    return main(["--data-dir", str(station.data_dir), *args])


def _fake_lp(folder: Path, monkeypatch: pytest.MonkeyPatch, *, fail: bool = False) -> Path:
    """An ``lp`` on PATH that keeps what it was sent (or refuses like CUPS does for an unknown printer)."""
    folder.mkdir()
    script = folder / "lp"
    body = ('echo "lp: The printer or class does not exist." >&2; exit 1' if fail
            else f'echo "$@" > {folder}/args; cat > {folder}/job.pdf; echo "request id is HP-1"')
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return folder


def test_print_writes_the_receipt_and_a_reprint_keeps_its_number(station: StationFixture, case_no: str,
                                                                 tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.pdf"
    assert _cli(station, "print", "receipt", case_no, "--out", str(out)) == 0
    assert "QX01-SL2026-000001" in squeezed(out.read_bytes())
    assert _cli(station, "print", "receipt", case_no, "--out", str(out)) == 1
    assert "已经打印过" in capsys.readouterr().err
    assert _cli(station, "--json", "print", "receipt", case_no, "--out", str(out), "--reprint", "--paper", "58mm") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["number"] == "QX01-SL2026-000001" and result["reprint"] and result["paper"] == "58mm"
    assert "补打" in squeezed(out.read_bytes()) and page_sizes_mm(out.read_bytes())[0][0] == pytest.approx(58, 0.01)


def test_print_to_a_printer_sends_the_pdf_and_clears_the_queue(station: StationFixture, case_no: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    spool = _fake_lp(tmp_path / "bin", monkeypatch)
    assert _cli(station, "print", "receipt", case_no, "--printer", "HP") == 0
    assert (spool / "args").read_text().split()[:2] == ["-d", "HP"]
    assert (spool / "job.pdf").read_bytes().startswith(b"%PDF")
    assert _cli(station, "documents", "list", "--unprinted") == 0
    assert "共 0 张" in capsys.readouterr().out


def test_a_failing_printer_gives_a_plain_message_and_the_document_waits_in_the_queue(
        station: StationFixture, case_no: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _fake_lp(tmp_path / "bin", monkeypatch, fail=True)
    assert _cli(station, "print", "receipt", case_no, "--printer", "Nope") == 1
    err = capsys.readouterr().err
    assert "打印机“Nope”没有打印成功" in err and "does not exist" in err and "Traceback" not in err
    assert _cli(station, "documents", "list", "--unprinted") == 0
    assert "QX01-SL2026-000001" in capsys.readouterr().out
    _fake_lp(tmp_path / "bin2", monkeypatch)
    assert _cli(station, "print", "receipt", "QX01-SL2026-000001", "--printer", "HP") == 0  # reprint from the queue


def test_bad_input_gets_a_chinese_message_not_a_traceback(station: StationFixture, case_no: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    for args, words in [
        (("print", "receipt", case_no), "--out"),
        (("print", "invoice", case_no, "--out", str(tmp_path / "x.pdf")), "没有“invoice”这种单据"),
        (("print", "ledger", "yesterday", "--out", str(tmp_path / "x.pdf")), "2026-11-23"),
        (("print", "receipt", case_no, "--out", str(tmp_path / "no" / "such" / "dir.pdf")), "不能写入"),
        (("print-settings", "set", "font", "comic"), "站长"),
    ]:
        assert _cli(station, *args) == 1, args
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err, (args, err)


def test_settings_payment_ledger_and_void_from_the_cli(station: StationFixture, case_no: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("STATIONDESK_USER", "zhanzhang")
    assert _cli(station, "print-settings", "set", "footer", "周一至周六 8:30-17:00 办公") == 0
    assert _cli(station, "print", "receipt", case_no, "--out", str(tmp_path / "r.pdf")) == 0
    assert "周一至周六" in squeezed((tmp_path / "r.pdf").read_bytes())
    assert _cli(station, "print", "ledger", "2026-11-23", "--out", str(tmp_path / "l.pdf")) == 0
    ledger = squeezed((tmp_path / "l.pdf").read_bytes())
    assert "办件台账" in ledger and "周一至周六" not in ledger  # the ledger stays in the station: no footer
    assert _cli(station, "payment", "record", case_no) == 1  # S08 costs nothing
    assert "没有要收的钱" in capsys.readouterr().err
    assert _cli(station, "documents", "void", "QX01-TZ2026-000001", "--reason", "下午重打") == 0
    assert _cli(station, "print", "ledger", "2026-11-23", "--out", str(tmp_path / "l.pdf")) == 0
    assert "QX01-TZ2026-000002" in squeezed((tmp_path / "l.pdf").read_bytes())
