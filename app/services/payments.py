"""Money taken at the counter for a case (fees, bills, fines, top-ups): taken once, printed as a receipt,
and followed until the third party has it (remitted, matched) or it went back (failed and refunded, voided).
A payment row is never edited: everything after it is an event. Cash goes through the drawer (app.services.cash)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from app.domain.cases import CaseState
from app.domain.catalog import ServiceItem
from app.domain.documents import DocumentKind, looks_like_document_no
from app.domain.errors import Conflict, DomainError, NotFound
from app.domain.forms import FieldKind, amount_in_words
from app.domain.identity import mask_phone
from app.domain.money import (
    EVENT_LABELS,
    NEEDS_APPROVER,
    PaymentMethod,
    PaymentState,
    booking_day,
    change_due,
    check_reference,
    next_state,
    parse_method,
    state_after,
)
from app.domain.staff import Actor, Permission
from app.persistence.uow import UnitOfWork
from app.services.cases import CaseView, iso_time, own_case_view
from app.services.context import ServiceContext
from app.services.integrity import chain

METHODS: Final = tuple(m.label_zh for m in PaymentMethod)  # 现金、银行卡、微信、支付宝
_NO_PAYMENT_STATES = (CaseState.CONSULTATION, CaseState.NOT_ACCEPTED, CaseState.WITHDRAWN)


@dataclass(frozen=True, slots=True)
class PaymentEventView:
    kind: str  # remitted | matched | failed | refunded | voided
    amount_fen: int
    method: str  # how money went back (refund, void)
    reason: str
    reference: str
    staff_name: str
    approver_name: str
    at: str
    business_day: date
    late: bool


@dataclass(frozen=True, slots=True)
class PaymentView:
    id: str
    case_id: str
    case_no: str
    kind: str
    payee: str
    reference: str  # masked where it identifies a person (a mobile, a bank account)
    lines: tuple[tuple[str, int], ...]  # (label, fen)
    total_fen: int
    total_words: str
    method: PaymentMethod
    cashier_id: str
    paid_at: str
    item_code: str = ""
    txn_ref: str = ""  # the QR or card transaction number
    tendered_fen: int | None = None
    change_fen: int = 0
    business_day: date | None = None
    late: bool = False  # taken after its day was closed: booked to the next open day
    state: PaymentState = PaymentState.COLLECTED
    events: tuple[PaymentEventView, ...] = ()

    @property
    def method_label(self) -> str:
        return self.method.label_zh


def mask_account(number: str) -> str:
    """A bank account as ``****1234``: enough to recognise, not enough to use."""
    digits = number.strip()
    return "****" + digits[-4:] if len(digits) > 4 else "****"


def _reference(item: ServiceItem, form: dict[str, object]) -> str:
    """What identifies the bill or fine on the receipt, masked when it is a person's number."""
    for spec in item.fields:
        value = form.get(spec.key)
        if value in (None, ""):
            continue
        if spec.kind in (FieldKind.ACCOUNT_NO, FieldKind.DECISION_NO, FieldKind.PLATE):
            return f"{spec.label} {value}"
        if spec.kind is FieldKind.PHONE:
            return f"{spec.label} {mask_phone(str(value))}"
        if spec.kind is FieldKind.BANK_ACCOUNT:
            return f"{spec.label} {mask_account(str(value))}"
    return ""


def payment_lines(item: ServiceItem, form: dict[str, object], amount_fen: int | None) -> list[tuple[str, int]]:
    """The lines of a payment for the item as filled in: the form's amount field (and a late fee), or the fee."""
    spec = item.payment
    lines: list[tuple[str, int]] = []
    if spec is not None and spec.amount_field:
        amount = form.get(spec.amount_field)
        if isinstance(amount, int) and amount > 0:
            lines.append((item.short_name or item.name, amount))
        extra = form.get("late_fee")
        if isinstance(extra, int) and extra > 0:
            labels = {f.key: f.label for f in item.fields}
            lines.append((labels.get("late_fee", "滞纳金"), extra))
    else:  # a fixed fee, by the catalogue's fee rule for the case's form (S07: a first card is free)
        fee = item.fee_for(form) if amount_fen is None else amount_fen
        if fee > 0:
            lines.append((f"{item.short_name or item.name}工本费", fee))
    return lines


