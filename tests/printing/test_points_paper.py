"""The points system's paper read back from real PDFs: the public notice (names masked, never an ID or
phone), the redemption slip, the award slip and the statement; reprinted by number with the same words."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.documents import DocumentKind
from app.printing.documents import issue, issue_points_slip
from app.services import points as svc
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id
from tests.printing.pdfcheck import assert_no_full_numbers, fonts_of, page_sizes_mm, squeezed

ID = make_id(date(1966, 6, 6), male=False, seq=11)
PHONE = "13912345678"


@pytest.fixture
def person(station: StationFixture) -> str:
    return register_resident(station.ctx, actor=station.head, name="欧阳秀兰", id_number=ID, village="V01",
                             phone=PHONE, group="2组", household_no="V01-000777", relation="户主").id


def _check(pdf: bytes) -> None:
    fonts = fonts_of(pdf)
    assert fonts and all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts), fonts
    assert_no_full_numbers(pdf, ID, PHONE, ID[6:14])


def test_the_public_notice_award_slip_redemption_slip_and_statement(station: StationFixture, person: str) -> None:
    d = svc.declare(station.ctx, actor=station.clerk, resident_id=person, indicator="T14", note=f"联系电话{PHONE}")
    svc.review(station.ctx, actor=station.head, declaration_id=d.id, approve=True, body="评议小组")
    notice = svc.post_notice(station.ctx, actor=station.head)
    sheet = issue_points_slip(station.ctx, actor=station.head, data=svc.notice_sheet(station.ctx, notice_id=notice.id))
    text = squeezed(sheet.pdf)
    assert sheet.number == "QX01-GS2026-000001" and page_sizes_mm(sheet.pdf)[0][0] == pytest.approx(210, abs=0.5)
    for expected in ("青溪村积分公示", "欧**兰", "2组", "遵纪守法", "见义勇为", "+30", "评议小组", "2026年11月29日"):
        assert expected in text, expected
    assert "欧阳秀兰" not in text and "请妥善保管" not in text

    station.clock.advance(days=7)
    svc.settle(station.ctx, actor=station.clerk)
    award = issue_points_slip(station.ctx, actor=station.clerk, data=svc.award_slip(station.ctx, declaration_id=d.id))
    assert award.kind is DocumentKind.POINTS_AWARD
    assert all(x in squeezed(award.pdf) for x in ("积分奖励通知", "欧**兰", "+30", "130", "评议小组2026年11月23日"))

    svc.save_goods(station.ctx, actor=station.head, code="ZJ", name="抽纸（一提）", price=15, unit="提")
    svc.move_stock(station.ctx, actor=station.head, code="ZJ", quantity=5)
    red = svc.redeem(station.ctx, actor=station.clerk, resident_id=person, lines=[("ZJ", 2)])
    slip = issue_points_slip(station.ctx, actor=station.clerk, data=svc.redemption_slip(station.ctx, red), paper="80mm")
    text = squeezed(slip.pdf)
    assert page_sizes_mm(slip.pdf)[0][0] == pytest.approx(80, abs=0.5)
    for expected in ("积分兑换单", "抽纸（一提）×2", "30分", "兑换前积分：130", "兑换后积分：100"):
        assert expected in text, expected

    st = issue_points_slip(station.ctx, actor=station.clerk,
                           data=svc.statement_sheet(station.ctx, account_id=red.account.id))
    text = squeezed(st.pdf)
    for expected in ("积分对账单", "欧阳秀兰", "起始分", "加分", "兑换", "+30", "-30", "可兑换积分0"):
        assert expected in text, expected

    again = issue(station.ctx, actor=station.clerk, kind=DocumentKind.REDEMPTION, subject=slip.number)
    assert again.reprint and "补打" in squeezed(again.pdf) and "抽纸（一提）×2" in squeezed(again.pdf)
    for pdf in (sheet.pdf, award.pdf, slip.pdf, st.pdf, again.pdf):
        _check(pdf)
