"""Money taken at the counter for a case (fees, bills, fines, top-ups): recorded once, printed as a receipt."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from app.domain.cases import CaseState
from app.domain.catalog import ServiceItem
from app.domain.errors import Conflict, DomainError, NotFound
from app.domain.forms import FieldKind, money_in_words
from app.domain.identity import mask_phone
from app.domain.staff import Actor, Permission
from app.persistence.uow import UnitOfWork
from app.services.cases import CaseView, iso_time, own_case_view
from app.services.context import ServiceContext

METHODS: Final = ("现金", "微信", "支付宝", "银行卡")
_NO_PAYMENT_STATES = (CaseState.CONSULTATION, CaseState.NOT_ACCEPTED, CaseState.WITHDRAWN)


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
    method: str
    cashier_id: str
    paid_at: str


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
    else:
        fee = item.fee_fen if amount_fen is None else amount_fen
        if fee > 0:
            lines.append((f"{item.short_name or item.name}工本费", fee))
    return lines


def record_payment(ctx: ServiceContext, *, actor: Actor, case_id: str, method: str = "现金",
                   amount_fen: int | None = None) -> PaymentView:
    """Record the money taken for a case (one payment per case). ``amount_fen`` overrides a fixed fee (e.g.
    a first social-security card is free); a bill's amount always comes from its form."""
    actor.require(Permission.CASE_HANDLE)
    if method not in METHODS:
        raise DomainError("payment.bad_method", method=method, allowed="、".join(METHODS))
    if amount_fen is not None and amount_fen < 0:
        raise DomainError("money.bad", text=str(amount_fen))
    with ctx.uow() as uow:
        view = own_case_view(ctx, uow, case_id)
        if view.state in _NO_PAYMENT_STATES:
            raise Conflict("payment.case_not_accepted", case_no=view.case_no, state=view.state.label_zh)
        if uow.repos.payments.for_case(view.id) is not None:
            raise Conflict("payment.already_recorded", case_no=view.case_no)
        item = ctx.catalog.item(view.item_code)
        form = {key: value for key, _label, value in view.form}
        lines = payment_lines(item, form, amount_fen)
        if not lines:
            raise DomainError("payment.nothing_to_pay", case_no=view.case_no, item=item.name)
        now = ctx.now()
        payment_id = uow.add("payments", {
            "station_code": view.station_code, "case_id": view.id,
            "kind": item.payment.kind.value if item.payment else "fee",
            "payee": item.payment.payee if item.payment else item.department, "reference": _reference(item, form),
            "lines_json": json.dumps(lines, ensure_ascii=False), "total_fen": sum(f for _, f in lines),
            "method": method, "cashier_id": actor.staff_id, "paid_at": iso_time(now),
        })
        uow.audit(staff_id=actor.staff_id, action="payment.recorded", target_type="case", target_id=view.id,
                  detail={"total_fen": sum(f for _, f in lines), "method": method}, at=now)
        result = payment_view(uow, view, payment_id)
        uow.commit()
    return result


def payment_view(uow: UnitOfWork, view: CaseView, payment_id: str | None = None) -> PaymentView:
    row = uow.repos.payments.by_id(payment_id) if payment_id else uow.repos.payments.for_case(view.id)
    if row is None:
        raise NotFound("payment.not_found", case_no=view.case_no)
    return _view(row, view.case_no)


def _view(row: dict[str, Any] | Any, case_no: str) -> PaymentView:
    lines = tuple((str(label), int(fen)) for label, fen in json.loads(row["lines_json"]))
    return PaymentView(id=row["id"], case_id=row["case_id"], case_no=case_no, kind=row["kind"], payee=row["payee"],
                       reference=row["reference"], lines=lines, total_fen=row["total_fen"],
                       total_words=money_in_words(row["total_fen"]), method=row["method"],
                       cashier_id=row["cashier_id"], paid_at=row["paid_at"])


def get_payment(ctx: ServiceContext, *, case_id: str) -> PaymentView:
    with ctx.read() as uow:
        return payment_view(uow, own_case_view(ctx, uow, case_id))