def record_payment(ctx: ServiceContext, *, actor: Actor, case_id: str, method: str = "cash",
                   amount_fen: int | None = None, tendered_fen: int | None = None,
                   reference: str = "") -> PaymentView:
    """Take the money for a case: a fee, or a bill, fine or top-up collected on behalf of others.

    The fixed fee comes from the catalogue (its fee rule with the case's form values: a first social-security
    card is free); ``amount_fen`` overrides it (a fee waived); a bill's amount always
    comes from its form. Cash goes into the open drawer (``tendered_fen`` handed over, change worked out); a
    QR or card payment is recorded by its transaction number. The payment is booked to today, or to the next
    open day when today is already closed (flagged late), and linked into the station's hash chain."""
    actor.require(Permission.MONEY_TAKE)
    how = parse_method(method)
    txn_ref = check_reference(how, reference)
    if amount_fen is not None and amount_fen < 0:
        raise DomainError("money.bad", text=str(amount_fen))
    if tendered_fen is not None and how is not PaymentMethod.CASH:
        tendered_fen = None  # only cash is handed over and counted
    with ctx.uow() as uow:
        view = own_case_view(ctx, uow, case_id)
        if view.state in _NO_PAYMENT_STATES:
            raise Conflict("payment.case_not_accepted", case_no=view.case_no, state=view.state.label_zh)
        earlier = uow.repos.money.payments_for_case(view.id)
        states = _states(uow, earlier)
        if any(not states[p["id"]].settled for p in earlier):
            raise Conflict("payment.already_recorded", case_no=view.case_no)
        item = ctx.catalog.item(view.item_code)
        form = {key: value for key, _label, value in view.form}
        lines = payment_lines(item, form, amount_fen)
        if not lines:
            raise DomainError("payment.nothing_to_pay", case_no=view.case_no, item=item.name)
        total = sum(f for _, f in lines)
        change = change_due(total, tendered_fen) if how is PaymentMethod.CASH else 0
        station = view.station_code
        now = ctx.now()
        day, late = booking_day_in(ctx, uow, station)
        session = drawer_for(uow, station, day, needed=how is PaymentMethod.CASH)
        if txn_ref and uow.repos.money.payments_by_ref(station, txn_ref):
            raise Conflict("payment.duplicate_reference", reference=txn_ref)
        at = iso_time(now)
        payment_id = uow.add("payments", {
            "station_code": station, "case_id": view.id, "item_code": item.code,
            "kind": item.payment.kind.value if item.payment else "fee",
            "payee": item.payment.payee if item.payment else item.department, "reference": _reference(item, form),
            "lines_json": json.dumps(lines, ensure_ascii=False), "total_fen": total, "method": how.value,
            "txn_ref": txn_ref, "tendered_fen": tendered_fen, "change_fen": change,
            "session_id": session["id"] if session and how is PaymentMethod.CASH else None,
            "cashier_id": actor.staff_id, "paid_at": at, "business_day": day, "late": late,
        })
        chain(uow, station, "payments", payment_id, at)
        if how is PaymentMethod.CASH:
            assert session is not None
            move_id = uow.add("cash_moves", {
                "session_id": session["id"], "station_code": station, "kind": "payment", "amount_fen": total,
                "reason": view.case_no, "payment_id": payment_id, "staff_id": actor.staff_id, "at": at,
                "business_day": day, "late": late})
            chain(uow, station, "cash_moves", move_id, at)
        uow.audit(staff_id=actor.staff_id, action="payment.recorded", target_type="case", target_id=view.id,
                  detail={"total_fen": total, "method": how.value, "late": late}, at=now)
        result = payment_view(uow, view, payment_id)
        uow.commit()
    return result


def booking_day_in(ctx: ServiceContext, uow: UnitOfWork, station: str) -> tuple[date, bool]:
    """Today, or the next day not yet closed (late): the day a money record made now is booked to."""
    return booking_day(ctx.now().date(), lambda d: uow.repos.money.is_closed(station, d))


def drawer_for(uow: UnitOfWork, station: str, day: date, *, needed: bool) -> Mapping[str, Any] | None:
    """The open cash drawer money of ``day`` goes into. A drawer left open from an earlier day stops every
    payment until it is counted and closed; cash needs a drawer open."""
    open_ = uow.repos.money.open_sessions(station)
    stale = [s for s in open_ if s["business_day"] < day]
    if stale:
        raise Conflict("cash.left_open", day=stale[0]["business_day"].isoformat())
    if needed and not open_:
        raise Conflict("cash.no_session")
    return open_[0] if open_ else None


def _states(uow: UnitOfWork, payments: Sequence[Mapping[str, Any]]) -> dict[str, PaymentState]:
    events = uow.repos.money.events([p["id"] for p in payments])
    return {pid: state_after(e["kind"] for e in evs) for pid, evs in events.items()}


