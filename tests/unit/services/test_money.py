"""Money at the counter through the services, on a real SQLite file: payments with change and transaction
numbers, the drawer and its rules, voids and refunds with an approver, the daily close and the records that
arrive after it, and the hash chain catching what was changed behind the services' back."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import text

from app.domain.errors import Conflict, DomainError, PermissionDenied
from app.domain.money import PaymentMethod, PaymentState
from app.services import cash, closing, integrity
from app.services.cases import accept_case
from app.services.documents import issue_document, list_documents
from app.services.payments import find_payment, get_payment, payment_event, record_payment
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id


def fake_render(job: Any) -> bytes:
    return f"{job.stamp.number}|{job.stamp.reprint}".encode()


@pytest.fixture
def person(station: StationFixture) -> str:
    return register_resident(station.ctx, actor=station.head, name="张三", id_number=make_id(date(1980, 5, 6), True),
                             village="V01", phone="13812345678").id


def _bill(station: StationFixture, person: str, amount: str = "88.5", item: str = "N01", **form: Any) -> str:
    spec = station.ctx.catalog.item(item)
    fields = {"account_no": "1234567890", "amount": amount} if item == "N01" else form
    return accept_case(station.ctx, actor=station.clerk, applicant_id=person, item_code=item,
                       received_materials=[m.code for m in spec.materials], form=fields).case.case_no


def _sql(station: StationFixture, statement: str, **params: Any) -> None:
    """A change made behind the services' back, as someone with the database file could."""
    with station.ctx.db.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_cash_needs_an_open_drawer_and_change_is_worked_out_and_counted_in(station: StationFixture,
                                                                           person: str) -> None:
    case = _bill(station, person)
    with pytest.raises(Conflict) as e:
        record_payment(station.ctx, actor=station.clerk, case_id=case, method="现金", tendered_fen=10000)
    assert e.value.code == "cash.no_session"
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=20000)
    with pytest.raises(DomainError):
        record_payment(station.ctx, actor=station.clerk, case_id=case, tendered_fen=8000)  # short
    paid = record_payment(station.ctx, actor=station.clerk, case_id=case, method="现金", tendered_fen=10000)
    assert (paid.total_fen, paid.tendered_fen, paid.change_fen, paid.method) == (8850, 10000, 1150, PaymentMethod.CASH)
    assert (paid.business_day, paid.late, paid.state) == (date(2026, 11, 23), False, PaymentState.COLLECTED)
    drawer = cash.current_drawer(station.ctx)
    assert drawer is not None and drawer.expected_fen == 20000 + 8850


def test_a_qr_payment_is_recorded_by_its_transaction_number_once_and_leaves_the_drawer_alone(
        station: StationFixture, person: str) -> None:
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=0)
    first, second = _bill(station, person), _bill(station, person, "20")
    with pytest.raises(DomainError) as e:
        record_payment(station.ctx, actor=station.clerk, case_id=first, method="微信")
    assert e.value.code == "payment.reference_needed"
    paid = record_payment(station.ctx, actor=station.clerk, case_id=first, method="微信",
                          reference="4200001234202611230001")
    assert paid.txn_ref == "4200001234202611230001" and paid.tendered_fen is None
    with pytest.raises(Conflict) as e:
        record_payment(station.ctx, actor=station.clerk, case_id=second, method="支付宝",
                       reference="4200001234202611230001")
    assert e.value.code == "payment.duplicate_reference"
    assert cash.current_drawer(station.ctx).expected_fen == 0  # type: ignore[union-attr]
    assert find_payment(station.ctx, ref="4200001234202611230001").id == paid.id
    assert find_payment(station.ctx, ref=first).id == paid.id


def test_a_drawer_left_open_past_midnight_stops_payments_until_it_is_closed(station: StationFixture,
                                                                            person: str) -> None:
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=10000)
    station.clock.set(datetime(2026, 11, 24, 8, 30))
    case = _bill(station, person)
    with pytest.raises(Conflict) as e:
        record_payment(station.ctx, actor=station.clerk, case_id=case, method="微信", reference="42000012342026")
    assert e.value.code == "cash.left_open" and e.value.params["day"] == "2026-11-23"
    with pytest.raises(Conflict):
        cash.open_drawer(station.ctx, actor=station.clerk, float_fen=10000)
    closed = cash.close_drawer(station.ctx, actor=station.clerk, count={10000: 1})
    assert closed.difference_fen == 0 and closed.business_day == date(2026, 11, 23)
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=10000)
    assert record_payment(station.ctx, actor=station.clerk, case_id=case, tendered_fen=8850).business_day == \
        date(2026, 11, 24)


