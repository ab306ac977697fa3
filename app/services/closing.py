"""The daily close (日结): a station's day counted, stored as it was, printed on A4, and closed.

What the report holds: cases by item and state, payments by item and by method, each cash drawer's float,
expected and counted amounts, voids and refunds with their approvers, records booked late, reprints, points
issued and redeemed, and the station's hash chain at that moment. After the close nothing of that day
changes: money records made later on the same date are booked to the next open day and flagged
(``app.domain.money.booking_day``); cases, reprints and points made after the close on its date count on
the next open day's report, in its 日结后 lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from app.domain.cases import CaseState
from app.domain.documents import DocumentKind
from app.domain.errors import Conflict, DomainError, NotFound
from app.domain.money import PaymentMethod
from app.domain.points import EntryKind
from app.domain.staff import Actor, Permission
from app.persistence.uow import UnitOfWork
from app.services import checking
from app.services.backups import backup_after_close
from app.services.cases import iso_time
from app.services.context import ServiceContext
from app.services.integrity import chain, head
from app.services.paper import CloseCount, CloseDrawer, CloseVoid, DayCloseSheet, close_from_json, close_to_json

_EVENT_WORDS = {"voided": "作废", "refunded": "退款", "failed": "代缴失败"}


@dataclass(frozen=True, slots=True)
class CloseView:
    day: date
    closed_at: str
    closed_by: str
    sheet: DayCloseSheet
    station_code: str = ""
    # The automatic backup made after the close (app/services/backups.py) when it could not be made: the close
    # stands; the counter and the CLI show this (describe()) so someone makes a backup by hand.
    backup_warning: DomainError | None = None


def _start(day: date) -> str:
    return iso_time(datetime.combine(day, datetime.min.time()))


def _windows(uow: UnitOfWork, station: str, day: date, until: str) -> tuple[tuple[str, str, bool], ...]:
    """The stretches of time a day's report counts: the day itself up to now (or its end), and — flagged
    late — whatever came after the close of each closed day just before it."""
    # Times are ISO text to the second; "~" sorts after every digit, so "<closed_at>~" is just after the
    # close's second: a record made in the same second as the close counts on the day, not late.
    windows = [(_start(day), min(until + "~", _start(day + timedelta(days=1))), False)]
    earlier = day - timedelta(days=1)
    for _ in range(31):
        row = uow.repos.money.day_close(station, earlier)
        if row is None:
            break
        end = _start(earlier + timedelta(days=1))
        if row["closed_at"] < end:
            windows.append((row["closed_at"] + "~", end, True))
        earlier -= timedelta(days=1)
    return tuple(windows)


def build_sheet(ctx: ServiceContext, uow: UnitOfWork, day: date, *, closed_by: str = "",
                closed_at: str = "") -> DayCloseSheet:
    """The report of ``day`` as things stand (what closing it would store)."""
    station = ctx.station_code(uow)
    now = closed_at or iso_time(ctx.now())
    money = uow.repos.money
    windows = _windows(uow, station, day, now)
    states = {s.value: s.label_zh for s in CaseState}

    cases: dict[str, int] = {}
    late: list[CloseCount] = []
    reprints = 0
    points: dict[str, int] = {}
    for start, end, is_late in windows:
        found = money.case_counts(station, start, end)
        for r in found:
            key = f"{r['item_code']} {r['item_name']} · {states.get(r['state'], r['state'])}"
            cases[key] = cases.get(key, 0) + r["n"]
        n_reprints = money.audit_count("document.reprinted", start, end)
        reprints += n_reprints
        for kind, total in uow.repos.points.totals(start, end, station).items():
            points[kind] = points.get(kind, 0) + total
        if is_late and (found or n_reprints):
            late.append(CloseCount(f"日结后受理的办件（{start[:10]}）", sum(r["n"] for r in found)))

    payments = money.payments_of_day(station, day)
    catalog_names: dict[str, str] = {}
    for p in payments:
        item = ctx.catalog.get(p["item_code"])
        catalog_names[p["item_code"]] = item.name if item is not None else p["item_code"]
    by_item: dict[str, list[int]] = {}
    by_method: dict[str, list[int]] = {}
    for p in payments:
        method = PaymentMethod(p["method"]).label_zh
        key = f"{p['item_code']} {catalog_names[p['item_code']]} · {method}"
        by_item.setdefault(key, [0, 0])
        by_item[key][0] += 1
        by_item[key][1] += p["total_fen"]
        by_method.setdefault(method, [0, 0])
        by_method[method][0] += 1
        by_method[method][1] += p["total_fen"]
    late_payments = [p for p in payments if p["late"]]
    if late_payments:
        late.append(CloseCount("日结后收款（记入本日）", len(late_payments),
                               sum(p["total_fen"] for p in late_payments)))

    staff = {s["id"]: s["display_name"] for s in uow.repos.staff.list()}
    voids: list[CloseVoid] = []
    day_events = money.events_of_day(station, day)
    for e in day_events:
        if e["kind"] not in _EVENT_WORDS:
            continue
        pay = money.payment(e["payment_id"]) or {}
        case = uow.repos.cases.by_id(pay.get("case_id", "")) if pay else None
        docs = uow.repos.documents.for_subject(DocumentKind.PAYMENT.value, e["payment_id"])
        voids.append(CloseVoid(case_no=case["case_no"] if case else "", receipt_no=docs[0]["number"] if docs else "",
                               kind=_EVENT_WORDS[e["kind"]], amount_fen=e["amount_fen"], reason=e["reason"],
                               approver=staff.get(e["approver_id"] or "", ""), late=bool(e["late"])))
    late_events = [e for e in day_events if e["late"]]
    if late_events:
        late.append(CloseCount("日结后的收款处理（退款、作废、代缴）", len(late_events),
                               sum(e["amount_fen"] for e in late_events)))

    drawers = []
    for s in money.sessions_of_day(station, day):
        expected = s["expected_fen"] if s["expected_fen"] is not None else \
            s["float_fen"] + money.cash_moved(s["id"])
        counted = s["counted_fen"] if s["counted_fen"] is not None else 0
        drawers.append(CloseDrawer(opened_by=staff.get(s["opened_by"], ""), float_fen=s["float_fen"],
                                   expected_fen=expected, counted_fen=counted, difference_fen=counted - expected,
                                   closed_by=staff.get(s["closed_by"] or "", ""),
                                   approved_by=staff.get(s["approved_by"] or "", ""), note=s["note"]))
    redeemed = -(points.get(EntryKind.REDEMPTION.value, 0) + points.get(EntryKind.REVERSAL.value, 0))
    seq, chain_hash = head(uow, station)
    last_audit = uow.repos.money.last_audit()
    return DayCloseSheet(
        day=day, closed_at=now, closed_by=closed_by,
        cases=tuple(CloseCount(k, n) for k, n in sorted(cases.items())),
        payments=tuple(CloseCount(k, v[0], v[1]) for k, v in sorted(by_item.items())),
        methods=tuple(CloseCount(k, v[0], v[1]) for k, v in sorted(by_method.items())),
        payments_total_fen=sum(p["total_fen"] for p in payments),
        drawers=tuple(drawers), voids=tuple(voids), late=tuple(late), reprints=reprints,
        points=(CloseCount("发放积分", 0, points.get(EntryKind.AWARD.value, 0)),
                CloseCount("扣减积分", 0, -points.get(EntryKind.DEDUCTION.value, 0)),
                CloseCount("兑换积分（扣除撤销）", 0, redeemed),
                CloseCount("到期清零", 0, -points.get(EntryKind.EXPIRY.value, 0))),
        chain_seq=seq, chain_hash=chain_hash,
        audit_seq=int(last_audit["seq"]) if last_audit else 0, audit_hash=str(last_audit["hash"]) if last_audit else "",
        returned_fen=sum(e["amount_fen"] for e in day_events if e["kind"] in ("voided", "refunded")))


def preview_day(ctx: ServiceContext, *, day: date | None = None) -> DayCloseSheet:
    """The report of a day before it is closed (or as it was closed)."""
    with ctx.read() as uow:
        target = day or ctx.now().date()
        stored = uow.repos.money.day_close(ctx.station_code(uow), target)
        return close_from_json(stored["report_json"]) if stored else build_sheet(ctx, uow, target)


def close_day(ctx: ServiceContext, *, actor: Actor, day: date | None = None) -> CloseView:
    """Close a day: every drawer of the day must be counted and closed first; the report is stored and linked
    into the chain. A day is closed once; a later day may be closed before an earlier one was."""
    actor.require(Permission.MONEY_TAKE)
    today = ctx.now().date()
    target = day or today
    if target > today:
        raise DomainError("close.future", day=target.isoformat())
    with ctx.uow() as uow:
        station = ctx.station_code(uow)
        if uow.repos.money.is_closed(station, target):
            raise Conflict("close.already", day=target.isoformat())
        still_open = [s for s in uow.repos.money.open_sessions(station) if s["business_day"] <= target]
        if still_open:
            raise Conflict("close.drawer_open", day=still_open[0]["business_day"].isoformat())
        at = iso_time(ctx.now())
        sheet = build_sheet(ctx, uow, target, closed_by=actor.display_name, closed_at=at)
        close_id = uow.add("day_closes", {"station_code": station, "day": target, "closed_by": actor.staff_id,
                                          "closed_at": at, "report_json": close_to_json(sheet)})
        chain(uow, station, "day_closes", close_id, at)
        uow.audit(staff_id=actor.staff_id, action="day.closed", target_type="day", target_id=target.isoformat(),
                  detail={"payments_fen": sheet.payments_total_fen, "chain_seq": sheet.chain_seq}, at=ctx.now())
        uow.commit()
    # Where the chain and the audit log stand, kept apart from the database too (the paper has it as well).
    checking.keep_anchor(ctx, checking.current_anchor(ctx))
    warning = backup_after_close(ctx)  # after the commit: a failed copy never undoes or fails the close
    return CloseView(day=target, closed_at=at, closed_by=actor.display_name, sheet=sheet, backup_warning=warning)


def is_closed(ctx: ServiceContext, *, day: date) -> bool:
    with ctx.read() as uow:
        return uow.repos.money.is_closed(ctx.station_code(uow), day)


def closes(ctx: ServiceContext, *, station_code: str | None = None) -> tuple[CloseView, ...]:
    """The closes held here, newest first: this station's, or — at the town — any station's."""
    with ctx.read() as uow:
        staff = {s["id"]: s["display_name"] for s in uow.repos.staff.list()}
        return tuple(CloseView(day=r["day"], closed_at=r["closed_at"], closed_by=staff.get(r["closed_by"], ""),
                               sheet=close_from_json(r["report_json"]), station_code=r["station_code"])
                     for r in uow.repos.money.closes(station_code))


def stored_sheet(ctx: ServiceContext, uow: UnitOfWork, day: date) -> DayCloseSheet:
    """A closed day's report as stored (what its document prints)."""
    row = uow.repos.money.day_close(ctx.station_code(uow), day)
    if row is None:
        raise NotFound("close.not_closed", day=day.isoformat())
    return close_from_json(row["report_json"])


def summary_lines(sheet: DayCloseSheet) -> Mapping[str, Any]:
    """The figures a person checks first, for the CLI and the close dialog."""
    drawer_diff = sum(d.difference_fen for d in sheet.drawers)
    return {"cases": sum(c.count for c in sheet.cases), "payments": sum(m.count for m in sheet.methods),
            "payments_fen": sheet.payments_total_fen, "drawer_difference_fen": drawer_diff,
            "voids": len(sheet.voids), "late": sum(x.count for x in sheet.late), "reprints": sheet.reprints}
