"""Money at the counter, as plain rules: payment methods, what a payment collected on behalf of others goes
through, the cash drawer's count, the business day a record is booked to, and the hash chain that makes an
edit after the fact visible.

Amounts are integer fen everywhere (``parse_money`` / ``format_money`` / ``money_in_words`` in
:mod:`app.domain.forms` read and write them); nothing here ever holds a float.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Final

from app.domain.errors import Conflict, DomainError
from app.domain.forms import format_money


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"  # a bank card on the POS terminal: its voucher number is the reference
    WECHAT = "wechat"  # QR payments: recorded by the transaction number the resident's phone shows
    ALIPAY = "alipay"

    @property
    def label_zh(self) -> str:
        return {"cash": "现金", "card": "银行卡", "wechat": "微信", "alipay": "支付宝"}[self.value]

    @property
    def label_en(self) -> str:
        return {"cash": "cash", "card": "bank card", "wechat": "WeChat Pay", "alipay": "Alipay"}[self.value]

    @property
    def needs_reference(self) -> bool:
        """QR and card payments are found again (and matched) by their transaction number."""
        return self is not PaymentMethod.CASH


def parse_method(text: str) -> PaymentMethod:
    """A method by its code (``cash``) or its Chinese name (现金, 微信 …)."""
    value = " ".join(str(text).split()).lower()
    for m in PaymentMethod:
        if value in (m.value, m.label_zh, m.label_en.lower()):
            return m
    raise DomainError("payment.bad_method", method=text, allowed="、".join(m.label_zh for m in PaymentMethod))


def check_reference(method: PaymentMethod, reference: str) -> str:
    """The transaction number of a QR or card payment: 6–40 letters and digits (what the phone or the POS
    voucher shows), required for those methods; cash has none."""
    ref = unicodedata.normalize("NFKC", reference).strip().replace(" ", "")
    if not method.needs_reference:
        return ""
    if not ref:
        raise DomainError("payment.reference_needed", method=method.label_zh)
    if not (6 <= len(ref) <= 40 and ref.isascii() and ref.replace("-", "").isalnum()):
        raise DomainError("payment.bad_reference", reference=reference)
    return ref


def change_due(total_fen: int, tendered_fen: int | None) -> int:
    """Cash handed back. Nothing tendered means the exact amount; less than the total is refused."""
    if tendered_fen is None:
        return 0
    if tendered_fen < total_fen:
        raise DomainError("payment.short", tendered=format_money(tendered_fen), total=format_money(total_fen))
    return tendered_fen - total_fen


class PaymentState(StrEnum):
    """A payment taken on behalf of a utility, the traffic police or a department: collected at the
    counter → remitted (passed on) → matched (the third party confirmed it); or failed and refunded; or
    voided the same day, before it went anywhere."""

    COLLECTED = "collected"
    REMITTED = "remitted"
    MATCHED = "matched"
    FAILED = "failed"
    REFUNDED = "refunded"
    VOIDED = "voided"

    @property
    def label_zh(self) -> str:
        return {"collected": "已收款", "remitted": "已代缴", "matched": "已对账", "failed": "代缴失败",
                "refunded": "已退款", "voided": "已作废"}[self.value]

    @property
    def label_en(self) -> str:
        return {"collected": "collected", "remitted": "remitted", "matched": "matched", "failed": "failed",
                "refunded": "refunded", "voided": "voided"}[self.value]

    @property
    def settled(self) -> bool:
        """The money is no longer held for anyone (it was refunded, or the payment never counted)."""
        return self in (PaymentState.REFUNDED, PaymentState.VOIDED)


# The event a payment goes through → (the states it may come from, the state it leaves the payment in).
EVENTS: Final[dict[str, tuple[frozenset[PaymentState], PaymentState]]] = {
    "remitted": (frozenset({PaymentState.COLLECTED}), PaymentState.REMITTED),
    "matched": (frozenset({PaymentState.COLLECTED, PaymentState.REMITTED}), PaymentState.MATCHED),
    "failed": (frozenset({PaymentState.COLLECTED, PaymentState.REMITTED}), PaymentState.FAILED),
    "refunded": (frozenset({PaymentState.COLLECTED, PaymentState.FAILED, PaymentState.MATCHED}),
                 PaymentState.REFUNDED),
    "voided": (frozenset({PaymentState.COLLECTED}), PaymentState.VOIDED),
}
NEEDS_APPROVER: Final = frozenset({"refunded", "voided"})  # money goes back: the station head approves
EVENT_LABELS: Final = {"remitted": "已代缴", "matched": "对账确认", "failed": "代缴失败", "refunded": "退款",
                       "voided": "作废"}


def next_state(state: PaymentState, event: str) -> PaymentState:
    if event not in EVENTS:
        raise DomainError("payment.bad_event", event=event, allowed="、".join(EVENTS))
    sources, target = EVENTS[event]
    if state not in sources:
        raise Conflict("payment.bad_transition", state=state.label_zh, event=EVENT_LABELS[event])
    return target


def state_after(events: Iterable[str]) -> PaymentState:
    state = PaymentState.COLLECTED
    for e in events:
        state = next_state(state, e)
    return state


# ---------------------------------------------------------------- the cash drawer

# What a drawer holds, by value in fen: notes of 100, 50, 20, 10, 5 and 1 yuan, 5 and 1 jiao (a 1-yuan or
# 5-jiao coin counts with the note of its value).
DENOMINATIONS: Final[tuple[int, ...]] = (10000, 5000, 2000, 1000, 500, 100, 50, 10)


def denomination_label(fen: int) -> str:
    return f"{fen // 100}元" if fen >= 100 else f"{fen // 10}角"


def count_total(counts: Mapping[int, int]) -> int:
    """The drawer's total from a count by denomination (pieces of each)."""
    total = 0
    for fen, pieces in counts.items():
        if fen not in DENOMINATIONS:
            raise DomainError("cash.bad_denomination", value=str(fen))
        if not 0 <= pieces <= 100_000:
            raise DomainError("cash.bad_pieces", pieces=pieces, value=denomination_label(fen))
        total += fen * pieces
    return total