def test_a_drawer_off_by_more_than_the_tolerance_is_closed_by_the_head_with_a_note(station: StationFixture,
                                                                                   person: str) -> None:
    assert cash.tolerance(station.ctx) == 100
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=20000)
    record_payment(station.ctx, actor=station.clerk, case_id=_bill(station, person), tendered_fen=8850)
    cash.move_cash(station.ctx, actor=station.clerk, amount_fen=-10000, reason="上缴镇财政所")
    with pytest.raises(Conflict):
        cash.move_cash(station.ctx, actor=station.clerk, amount_fen=-50000, reason="取多了")
    with pytest.raises(DomainError):
        cash.move_cash(station.ctx, actor=station.clerk, amount_fen=-100, reason=" ")
    expected = 20000 + 8850 - 10000
    short = {10000: 1, 5000: 1, 2000: 1, 500: 3, 50: 1}  # ¥185.50 where ¥188.50 should be
    assert sum(k * v for k, v in short.items()) == expected - 300
    with pytest.raises(DomainError) as e:
        cash.close_drawer(station.ctx, actor=station.clerk, count=short)
    assert e.value.code == "cash.head_needed" and e.value.params["difference"] == "-¥3.00"
    with pytest.raises(DomainError) as e:
        cash.close_drawer(station.ctx, actor=station.clerk, count=short, approver=station.head)
    assert e.value.code == "cash.note_needed"
    done = cash.close_drawer(station.ctx, actor=station.clerk, count=short, approver=station.head,
                             note="复点两遍仍少 3 元，已登记待查")
    assert (done.state, done.expected_fen, done.difference_fen) == ("closed", expected, -300)
    assert done.approved_by == "王秀英"
    # Within the tolerance the clerk closes alone.
    cash.set_tolerance(station.ctx, actor=station.head, amount="5")
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=1000)
    assert cash.close_drawer(station.ctx, actor=station.clerk, count={500: 1, 100: 2}).difference_fen == -300


def test_a_void_needs_a_reason_and_the_heads_approval_gives_the_cash_back_and_keeps_the_receipt_number(
        station: StationFixture, person: str) -> None:
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=5000)
    case = _bill(station, person)
    paid = record_payment(station.ctx, actor=station.clerk, case_id=case, tendered_fen=10000)
    receipt = issue_document(station.ctx, actor=station.clerk, kind="payment", subject=case, render=fake_render)
    with pytest.raises(DomainError) as e:
        payment_event(station.ctx, actor=station.clerk, payment_id=paid.id, event="voided", reason="金额错了")
    assert e.value.code == "payment.approver_needed"
    with pytest.raises(PermissionDenied):
        payment_event(station.ctx, actor=station.clerk, payment_id=paid.id, event="voided", reason="金额错了",
                      approver=station.clerk)
    with pytest.raises(DomainError):
        payment_event(station.ctx, actor=station.clerk, payment_id=paid.id, event="voided", approver=station.head)
    voided = payment_event(station.ctx, actor=station.clerk, payment_id=paid.id, event="voided",
                           reason="户号填错了，重新收", approver=station.head)
    assert voided.state is PaymentState.VOIDED and voided.events[0].approver_name == "王秀英"
    assert cash.current_drawer(station.ctx).expected_fen == 5000  # type: ignore[union-attr]
    [doc] = [d for d in list_documents(station.ctx) if d.number == receipt.number]
    assert doc.state == "voided"  # the number stays used, marked void
    with pytest.raises(Conflict):
        payment_event(station.ctx, actor=station.clerk, payment_id=paid.id, event="voided", reason="再作废",
                      approver=station.head)
    again = record_payment(station.ctx, actor=station.clerk, case_id=case, tendered_fen=8850)
    assert again.id != paid.id and get_payment(station.ctx, case_id=case).id == again.id
    second = issue_document(station.ctx, actor=station.clerk, kind="payment", subject=case, render=fake_render)
    assert second.number != receipt.number


