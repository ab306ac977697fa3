"""Money rules as plain functions: exact amounts and their capitals, change, the payment states, the drawer's
count, the day a record is booked to, and the hash chain's digests."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import Conflict, DomainError
from app.domain.forms import format_money, money_in_words, parse_money
from app.domain.money import (
    GENESIS,
    PaymentMethod,
    PaymentState,
    booking_day,
    change_due,
    check_reference,
    count_total,
    digest,
    link_hash,
    next_state,
    over_tolerance,
    parse_count,
    parse_method,
    state_after,
)


@pytest.mark.parametrize(("text", "fen", "words"), [
    ("0.01", 1, "壹分"),
    ("10.00", 1000, "壹拾元整"),
    ("100,010.50", 10_001_050, "壹拾万零壹拾元伍角"),
    ("1,000,000.00", 100_000_000, "壹佰万元整"),
])
def test_amounts_are_exact_fen_and_written_in_capitals(text: str, fen: int, words: str) -> None:
    assert parse_money(text) == fen
    assert money_in_words(fen) == words
    assert format_money(fen) == "¥" + text


@given(st.integers(min_value=0, max_value=10**12))
def test_an_amount_written_out_reads_back_the_same(fen: int) -> None:
    assert parse_money(format_money(fen)) == fen


def test_change_is_what_was_handed_over_less_the_total_and_short_money_is_refused() -> None:
    assert change_due(8850, 10000) == 1150
    assert change_due(8850, None) == 0  # the exact amount
    with pytest.raises(DomainError) as e:
        change_due(8850, 8800)
    assert e.value.code == "payment.short" and e.value.params["total"] == "¥88.50"


def test_methods_are_read_by_code_or_chinese_name_and_qr_needs_its_transaction_number() -> None:
    assert parse_method("微信") is PaymentMethod.WECHAT and parse_method("cash") is PaymentMethod.CASH
    with pytest.raises(DomainError):
        parse_method("赊账")
    assert check_reference(PaymentMethod.CASH, "anything") == ""
    assert check_reference(PaymentMethod.ALIPAY, " 2026 1123 2200 1234 ") == "2026112322001234"
    for bad in ("", "12345", "交易号123456", "x" * 41):
        with pytest.raises(DomainError):
            check_reference(PaymentMethod.WECHAT, bad)


def test_a_payment_goes_collected_remitted_matched_or_fails_and_is_refunded_and_never_backwards() -> None:
    assert state_after([]) is PaymentState.COLLECTED
    assert state_after(["remitted", "matched"]) is PaymentState.MATCHED
    assert state_after(["remitted", "failed", "refunded"]) is PaymentState.REFUNDED
    assert state_after(["voided"]) is PaymentState.VOIDED
    for state, event in ((PaymentState.REMITTED, "voided"), (PaymentState.VOIDED, "refunded"),
                         (PaymentState.REFUNDED, "refunded"), (PaymentState.MATCHED, "remitted")):
        with pytest.raises(Conflict):
            next_state(state, event)
    with pytest.raises(DomainError):
        next_state(PaymentState.COLLECTED, "deleted")


def test_the_drawer_is_counted_by_denomination() -> None:
    counts = parse_count("100=3, 50=2，20=1,0.5=4,0.1=7")
    assert counts == {10000: 3, 5000: 2, 2000: 1, 50: 4, 10: 7}
    assert count_total(counts) == 30000 + 10000 + 2000 + 200 + 70
    for bad in ("3=1", "100", "100=x", "100=-1"):
        with pytest.raises(DomainError):
            parse_count(bad)
    assert not over_tolerance(-100, 100) and over_tolerance(-101, 100) and over_tolerance(150, 100)


def test_a_record_made_after_its_day_was_closed_is_booked_to_the_next_open_day_and_flagged() -> None:
    closed = {date(2026, 11, 23), date(2026, 11, 24)}
    assert booking_day(date(2026, 11, 22), closed.__contains__) == (date(2026, 11, 22), False)
    assert booking_day(date(2026, 11, 23), closed.__contains__) == (date(2026, 11, 25), True)


def test_a_digest_changes_with_any_field_and_a_link_covers_the_one_before() -> None:
    row = {"id": "p1", "total_fen": 8850, "business_day": date(2026, 11, 23), "late": False, "txn_ref": ""}
    d = digest(row)
    assert d == digest(dict(reversed(list(row.items()))))  # the order of the fields does not matter
    for change in ({"total_fen": 8851}, {"total_fen": "8850"}, {"late": True}, {"business_day": date(2026, 11, 24)}):
        assert digest({**row, **change}) != d
    first = link_hash(GENESIS, 1, "payments", "p1", d)
    assert link_hash(GENESIS, 1, "payments", "p1", d) == first
    assert link_hash(first, 2, "payments", "p2", d) != link_hash(GENESIS, 2, "payments", "p2", d)
