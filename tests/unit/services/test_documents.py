"""Document numbers: gap-free per station and kind, reprints keep them, voids are kept, a failed drawing
gives its number back; payments and the station's print settings."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.domain.documents import DocumentKind, Paper
from app.domain.errors import Conflict, DomainError, NotFound, PermissionDenied
from app.services import documents as svc
from app.services.cases import accept_case, record_consultation, resubmit_case, return_case
from app.services.cash import open_drawer
from app.services.paper import AcceptanceReceipt, PointsAward, PrintJob
from app.services.payments import get_payment, record_payment
from app.services.print_settings import print_template, set_print_setting
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id


def fake_render(job: PrintJob) -> bytes:
    """Stands in for app.printing: what would be drawn, as bytes, so the test can read it."""
    return f"{job.stamp.number}|{job.stamp.reprint}|{job.paper.value}|{type(job.body).__name__}".encode()


@pytest.fixture
def person(station: StationFixture) -> str:
    return register_resident(station.ctx, actor=station.head, name="张三", id_number=make_id(date(1980, 5, 6), True),
                             village="V01", phone="13812345678").id


def _case(station: StationFixture, person: str, item: str = "S08", **form: Any) -> str:
    spec = station.ctx.catalog.item(item)
    return accept_case(station.ctx, actor=station.clerk, applicant_id=person, item_code=item,
                       received_materials=[m.code for m in spec.materials], form=form).case.case_no


def _issue(station: StationFixture, subject: str, kind: DocumentKind = DocumentKind.RECEIPT,
           **kw: Any) -> svc.IssuedDocument:
    return svc.issue_document(station.ctx, actor=station.clerk, kind=kind, subject=subject, render=fake_render, **kw)


def test_numbers_count_up_without_gaps_per_kind(station: StationFixture, person: str) -> None:
    cases = [_case(station, person) for _ in range(3)]
    receipts = [_issue(station, c).number for c in cases]
    notice = _issue(station, cases[0], DocumentKind.NOTICE).number
    assert receipts == ["QX01-SL2026-000001", "QX01-SL2026-000002", "QX01-SL2026-000003"]
    assert notice == "QX01-GZ2026-000001"


def test_a_second_issue_is_refused_and_a_reprint_keeps_the_number_and_is_counted(station: StationFixture,
                                                                                 person: str) -> None:
    case = _case(station, person)
    first = _issue(station, case)
    with pytest.raises(Conflict) as e:
        _issue(station, case)
    assert e.value.code == "document.already_issued" and e.value.params["number"] == first.number
    station.clock.advance(minutes=5)
    again = _issue(station, case, reprint=True)
    by_number = _issue(station, first.number)  # a document number always means a reprint
    assert again.number == by_number.number == first.number and again.reprint and by_number.reprint
    assert again.pdf == f"{first.number}|True|80mm|AcceptanceReceipt".encode()
    row, = svc.list_documents(station.ctx, kinds=(DocumentKind.RECEIPT,))
    assert row.reprints == 2 and row.last_reprint_at == "2026-11-23T10:05:00" and row.issued_by == "李晓丽"


def body_render(job: PrintJob) -> bytes:
    """Stands in for app.printing: the whole content as text, to compare a reprint with the first issue."""
    return repr((job.head, job.body)).encode()


def test_a_reprint_says_what_the_first_print_said_even_after_the_case_and_settings_changed(
        station: StationFixture, person: str) -> None:
    case = accept_case(station.ctx, actor=station.clerk, applicant_id=person, item_code="S22",
                       received_materials=["M01", "M02", "M03", "M04", "M05"],
                       form={"bank_name": "农商银行", "bank_account": "6228480012345678"}).case
    return_case(station.ctx, actor=station.clerk, case_id=case.id, reason="银行卡复印件不清晰", materials=["M04"])
    first = svc.issue_document(station.ctx, actor=station.clerk, kind=DocumentKind.CORRECTION, subject=case.case_no,
                               render=body_render)
    assert "本人银行卡（社保卡金融账户或惠农一卡通）" in first.pdf.decode()  # the name holds its own brackets
    ledger = svc.issue_document(station.ctx, actor=station.clerk, kind=DocumentKind.LEDGER, subject="2026-11-23",
                                render=body_render)
    resubmit_case(station.ctx, actor=station.clerk, case_id=case.id, received_materials=["M04"])
    _case(station, person)  # a later case of the same day
    set_print_setting(station.ctx, actor=station.head, key="station_name", value="青溪村党群服务中心")
    station.clock.advance(minutes=30)
    for number in (first.number, ledger.number):
        again = svc.issue_document(station.ctx, actor=station.clerk, kind=DocumentKind.CORRECTION if number ==
                                   first.number else DocumentKind.LEDGER, subject=number, render=body_render)
        assert again.reprint and again.number == number
        assert again.pdf == (first if number == first.number else ledger).pdf  # same words, same rows
    fresh = svc.preview_job(station.ctx, actor=station.clerk, kind=DocumentKind.LEDGER, subject="2026-11-23")
    assert fresh.head.station_name == "青溪村党群服务中心" and len(fresh.body.rows) == 2  # type: ignore[union-attr]


def test_a_points_slip_is_reprinted_by_its_number_from_what_it_said(station: StationFixture) -> None:
    award = PointsAward("a1", "张*三", "青溪村", "3组", "尊老爱幼", "照顾邻居孤寡老人一年", 20, 135, "村两委会议",
                        date(2026, 11, 20), "李晓丽")
    first = svc.issue_document(station.ctx, actor=station.clerk, kind=DocumentKind.POINTS_AWARD, subject=award,
                               render=body_render)
    again = svc.issue_document(station.ctx, actor=station.clerk, kind=DocumentKind.POINTS_AWARD,
                               subject=first.number, render=body_render)
    assert again.reprint and again.number == first.number and again.pdf == first.pdf


def test_a_void_is_kept_and_the_next_issue_takes_a_new_number(station: StationFixture, person: str) -> None:
    case = _case(station, person)
    first = _issue(station, case)
    voided = svc.void_document(station.ctx, actor=station.clerk, number=first.number, reason="打印机卡纸")
    assert voided.state == "voided" and voided.void_reason == "打印机卡纸"
    with pytest.raises(Conflict):
        _issue(station, first.number)  # a void cannot be reprinted
    second = _issue(station, case)
    assert second.number == "QX01-SL2026-000002"
    listed = {d.number: d.state for d in svc.list_documents(station.ctx)}
    assert listed == {first.number: "voided", second.number: "issued"}


def test_a_document_that_cannot_be_drawn_gives_its_number_back(station: StationFixture, person: str) -> None:
    case = _case(station, person)

    def broken(job: PrintJob) -> bytes:
        raise RuntimeError("printer driver exploded")

    with pytest.raises(RuntimeError):
        svc.issue_document(station.ctx, actor=station.clerk, kind=DocumentKind.RECEIPT, subject=case, render=broken)
    assert svc.list_documents(station.ctx) == ()
    assert _issue(station, case).number == "QX01-SL2026-000001"


def test_a_consultation_has_no_receipt_but_a_notice(station: StationFixture, person: str) -> None:
    consult = record_consultation(station.ctx, actor=station.clerk, applicant_id=person, item_code="S07").case
    with pytest.raises(Conflict) as e:
        _issue(station, consult.case_no)
    assert e.value.code == "document.not_accepted"
    assert _issue(station, consult.case_no, DocumentKind.NOTICE, paper="80mm").paper is Paper.THERMAL_80


def test_bad_requests_are_refused_with_codes(station: StationFixture, person: str) -> None:
    case = _case(station, person)
    for kind, subject, paper, code in [
        (DocumentKind.RECEIPT, "QX01-20991231-0001", None, "case.not_found"),
        (DocumentKind.LEDGER, "23.11.2026", None, "document.bad_day"),
        (DocumentKind.CORRECTION, case, None, "document.no_return"),
        (DocumentKind.REJECTION, case, None, "document.not_rejected"),
        (DocumentKind.PAYMENT, case, None, "payment.not_found"),
        (DocumentKind.FORM, case, None, "document.no_form"),  # S08 has no application form
        (DocumentKind.LEDGER, "2026-11-23", "80mm", "document.bad_paper"),
        (DocumentKind.POINTS_AWARD, case, None, "document.points_from_points_system"),
        (DocumentKind.RECEIPT, "QX01-SL2026-000099", None, "document.not_found"),
    ]:
        with pytest.raises(DomainError) as e:
            _issue(station, subject, kind, paper=paper)
        assert e.value.code == code, (kind, subject)
    with pytest.raises(NotFound):
        _issue(station, case, reprint=True)


def test_the_reprint_queue_holds_documents_until_a_printer_takes_them(station: StationFixture, person: str) -> None:
    first = _issue(station, _case(station, person))
    second = _issue(station, _case(station, person))
    assert [d.number for d in svc.list_documents(station.ctx, unprinted=True)] == [second.number, first.number]
    svc.mark_printed(station.ctx, number=first.number)
    assert [d.number for d in svc.list_documents(station.ctx, unprinted=True)] == [second.number]


def test_the_ledger_counts_the_days_cases_and_fees(station: StationFixture, person: str) -> None:
    _case(station, person)
    paid = _case(station, person, "N01", account_no="1234567890", amount="88.5")
    open_drawer(station.ctx, actor=station.clerk, float_fen=0)
    record_payment(station.ctx, actor=station.clerk, case_id=paid)
    record_consultation(station.ctx, actor=station.clerk, applicant_id=person, item_code="S07")
    job = svc.preview_job(station.ctx, actor=station.clerk, kind=DocumentKind.LEDGER, subject="2026-11-23")
    ledger = job.body
    assert job.stamp.number == "样张" and not isinstance(ledger, AcceptanceReceipt)
    assert [r.case_no for r in ledger.rows] == ["QX01-20261123-0001", "QX01-20261123-0002",  # type: ignore[union-attr]
                                                "QX01-20261123-0003"]
    assert ledger.totals == (("咨询", 1), ("已受理", 2)) and ledger.fees_fen == 8850  # type: ignore[union-attr]
    assert "8" not in "".join(r.id_masked[6:14] for r in ledger.rows)  # type: ignore[union-attr]


def test_a_payment_is_taken_once_from_the_form_amount_and_a_fixed_fee_can_be_waived(station: StationFixture,
                                                                                     person: str) -> None:
    bill = _case(station, person, "N05", mobile="13912345678", carrier="中国移动", amount="50")
    open_drawer(station.ctx, actor=station.clerk, float_fen=0)
    paid = record_payment(station.ctx, actor=station.clerk, case_id=bill, method="支付宝",
                          reference="2026112322001234567")
    assert paid.total_fen == 5000 and paid.total_words == "人民币伍拾元整"
    assert paid.reference == "充值手机号码 139****5678"
    with pytest.raises(Conflict):
        record_payment(station.ctx, actor=station.clerk, case_id=bill)
    assert get_payment(station.ctx, case_id=bill).id == paid.id
    card = _case(station, person, "S07", reason="遗失")
    assert record_payment(station.ctx, actor=station.clerk, case_id=card).total_fen == 2000
    free = _case(station, person, "S07", reason="首次申领")
    with pytest.raises(DomainError) as e:
        record_payment(station.ctx, actor=station.clerk, case_id=free, amount_fen=0)
    assert e.value.code == "payment.nothing_to_pay"
    with pytest.raises(DomainError):
        record_payment(station.ctx, actor=station.clerk, case_id=free, method="赊账")


def test_a_payment_receipt_is_voided_only_by_the_station_head(station: StationFixture, person: str) -> None:
    bill = _case(station, person, "N01", account_no="1234567890", amount="10")
    open_drawer(station.ctx, actor=station.clerk, float_fen=0)
    record_payment(station.ctx, actor=station.clerk, case_id=bill)
    done = _issue(station, bill, DocumentKind.PAYMENT)
    with pytest.raises(PermissionDenied):
        svc.void_document(station.ctx, actor=station.clerk, number=done.number, reason="金额错了")
    assert svc.void_document(station.ctx, actor=station.head, number=done.number, reason="金额错了").state == "voided"


def test_print_settings_are_checked_stored_and_reset_by_the_head(station: StationFixture) -> None:
    assert print_template(station.ctx).station_name == "青溪村便民服务站"
    with pytest.raises(PermissionDenied):
        set_print_setting(station.ctx, actor=station.clerk, key="footer", value="x")
    t = set_print_setting(station.ctx, actor=station.head, key="header", value="青溪镇人民政府|全镇通办")
    assert t.header_lines == ("青溪镇人民政府", "全镇通办")
    t = set_print_setting(station.ctx, actor=station.head, key="receipt_paper", value="58MM")
    assert t.receipt_paper == "58mm"
    for key, value, code in [("font", "comic", "print.bad_choice"), ("colour", "red", "print.unknown_setting"),
                             ("header", "一|二|三|四", "print.bad_header")]:
        with pytest.raises(DomainError) as e:
            set_print_setting(station.ctx, actor=station.head, key=key, value=value)
        assert e.value.code == code
    assert set_print_setting(station.ctx, actor=station.head, key="receipt_paper", value="").receipt_paper == "80mm"
    assert set_print_setting(station.ctx, actor=station.head, key="receipt_paper", value="58mm").receipt_paper == "58mm"