def test_a_bill_passed_on_can_fail_and_is_refunded_the_way_it_was_paid(station: StationFixture,
                                                                       person: str) -> None:
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=0)
    case = _bill(station, person)
    paid = record_payment(station.ctx, actor=station.clerk, case_id=case, method="支付宝",
                          reference="2026112322001234567")
    payment_event(station.ctx, actor=station.clerk, payment_id=paid.id, event="remitted")
    with pytest.raises(DomainError):
        payment_event(station.ctx, actor=station.clerk, payment_id=paid.id, event="failed")  # no reason
    payment_event(station.ctx, actor=station.clerk, payment_id=paid.id, event="failed", reason="户号不存在")
    done = payment_event(station.ctx, actor=station.clerk, payment_id=paid.id, event="refunded",
                         reason="原路退回支付宝", approver=station.head)
    assert [e.kind for e in done.events] == ["remitted", "failed", "refunded"] and done.state is PaymentState.REFUNDED
    assert cash.current_drawer(station.ctx).expected_fen == 0  # type: ignore[union-attr]  # not cash


def test_the_daily_close_counts_the_day_and_later_records_go_to_the_next_open_day(station: StationFixture,
                                                                                   person: str) -> None:
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=20000)
    cash_case, qr_case, voided_case = _bill(station, person), _bill(station, person, "20"), _bill(station, person, "5")
    record_payment(station.ctx, actor=station.clerk, case_id=cash_case, tendered_fen=10000)
    record_payment(station.ctx, actor=station.clerk, case_id=qr_case, method="微信", reference="42000012340001")
    wrong = record_payment(station.ctx, actor=station.clerk, case_id=voided_case, tendered_fen=500)
    payment_event(station.ctx, actor=station.clerk, payment_id=wrong.id, event="voided", reason="重复收费",
                  approver=station.head)
    with pytest.raises(Conflict) as e:
        closing.close_day(station.ctx, actor=station.clerk)
    assert e.value.code == "close.drawer_open"
    cash.close_drawer(station.ctx, actor=station.clerk, count={10000: 2, 5000: 1, 2000: 1, 1000: 1, 500: 1,
                                                                100: 3, 50: 1})
    station.clock.set(datetime(2026, 11, 23, 17, 30))
    closed = closing.close_day(station.ctx, actor=station.clerk)
    sheet = closed.sheet
    assert sheet.day == date(2026, 11, 23) and sheet.payments_total_fen == 8850 + 2000 + 500
    assert {m.label: (m.count, m.amount_fen) for m in sheet.methods} == {"现金": (2, 9350), "微信": (1, 2000)}
    assert [c.count for c in sheet.cases] == [3] and "已受理" in sheet.cases[0].label
    assert [(v.kind, v.amount_fen, v.approver) for v in sheet.voids] == [("作废", 500, "王秀英")]
    assert sheet.drawers[0].difference_fen == 0 and sheet.chain_seq > 0
    with pytest.raises(Conflict):
        closing.close_day(station.ctx, actor=station.clerk)

    # The same evening, after the close: booked to the 24th, flagged, and the 23rd's report stays as it was.
    station.clock.set(datetime(2026, 11, 23, 18, 10))
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=0)
    late = record_payment(station.ctx, actor=station.clerk, case_id=_bill(station, person, "30"), tendered_fen=3000)
    assert (late.business_day, late.late) == (date(2026, 11, 24), True)
    assert closing.preview_day(station.ctx, day=date(2026, 11, 23)) == sheet
    station.clock.set(datetime(2026, 11, 24, 17, 0))
    cash.close_drawer(station.ctx, actor=station.clerk, count={1000: 3})
    next_day = closing.close_day(station.ctx, actor=station.clerk).sheet
    assert next_day.payments_total_fen == 3000
    assert any("日结后收款" in x.label and x.amount_fen == 3000 for x in next_day.late)
    assert any("日结后受理" in x.label and x.count == 1 for x in next_day.late)  # the case accepted at 18:10
    with pytest.raises(DomainError):
        closing.close_day(station.ctx, actor=station.clerk, day=date(2026, 11, 26))  # not yet