def payment_event(ctx: ServiceContext, *, actor: Actor, payment_id: str, event: str, reason: str = "",
                  reference: str = "", approver: Actor | None = None) -> PaymentView:
    """What happened to a payment after it was taken: passed on to the third party (remitted), confirmed by
    it (matched, with its confirmation number), failed (a reason), refunded or voided (a reason and the
    station head's approval; the money goes back the way it came, cash out of the open drawer). Never an
    edit: each is a new record, booked to the open day, linked into the chain; the receipt keeps its number."""
    actor.require(Permission.MONEY_TAKE)
    text = " ".join(reason.split())
    if event in ("failed", *NEEDS_APPROVER) and not text:
        raise DomainError("payment.reason_needed", event=EVENT_LABELS.get(event, event))
    if event in NEEDS_APPROVER:
        if approver is None:
            raise DomainError("payment.approver_needed")
        approver.require(Permission.MONEY_APPROVE)
    with ctx.uow() as uow:
        row = uow.repos.money.payment(payment_id)
        if row is None:
            raise NotFound("payment.no_such", payment=payment_id)
        view = own_case_view(ctx, uow, row["case_id"])
        state = _states(uow, [row])[row["id"]]
        next_state(state, event)  # refuses what cannot happen now, by name
        station = row["station_code"]
        now = ctx.now()
        at = iso_time(now)
        day, late = booking_day_in(ctx, uow, station)
        back = row["total_fen"] if event in NEEDS_APPROVER else 0
        method = PaymentMethod(row["method"])
        session = drawer_for(uow, station, day, needed=bool(back) and method is PaymentMethod.CASH)
        event_id = uow.add("payment_events", {
            "payment_id": row["id"], "station_code": station, "kind": event, "amount_fen": back,
            "method": method.value if back else "", "reason": text[:500], "reference": reference.strip()[:80],
            "staff_id": actor.staff_id, "approver_id": approver.staff_id if approver else None, "at": at,
            "business_day": day, "late": late})
        chain(uow, station, "payment_events", event_id, at)
        if back and method is PaymentMethod.CASH:
            assert session is not None
            move_id = uow.add("cash_moves", {
                "session_id": session["id"], "station_code": station, "kind": "refund", "amount_fen": -back,
                "reason": f"{view.case_no} {text}"[:500], "payment_id": row["id"], "staff_id": actor.staff_id,
                "at": at, "business_day": day, "late": late})
            chain(uow, station, "cash_moves", move_id, at)
        if event in NEEDS_APPROVER:  # the receipt stays, numbered, marked void: its number is never used again
            for doc in uow.repos.documents.for_subject(DocumentKind.PAYMENT.value, row["id"]):
                if doc["state"] == "issued":
                    uow.change("documents", doc["id"], {"state": "voided", "void_reason": text[:500],
                                                        "voided_at": at, "voided_by": approver.staff_id
                                                        if approver else actor.staff_id})
                    chain(uow, station, "documents.void", doc["id"], at)
        uow.audit(staff_id=actor.staff_id, action=f"payment.{event}", target_type="payment", target_id=row["id"],
                  detail={"reason": text, "approver": approver.staff_id if approver else None, "late": late},
                  at=now)
        result = payment_view(uow, view, row["id"])
        uow.commit()
    return result


def payment_view(uow: UnitOfWork, view: CaseView, payment_id: str | None = None) -> PaymentView:
    row = uow.repos.payments.by_id(payment_id) if payment_id else uow.repos.payments.for_case(view.id)
    if row is None:
        raise NotFound("payment.not_found", case_no=view.case_no)
    return view_of(uow, row, view.case_no)


def view_of(uow: UnitOfWork, row: Mapping[str, Any], case_no: str,
            events: Sequence[Mapping[str, Any]] | None = None,
            staff: Mapping[str, str] | None = None) -> PaymentView:
    lines = tuple((str(label), int(fen)) for label, fen in json.loads(row["lines_json"]))
    evs = events if events is not None else uow.repos.money.events([row["id"]])[row["id"]]
    names = staff if staff is not None else {s["id"]: s["display_name"] for s in uow.repos.staff.list()}
    return PaymentView(
        id=row["id"], case_id=row["case_id"], case_no=case_no, kind=row["kind"], payee=row["payee"],
        reference=row["reference"], lines=lines, total_fen=row["total_fen"],
        total_words=amount_in_words(row["total_fen"]), method=PaymentMethod(row["method"]),
        cashier_id=row["cashier_id"], paid_at=row["paid_at"], item_code=row["item_code"], txn_ref=row["txn_ref"],
        tendered_fen=row["tendered_fen"], change_fen=row["change_fen"], business_day=row["business_day"],
        late=bool(row["late"]), state=state_after(e["kind"] for e in evs),
        events=tuple(PaymentEventView(
            kind=e["kind"], amount_fen=e["amount_fen"], method=e["method"], reason=e["reason"],
            reference=e["reference"], staff_name=names.get(e["staff_id"], ""),
            approver_name=names.get(e["approver_id"] or "", ""), at=e["at"], business_day=e["business_day"],
            late=bool(e["late"])) for e in evs))


