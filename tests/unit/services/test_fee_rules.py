"""A fee that depends on the case, from the catalogue's fee rule: S07's first social-security card is free, a
replacement pays ¥20 — said on the accept result, offered on the money page and charged."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.errors import DomainError
from app.services.cases import accept_case
from app.services.cash import open_drawer
from app.services.payments import awaiting_payment, record_payment
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id


@pytest.fixture
def person(station: StationFixture) -> str:
    return register_resident(station.ctx, actor=station.head, name="张三", id_number=make_id(date(1980, 5, 6), True),
                             village="V01").id


def _card(station: StationFixture, person: str, reason: str):  # type: ignore[no-untyped-def]
    item = station.ctx.catalog.item("S07")
    return accept_case(station.ctx, actor=station.clerk, applicant_id=person, item_code="S07",
                       received_materials=[m.code for m in item.required_materials], form={"reason": reason})


def test_a_first_card_is_free_and_a_replacement_pays_the_fee_the_catalogue_gives(station: StationFixture,
                                                                                person: str) -> None:
    first, lost = _card(station, person, "首次申领"), _card(station, person, "遗失")
    assert (first.fee_fen, lost.fee_fen) == (0, 2000)
    due = {d.case_no: d.total_fen for d in awaiting_payment(station.ctx)}
    assert due == {lost.case.case_no: 2000}  # the first card is not waiting for money
    open_drawer(station.ctx, actor=station.clerk, float_fen=0)
    paid = record_payment(station.ctx, actor=station.clerk, case_id=lost.case.id, tendered_fen=2000)
    assert paid.total_fen == 2000 and paid.lines == (("社保卡申领补换工本费", 2000),)
    with pytest.raises(DomainError) as e:
        record_payment(station.ctx, actor=station.clerk, case_id=first.case.id, tendered_fen=2000)
    assert e.value.code == "payment.nothing_to_pay"


def test_a_consultation_has_no_fee_to_collect_yet(station: StationFixture, person: str) -> None:
    result = accept_case(station.ctx, actor=station.clerk, applicant_id=person, item_code="S07",
                         received_materials=[], form={"reason": "损坏"})
    assert not result.accepted and result.fee_fen == 0
    assert result.notice is not None and result.notice.fee_fen == 2000  # the notice states the item's fee