def test_the_close_is_printed_from_what_was_stored(station: StationFixture, person: str) -> None:
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=0)
    record_payment(station.ctx, actor=station.clerk, case_id=_bill(station, person), tendered_fen=8850)
    cash.close_drawer(station.ctx, actor=station.clerk, count={5000: 1, 2000: 1, 1000: 1, 500: 1, 100: 3, 50: 1})
    closing.close_day(station.ctx, actor=station.clerk)

    def render(job: Any) -> bytes:
        return repr(job.body).encode()

    done = issue_document(station.ctx, actor=station.clerk, kind="day-close", subject="2026-11-23", render=render)
    assert done.number.startswith("QX01-RJ2026-") and b"payments_total_fen=8850" in done.pdf


def _chain_ok(station: StationFixture) -> integrity.ChainReport:
    report = integrity.check(station.ctx)
    assert report.ok, report.problems
    return report


def test_the_chain_catches_an_edited_payment_a_deleted_event_a_slipped_in_receipt_and_a_cut_chain(
        station: StationFixture, person: str) -> None:
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=1000)
    case = _bill(station, person)
    paid = record_payment(station.ctx, actor=station.clerk, case_id=case, tendered_fen=10000)
    issue_document(station.ctx, actor=station.clerk, kind="payment", subject=case, render=fake_render)
    payment_event(station.ctx, actor=station.clerk, payment_id=paid.id, event="remitted")
    report = _chain_ok(station)
    assert (report.links, report.before_chain) == (4, 0)  # the payment, its cash move, the receipt, the event
    # An amount lowered in the database after the fact:
    _sql(station, "UPDATE payments SET total_fen = 850 WHERE id = :id", id=paid.id)
    [problem] = integrity.check(station.ctx).problems
    assert (problem.kind, problem.table, problem.row_id) == ("changed", "payments", paid.id)
    _sql(station, "UPDATE payments SET total_fen = 8850 WHERE id = :id", id=paid.id)
    _chain_ok(station)
    # An event removed:
    _sql(station, "DELETE FROM payment_events")
    assert [p.kind for p in integrity.check(station.ctx).problems] == ["deleted"]


def test_the_chain_catches_a_row_slipped_in_and_links_removed(station: StationFixture, person: str) -> None:
    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=1000)
    paid = record_payment(station.ctx, actor=station.clerk, case_id=_bill(station, person), tendered_fen=10000)
    record_payment(station.ctx, actor=station.clerk, case_id=_bill(station, person, "3"), tendered_fen=300)
    _chain_ok(station)
    with station.ctx.db.engine.begin() as conn:
        row = dict(conn.execute(text("SELECT * FROM payments WHERE id = :id"), {"id": paid.id}).mappings().one())
        row.update(id="forged-payment", created_hlc="9" * 20)
        conn.execute(text(f"INSERT INTO payments ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"), row)
    assert [p.kind for p in integrity.check(station.ctx).problems] == ["unlinked"]
    _sql(station, "DELETE FROM payments WHERE id = 'forged-payment'")
    _sql(station, "DELETE FROM chain_links WHERE seq = 2")
    kinds = [p.kind for p in integrity.check(station.ctx).problems]
    assert "link_broken" in kinds and "unlinked" in kinds  # the move lost its link, and the chain its order
    _sql(station, "DELETE FROM chain_links")
    assert "start_missing" in [p.kind for p in integrity.check(station.ctx).problems]


def test_the_station_check_reports_the_money_chain(station: StationFixture, person: str) -> None:
    from app.services.maintenance import check

    cash.open_drawer(station.ctx, actor=station.clerk, float_fen=1000)
    paid = record_payment(station.ctx, actor=station.clerk, case_id=_bill(station, person), tendered_fen=10000)
    assert check(station.ctx, actor=station.head).ok
    _sql(station, "UPDATE payments SET method = 'wechat' WHERE id = :id", id=paid.id)
    report = check(station.ctx, actor=station.head)
    assert [f.code for f in report.findings] == ["check.chain_changed"]