def get_payment(ctx: ServiceContext, *, case_id: str) -> PaymentView:
    """The case's payment (the newest, when an earlier one was voided or refunded)."""
    with ctx.read() as uow:
        return payment_view(uow, own_case_view(ctx, uow, case_id))


def find_payment(ctx: ServiceContext, *, ref: str) -> PaymentView:
    """A payment by its id (or its last 8 characters), its receipt number, its case number or its QR / card
    transaction number: what staff have in hand when the utility calls back."""
    text = ref.strip()
    with ctx.read() as uow:
        station = ctx.station_code(uow)
        row = uow.repos.money.payment(text) if len(text) == 36 else None
        if row is None and looks_like_document_no(text):
            doc = uow.repos.documents.by_number(text)
            if doc is not None and doc["kind"] == DocumentKind.PAYMENT.value:
                row = uow.repos.money.payment(doc["subject_id"])
        if row is None:
            case = uow.repos.cases.by_no(text)
            rows = uow.repos.money.payments_for_case(case["id"]) if case else []
            row = rows[-1] if rows else None
        if row is None:
            rows = uow.repos.money.payments_by_ref(station, text)
            row = rows[-1] if rows else None
        if row is None and len(text) >= 6:
            row = next((p for p in uow.repos.money.recent_payments(station) if p["id"].endswith(text)), None)
        if row is None:
            raise NotFound("payment.no_such", payment=text)
        case = uow.repos.cases.by_id(row["case_id"])
        return view_of(uow, row, case["case_no"] if case else "")


def payments_of_day(ctx: ServiceContext, *, day: date) -> tuple[PaymentView, ...]:
    """The payments booked to a day (this station), each with its state."""
    with ctx.read() as uow:
        rows = uow.repos.money.payments_of_day(ctx.station_code(uow), day)
        events = uow.repos.money.events([r["id"] for r in rows])
        staff = {s["id"]: s["display_name"] for s in uow.repos.staff.list()}
        cases = {r["case_id"]: uow.repos.cases.by_id(r["case_id"]) for r in rows}
        return tuple(view_of(uow, r, (cases[r["case_id"]] or {}).get("case_no", ""), events[r["id"]], staff)
                     for r in rows)


@dataclass(frozen=True, slots=True)
class DueView:
    """A case whose money has not been taken yet (or whose payment was voided or refunded)."""

    case_id: str
    case_no: str
    applicant_name: str
    item_code: str
    item_name: str
    lines: tuple[tuple[str, int], ...]
    total_fen: int
    payee: str
    received_at: str


def awaiting_payment(ctx: ServiceContext, *, since_days: int = 7) -> tuple[DueView, ...]:
    """This station's cases of the last days that take money and have none taken: what the money page
    offers to collect, newest first."""
    from datetime import timedelta

    with ctx.read() as uow:
        station = ctx.station_code(uow)
        start = (ctx.now().date() - timedelta(days=since_days)).isoformat()
        rows = uow.repos.cases.search(station_code=station, day_from=start, limit=2000,
                                      states=[s.value for s in CaseState if s not in _NO_PAYMENT_STATES])
        due = []
        for r in rows:
            item = ctx.catalog.get(r["item_code"])
            if item is None or (item.payment is None and not item.may_charge):
                continue
            earlier = uow.repos.money.payments_for_case(r["id"])
            if earlier and any(not s.settled for s in _states(uow, earlier).values()):
                continue
            view = own_case_view(ctx, uow, r["id"])
            lines = payment_lines(item, {k: v for k, _label, v in view.form}, None)
            if not lines:
                continue  # e.g. a first card, which is free
            due.append(DueView(case_id=view.id, case_no=view.case_no, applicant_name=view.applicant.name,
                               item_code=item.code, item_name=item.name, lines=tuple(lines),
                               total_fen=sum(f for _, f in lines),
                               payee=item.payment.payee if item.payment else item.department,
                               received_at=view.received_at))
        return tuple(due)