def parse_count(text: str) -> dict[int, int]:
    """``100=3,50=2,0.5=4`` (yuan = pieces; 角 may be written 0.5) → {10000: 3, 5000: 2, 50: 4}."""
    counts: dict[int, int] = {}
    cleaned = unicodedata.normalize("NFKC", text).replace("，", ",").replace(" ", "")
    for part in filter(None, cleaned.split(",")):
        value, sep, pieces = part.partition("=")
        try:
            if not sep:
                raise ValueError(part)
            fen = int(Decimal(value.removesuffix("元")) * 100)
            n = int(pieces)
        except (ValueError, InvalidOperation) as e:
            raise DomainError("cash.bad_count", text=part) from e
        if fen not in DENOMINATIONS:
            raise DomainError("cash.bad_denomination", value=value)
        counts[fen] = counts.get(fen, 0) + n
    count_total(counts)  # checks the pieces
    return counts


def over_tolerance(difference_fen: int, tolerance_fen: int) -> bool:
    """A difference (counted − expected) beyond the tolerance either way needs the station head."""
    return abs(difference_fen) > tolerance_fen


# ---------------------------------------------------------------- the business day


def booking_day(today: date, closed: Callable[[date], bool], *, limit: int = 366) -> tuple[date, bool]:
    """The day a record made today is booked to: today, or — when today's close is already done — the next
    day not closed, flagged late (True). A closed day's records never change."""
    day = today
    for _ in range(limit):
        if not closed(day):
            return day, day != today
        day += timedelta(days=1)
    raise DomainError("close.no_open_day", day=today.isoformat())


# ---------------------------------------------------------------- the hash chain

GENESIS: Final = "0" * 64


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    return str(value)


def digest(fields: Mapping[str, Any]) -> str:
    """SHA-256 of a record's chained fields as canonical JSON (sorted keys, no spaces): an edited field, a
    different type or a missing field all give another digest."""
    body = json.dumps({k: _plain(v) for k, v in fields.items()}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def link_hash(prev_hash: str, seq: int, table: str, row_id: str, row_digest: str, key: bytes | None = None) -> str:
    """One link of a station's chain: it covers the previous link, so removing or reordering links breaks
    every hash after it. Keyed (HMAC-SHA256) with the station's key, kept apart from its database, so the links
    cannot be made again after an edit; ``key`` None: an earlier release's plain SHA-256."""
    text = f"{prev_hash}|{seq}|{table}|{row_id}|{row_digest}".encode()
    if key is None:
        return hashlib.sha256(text).hexdigest()
    return hmac.new(key, text, hashlib.sha256).hexdigest()
