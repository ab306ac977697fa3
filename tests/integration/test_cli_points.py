"""``python -m app.cli points …``: the whole points round from the command line, and plain refusals."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from app.cli.main import main
from app.services import points as svc
from app.services.residents import register_resident
from tests.conftest import PASSWORD, StationFixture
from tests.helpers import make_id
from tests.printing.pdfcheck import squeezed


@pytest.fixture
def resident(station: StationFixture, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("STATIONDESK_PASSWORD", PASSWORD)
    return register_resident(station.ctx, actor=station.head, name="张小三", id_number=make_id(date(1990, 5, 6), True),
                             village="V01", group="3组", household_no="V01-000123", relation="户主").id


def _cli(station: StationFixture, user: str, *args: str) -> int:
    return main(["--data-dir", str(station.data_dir), "--user", user, *args])


def test_declare_approve_post_settle_redeem_and_statement(station: StationFixture, resident: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(station, "xiaoli", "points", "declare", "--resident", resident, "--indicator", "T17",
                "--hours", "2", "--by", "组长 王五") == 0
    assert "等待评议" in capsys.readouterr().out
    assert _cli(station, "xiaoli", "--json", "points", "pending") == 0
    pending = json.loads(capsys.readouterr().out)
    assert [(d["points"], d["state"]) for d in pending] == [(2, "pending")]
    short = pending[0]["id"][-8:]
    assert _cli(station, "xiaoli", "points", "approve", short) == 1  # a clerk does not review
    assert "不能做这项操作" in capsys.readouterr().err
    assert _cli(station, "zhanzhang", "points", "approve", short, "--body", "评议小组") == 0
    assert _cli(station, "zhanzhang", "points", "notice", "post", "--out", str(tmp_path / "gs.pdf")) == 0
    assert "张*三" in squeezed((tmp_path / "gs.pdf").read_bytes())
    capsys.readouterr()
    assert _cli(station, "xiaoli", "points", "settle") == 0  # the CLI runs on today's clock: still in notice
    assert "入账 0 项" in capsys.readouterr().out
    later = datetime.now() + timedelta(days=7)  # a week on, through the services' own clock
    station.clock.set(later)
    assert svc.settle(station.ctx, actor=station.clerk).credited == 1
    assert _cli(station, "zhanzhang", "points", "goods", "save", "XZ", "--name", "香皂", "--price", "1") == 0
    assert _cli(station, "zhanzhang", "points", "goods", "stock", "XZ", "5") == 0
    assert _cli(station, "xiaoli", "points", "redeem", "--resident", resident, "--goods", "XZ=2",
                "--out", str(tmp_path / "dh.pdf")) == 0
    assert "香皂×2" in squeezed((tmp_path / "dh.pdf").read_bytes())
    capsys.readouterr()
    assert _cli(station, "xiaoli", "points", "statement", resident) == 0
    out = capsys.readouterr().out
    assert "积分 100，可兑换 0" in out and "参加志愿服务（按小时）（2 小时）" in out
    assert _cli(station, "xiaoli", "points", "board") == 0
    assert "张小三" not in capsys.readouterr().out  # the board masks names
    assert _cli(station, "xiaoli", "points", "summary", f"{later:%Y-%m}") == 0
    assert "发放 2 分" in capsys.readouterr().out


def test_bad_input_gets_a_plain_message_and_changes_nothing(station: StationFixture, resident: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    for args, words in [
        (["points", "declare", "--resident", resident, "--indicator", "T99"], "没有编号为“T99”的积分指标"),
        (["points", "declare", "--resident", resident, "--indicator", "T17", "--hours", "两个"], "小时数“两个”不对"),
        (["points", "redeem", "--resident", resident, "--goods", "XZ=1"], "没有编号为“XZ”的在售商品"),
        (["points", "summary", "2026-13"], "期间“2026-13”不对"),
        (["points", "approve", "zzzzzzzz"], "没有找到这条积分申报"),
    ]:
        assert _cli(station, "zhanzhang", *args) == 1, args
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err, (args, err)
    assert _cli(station, "zhanzhang", "--json", "points", "pending") == 0
    assert json.loads(capsys.readouterr().out) == []
