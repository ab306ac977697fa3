"""Amounts in capitals on paper, read back from the PDF: 人民币 before the 大写 on a receipt and on the day-close
report, and the close's 大写 says the same as its figures — a negative net too (负…)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest

from app.printing.documents import issue
from app.services import cash, closing
from app.services.cases import accept_case
from app.services.payments import payment_event, record_payment
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id
from tests.printing.pdfcheck import squeezed


@pytest.fixture
def person(station: StationFixture) -> str:
    return register_resident(station.ctx, actor=station.head, name="张三", id_number=make_id(date(1980, 5, 6), True),
                             village="V01", phone="13812345678").id


def _water_bill(station: StationFixture, person: str, amount: str) -> str:
    item = station.ctx.catalog.item("N01")
    return accept_case(station.ctx, actor=station.clerk, applicant_id=person, item_code="N01",
                       received_materials=[m.code for m in item.materials],
                       form={"account_no": "1234567890", "amount": amount}).case.case_no


def _close(station: StationFixture, count: dict[int, int]) -> None:
    cash.close_drawer(station.ctx, actor=station.clerk, count=count)
    closing.close_day(station.ctx, actor=station.clerk)


def _save(pdf: bytes, name: str) -> None:
    """Keep the PDF where a person can render and look at it (STATIONDESK_PAPER_OUT, when set)."""
    import os

    folder = os.environ.get("STATIONDESK_PAPER_OUT")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(pdf)


def test_a_payment_receipt_writes_renminbi_before_its_capitals_on_a4_and_80mm(station: StationFixture,
                                                                             person: str) -> None:
    case = _water_bill(station, person, "1005.50")
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=0)
    record_payment(station.ctx, actor=station.clerk, case_id=case, tendered_fen=100550)
    for paper in ("a4", "80mm"):
        done = issue(station.ctx, actor=station.clerk, kind="payment", subject=case, paper=paper,
                     reprint=paper == "80mm")
        _save(done.pdf, f"payment-{paper}.pdf")
        text = squeezed(done.pdf)
        assert "¥1,005.50" in text and "人民币壹仟零伍元伍角" in text, paper


def test_the_day_close_writes_its_net_in_capitals_as_its_figures_say(station: StationFixture, person: str) -> None:
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=0)
    record_payment(station.ctx, actor=station.clerk, case_id=_water_bill(station, person, "88.5"), tendered_fen=8850)
    _close(station, {5000: 1, 2000: 1, 1000: 1, 500: 1, 100: 3, 50: 1})
    done = issue(station.ctx, actor=station.clerk, kind="day-close", subject="2026-11-23", paper="a4")
    _save(done.pdf, "close-positive.pdf")
    text = squeezed(done.pdf)
    assert "实收净额¥88.50（大写：人民币捌拾捌元伍角）" in text


def test_a_day_whose_refunds_exceed_its_takings_writes_a_negative_net_in_capitals(station: StationFixture,
                                                                                 person: str) -> None:
    # The 23rd: ¥88.50 taken and the day closed. The 24th: that payment voided (cash back out), nothing taken.
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=0)
    paid = record_payment(station.ctx, actor=station.clerk, case_id=_water_bill(station, person, "88.5"),
                          tendered_fen=8850)
    _close(station, {5000: 1, 2000: 1, 1000: 1, 500: 1, 100: 3, 50: 1})
    station.clock.set(datetime(2026, 11, 24, 9, 0))
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=10000)
    payment_event(station.ctx, actor=station.clerk, payment_id=paid.id, event="voided", reason="重复收费",
                  approver=station.head)
    station.clock.set(datetime(2026, 11, 24, 17, 0))
    _close(station, {1000: 1, 100: 1, 50: 1})  # ¥100.00 float less ¥88.50 back
    done = issue(station.ctx, actor=station.clerk, kind="day-close", subject="2026-11-24", paper="a4")
    _save(done.pdf, "close-negative.pdf")
    text = squeezed(done.pdf)
    found = re.search(r"实收净额(-?¥[\d,.]+)（大写：([^）]+)）", text)
    assert found, text
    assert found.group(1) == "-¥88.50" and found.group(2) == "人民币负捌拾捌元伍角"
