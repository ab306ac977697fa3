"""Every printed document of a real station, read back from the PDF: text, page size, fonts, QR code, masking."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.domain.documents import DocumentKind
from app.domain.identity import mask_id
from app.printing.documents import issue, issue_receipt
from app.services.cases import accept_case, record_consultation, reject_case, return_case
from app.services.demo import _demo_value
from app.services.payments import record_payment
from app.services.print_settings import set_print_setting
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id, make_legacy_id
from tests.printing.pdfcheck import assert_no_full_numbers, fonts_of, page_sizes_mm, qr_codes, squeezed

ID = make_id(date(1956, 3, 14), male=True, seq=7)
PHONE = "13812345678"
PROXY_ID = make_id(date(1990, 8, 1), male=False, seq=3)
PROXY_PHONE = "15987654321"


@pytest.fixture
def person(station: StationFixture) -> str:
    return register_resident(station.ctx, actor=station.head, name="张三丰", id_number=ID, village="V02",
                             phone=PHONE, group="3组", address="石门村3组18号").id


def _accept(station: StationFixture, resident: str, item_code: str, *, missing: int = 0, **kw: Any) -> Any:
    item = station.ctx.catalog.item(item_code)
    form = {f.key: _demo_value(f.kind.value, f.choices) for f in item.fields if f.required}
    form.update(kw.pop("form", {}))
    received = [m.code for m in item.materials][missing:]
    return accept_case(station.ctx, actor=station.clerk, applicant_id=resident, item_code=item_code,
                       received_materials=received, form=form, **kw)


def _check(pdf: bytes) -> None:
    """What every document must pass: fonts embedded as subsets, no full ID or phone number."""
    fonts = fonts_of(pdf)
    assert fonts, "no font at all"
    assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts), fonts
    assert_no_full_numbers(pdf, ID, PHONE, PROXY_ID, PROXY_PHONE, ID[6:14])


def test_an_80mm_receipt_shows_the_case_masks_the_applicant_and_its_qr_code_reads_back_the_case_number(
        station: StationFixture, person: str) -> None:
    from app.services.cases import ProxyInput

    case = _accept(station, person, "S22", proxy=ProxyInput(name="李四", id_number=PROXY_ID, relation="儿子",
                                                             phone=PROXY_PHONE)).case
    done = issue_receipt(station.ctx, actor=station.clerk, case_id=case.case_no)
    assert done.number == "QX01-SL2026-000001" and done.kind is DocumentKind.RECEIPT and not done.reprint
    text = squeezed(done.pdf)
    for expected in ("受理回执", case.case_no, "S22", "高龄津贴申领", "张三丰", mask_id(ID), "138****5678", "李四",
                     "儿子", "李晓丽", "工号002", "承诺办结", "好差评", "监督电话", "12345", done.number):
        assert expected in text, expected
    width, height = page_sizes_mm(done.pdf)[0]
    assert width == pytest.approx(80, abs=0.1) and height > 100
    assert qr_codes(done.pdf) == [case.case_no]
    _check(done.pdf)


def test_a_58mm_and_an_a4_receipt_have_their_paper_sizes_and_the_a4_one_has_signature_lines(
        station: StationFixture, person: str) -> None:
    narrow = issue_receipt(station.ctx, actor=station.clerk, case_id=_accept(station, person, "S08").case.id,
                           paper="58mm")
    assert page_sizes_mm(narrow.pdf)[0][0] == pytest.approx(58, abs=0.1)
    case = _accept(station, person, "S22").case
    a4 = issue_receipt(station.ctx, actor=station.clerk, case_id=case.id, paper="a4")
    assert page_sizes_mm(a4.pdf) == [pytest.approx((210, 297), abs=0.5)]
    assert "申请人（签字）" in squeezed(a4.pdf)
    assert qr_codes(a4.pdf) == [case.case_no]
    for pdf in (narrow.pdf, a4.pdf):
        _check(pdf)


def test_a_reprint_keeps_the_number_and_says_buda_with_its_time(station: StationFixture, person: str) -> None:
    case = _accept(station, person, "S08").case
    first = issue_receipt(station.ctx, actor=station.clerk, case_id=case.id)
    station.clock.advance(hours=2)
    again = issue_receipt(station.ctx, actor=station.clerk, case_id=case.id, reprint=True)
    assert again.number == first.number and again.reprint
    text = squeezed(again.pdf)
    assert "补打COPY" in text and "2026-11-2312:00" in text
    assert "补打" not in squeezed(first.pdf)


def test_the_one_time_notice_lists_what_is_missing_on_a4_and_on_80mm(station: StationFixture, person: str) -> None:
    consult = record_consultation(station.ctx, actor=station.clerk, applicant_id=person, item_code="S27",
                                  received_materials=["M02"])
    a4 = issue(station.ctx, actor=station.clerk, kind="notice", subject=consult.case.case_no)
    text = squeezed(a4.pdf)
    for expected in ("一次性告知单", "残疾人证新办", "还需补交", "残疾人证申请表", "近期2寸免冠彩色照片", "行政许可法",
                     "办理时限", "设定依据", "咨询电话", "监督电话"):
        assert expected in text, expected
    assert all(w == pytest.approx(210, abs=0.5) for w, _ in page_sizes_mm(a4.pdf))
    slip = issue(station.ctx, actor=station.clerk, kind="notice", subject=consult.case.id, paper="80mm", reprint=True)
    assert slip.number == a4.number and "还需补交的材料（3项）" in squeezed(slip.pdf)
    for pdf in (a4.pdf, slip.pdf):
        _check(pdf)


def test_correction_and_rejection_notices_give_the_reason(station: StationFixture, person: str) -> None:
    case = _accept(station, person, "S22").case
    return_case(station.ctx, actor=station.clerk, case_id=case.id, reason=f"银行卡复印件不清晰，请致电{PHONE}",
                materials=["M04"])
    correction = issue(station.ctx, actor=station.clerk, kind="correction", subject=case.case_no)
    text = squeezed(correction.pdf)
    assert "补正材料通知书" in text and "银行卡复印件不清晰" in text and "138****5678" in text
    assert "请补正以下1项材料" in text and "本人银行卡（社保卡金融账户或惠农一卡通）" in text
    again = _accept(station, person, "S22").case  # returned with the reason only: no "0 项", no empty table
    return_case(station.ctx, actor=station.clerk, case_id=again.id, reason="申请表缺少签字")
    bare = squeezed(issue(station.ctx, actor=station.clerk, kind="correction", subject=again.case_no).pdf)
    assert "申请表缺少签字" in bare and "请按上述原因补正" in bare
    assert "0项" not in bare and "需补正的材料" not in bare
    other = _accept(station, person, "S08").case
    reject_case(station.ctx, actor=station.clerk, case_id=other.id, reason=f"申请人{ID}不在本镇户籍")
    rejection = issue(station.ctx, actor=station.clerk, kind="rejection", subject=other.case_no)
    text = squeezed(rejection.pdf)
    assert "不予受理告知书" in text and "不在本镇户籍" in text and "行政复议" in text
    for pdf in (correction.pdf, rejection.pdf):
        _check(pdf)


def test_a_payment_receipt_gives_the_amount_in_figures_and_in_capitals(station: StationFixture, person: str) -> None:
    case = _accept(station, person, "N04", form={"decision_no": "330127200012345678", "amount": "200",
                                                 "late_fee": "6.05"}).case
    record_payment(station.ctx, actor=station.clerk, case_id=case.id, method="微信",
                   reference="4200001234202611230001")
    for paper in ("80mm", "a4"):
        done = issue(station.ctx, actor=station.clerk, kind="payment", subject=case.case_no, paper=paper,
                     reprint=paper == "a4")
        text = squeezed(done.pdf)
        for expected in ("收款收据", "¥206.05", "贰佰零陆元零伍分", "¥200.00", "¥6.05", "微信",
                         "4200001234202611230001", "张三丰", "李晓丽",
                         "处罚决定书编号330127200012345678"):  # a decision number is not a person's: printed whole
            assert expected in text, (paper, expected)
        assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts_of(done.pdf))
        assert ID not in text and ID[6:14] not in text and PHONE not in text


def test_the_application_form_is_filled_from_the_case_with_identity_numbers_masked(
        station: StationFixture, person: str) -> None:
    spouse = make_id(date(1958, 1, 2), male=False, seq=9)
    case = _accept(station, person, "S32", form={"spouse_name": "王芳", "spouse_id_number": spouse}).case
    done = issue(station.ctx, actor=station.clerk, kind="form", subject=case.id)
    text = squeezed(done.pdf)
    assert "生育登记申请表" in text and "王芳" in text and mask_id(spouse) in text and "本人承诺" in text
    assert page_sizes_mm(done.pdf)[0] == pytest.approx((210, 297), abs=0.5)
    _check(done.pdf)
    assert spouse not in text


def test_the_daily_ledger_is_a4_landscape_with_totals(station: StationFixture, person: str) -> None:
    for code in ("S08", "S22", "S12"):
        _accept(station, person, code)
    record_consultation(station.ctx, actor=station.clerk, applicant_id=person, item_code="S27")
    done = issue(station.ctx, actor=station.clerk, kind="ledger", subject="2026-11-23")
    width, height = page_sizes_mm(done.pdf)[0]
    assert (width, height) == (pytest.approx(297, abs=0.5), pytest.approx(210, abs=0.5))
    text = squeezed(done.pdf)
    assert "办件台账（2026年11月23日）" in text and "共4件" in text and "第1页共1页" in text
    _check(done.pdf)


def test_extreme_data_wraps_instead_of_overflowing(station: StationFixture) -> None:
    """The longest item name, a four-character surname and a 15-digit legacy ID upgraded to 18 digits."""
    legacy = make_legacy_id(date(1948, 2, 29), male=True, seq=21)
    resident = register_resident(station.ctx, actor=station.head, name="爱新觉罗启星", id_number=legacy,
                                 village="V03", address="枫树岭村" + "很长的地名" * 12)
    longest = max(station.ctx.catalog.items, key=lambda i: len(i.name))
    case = _accept(station, resident.id, longest.code).case
    upgraded = resident.id_masked
    for paper in ("80mm", "58mm", "a4"):
        done = issue_receipt(station.ctx, actor=station.clerk, case_id=case.id, paper=paper, reprint=paper != "80mm")
        text = squeezed(done.pdf)
        assert "爱新觉罗启星" in text and upgraded in text and len(upgraded) == 18
        assert longest.name in text, paper  # whole, across wrapped lines
        assert legacy not in text
        _check(done.pdf)


def test_the_station_template_heads_and_foots_every_document(station: StationFixture, person: str) -> None:
    set_print_setting(station.ctx, actor=station.head, key="header", value="青溪镇人民政府|全镇通办 一窗受理")
    set_print_setting(station.ctx, actor=station.head, key="footer", value="服务时间：周一至周六 8:30-17:00")
    set_print_setting(station.ctx, actor=station.head, key="supervision_phone", value="0571-64819999")
    done = issue_receipt(station.ctx, actor=station.clerk, case_id=_accept(station, person, "S08").case.id)
    text = squeezed(done.pdf)
    assert "青溪镇人民政府" in text and "全镇通办一窗受理" in text and "周一至周六" in text and "0571-64819999" in text
