"""``python -m app.cli cash|pay|payment|void|refund|close-day|report day|check``: a day of money at the counter
from the command line, the paper it prints read back, and a change behind its back caught by the check."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from app.cli.main import main
from app.services.cases import accept_case
from app.services.residents import register_resident
from tests.conftest import PASSWORD, StationFixture
from tests.helpers import make_id
from tests.printing.pdfcheck import squeezed


@pytest.fixture
def cases(station: StationFixture, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("STATIONDESK_PASSWORD", PASSWORD)
    monkeypatch.setenv("STATIONDESK_APPROVER_PASSWORD", PASSWORD)
    person = register_resident(station.ctx, actor=station.head, name="张三", id_number=make_id(date(1980, 5, 6), True),
                               village="V01").id
    spec = station.ctx.catalog.item("N01")
    return [accept_case(station.ctx, actor=station.clerk, applicant_id=person, item_code="N01",
                        received_materials=[m.code for m in spec.materials],
                        form={"account_no": "330127001234", "amount": amount}).case.case_no
            for amount in ("88.5", "20", "35")]


def _cli(station: StationFixture, user: str, *args: str) -> int:
    return main(["--data-dir", str(station.data_dir), "--user", user, *args])


def test_a_day_of_money_from_the_command_line(station: StationFixture, cases: list[str], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    bill, qr, wrong = cases
    assert _cli(station, "xiaoli", "pay", bill, "--tendered", "100") == 1  # no drawer yet
    assert "钱箱还没有打开" in capsys.readouterr().err
    assert _cli(station, "xiaoli", "cash", "open", "--float", "200") == 0
    assert _cli(station, "xiaoli", "pay", bill, "--tendered", "100", "--out", str(tmp_path / "sk.pdf")) == 0
    out = capsys.readouterr().out
    assert "¥88.50" in out and "找零 ¥11.50" in out
    receipt = squeezed((tmp_path / "sk.pdf").read_bytes())
    assert "收款收据" in receipt and "捌拾捌元伍角" in receipt and "实收¥100.00，找零¥11.50" in receipt
    assert _cli(station, "xiaoli", "pay", qr, "--method", "微信") == 1
    assert "交易号" in capsys.readouterr().err
    assert _cli(station, "xiaoli", "pay", qr, "--method", "微信", "--ref", "4200001234202611240001") == 0
    assert _cli(station, "xiaoli", "payment", "remit", "4200001234202611240001") == 0
    assert _cli(station, "xiaoli", "payment", "match", qr, "--confirm", "SW20261124-17") == 0
    assert "已对账" in capsys.readouterr().out
    assert _cli(station, "xiaoli", "pay", wrong, "--tendered", "50") == 0
    assert _cli(station, "xiaoli", "void", wrong, "--reason", "户号错了") == 1  # a clerk alone cannot void
    assert "站长审批" in capsys.readouterr().err
    assert _cli(station, "xiaoli", "void", wrong, "--reason", "户号错了", "--approver", "zhanzhang") == 0
    assert "已作废" in capsys.readouterr().out
    assert _cli(station, "xiaoli", "cash", "move", "--out", "60", "--reason", "上缴镇财政所") == 0
    assert _cli(station, "xiaoli", "cash", "in", "10", "--reason", "多取了 10 元，放回") == 0
    capsys.readouterr()
    assert _cli(station, "xiaoli", "--json", "cash", "status") == 0
    status = json.loads(capsys.readouterr().out)
    assert status["expected_fen"] == 20000 + 8850 - 5000
    assert _cli(station, "xiaoli", "close-day") == 1  # the drawer first
    assert "钱箱还没有结账" in capsys.readouterr().err
    assert _cli(station, "xiaoli", "cash", "close", "--count", "100=2,10=3,5=1,1=3,0.5=1") == 0
    assert "差额 ¥0.00" in capsys.readouterr().out
    assert _cli(station, "xiaoli", "close-day", "--out", str(tmp_path / "rj.pdf")) == 0
    out = capsys.readouterr().out
    assert "已日结" in out and "收款 3 笔 ¥143.50" in out and "净额 ¥108.50" in out
    report = squeezed((tmp_path / "rj.pdf").read_bytes())
    for expected in ("日结报表", "N01水费缴纳·现金", "¥123.50", "微信1笔¥20.00", "作废", "户号错了", "王秀英",
                     "实收净额¥108.50", "壹佰零捌元伍角", "收款校验链"):
        assert expected in report, expected
    assert _cli(station, "xiaoli", "report", "day", "--out", str(tmp_path / "rj2.pdf")) == 0
    assert "补打" in squeezed((tmp_path / "rj2.pdf").read_bytes())  # the same report, a copy of its number
    assert _cli(station, "zhanzhang", "check") == 0
    assert "检查通过" in capsys.readouterr().out
    # The heads the close printed, typed in as they read on the paper: the check compares with them.
    printed = re.search(r"核对时输入：(\S+)", squeezed((tmp_path / "rj.pdf").read_bytes()))
    assert printed is not None
    assert _cli(station, "zhanzhang", "check", "--offline", "--anchor", printed.group(1)) == 0
    assert "日结单上的位置" in capsys.readouterr().out

    with station.ctx.db.engine.begin() as conn:  # someone lowers an amount in the file after the close
        conn.execute(text("UPDATE payments SET total_fen = 850 WHERE total_fen = 8850"))
    assert _cli(station, "zhanzhang", "check") == 1
    assert "在记录之后被改动过" in capsys.readouterr().out


def test_a_day_not_closed_gives_a_marked_preview_and_bad_input_is_told_plainly(
        station: StationFixture, cases: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(station, "xiaoli", "cash", "open", "--float", "abc") == 1
    assert "abc" in capsys.readouterr().err
    assert _cli(station, "xiaoli", "cash", "open", "--float", "100") == 0
    assert _cli(station, "xiaoli", "cash", "close", "--count", "3=1") == 1
    assert "面额" in capsys.readouterr().err
    assert _cli(station, "xiaoli", "cash", "close", "--count", "50=1") == 1  # ¥50 short: the head must close
    assert "要站长来结账" in capsys.readouterr().err
    assert _cli(station, "xiaoli", "report", "day", "--out", str(tmp_path / "preview.pdf")) == 0
    assert "样张" in squeezed((tmp_path / "preview.pdf").read_bytes())
    assert _cli(station, "xiaoli", "report", "day", "--printer", "x") == 1
    assert "预览" in capsys.readouterr().err


def test_a_close_whose_backup_cannot_be_made_stands_and_the_cli_says_so(
        station: StationFixture, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from app.services.backups import auto_folder

    monkeypatch.setenv("STATIONDESK_PASSWORD", PASSWORD)
    auto_folder(station.data_dir).parent.mkdir(parents=True, exist_ok=True)
    auto_folder(station.data_dir).write_text("a file where the backups folder should be")
    assert _cli(station, "xiaoli", "close-day") == 0  # the close stands
    run = capsys.readouterr()
    assert "已日结" in run.out
    assert "日结已完成，但日结后的自动备份没有做成" in run.err and "手工备份" in run.err
