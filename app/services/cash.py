"""The cash drawer (钱箱): opened with a counted float, every movement recorded, closed with a count by
denomination against what it should hold. A difference beyond the station's tolerance needs the station
head. A drawer left open past midnight stops payments until it is closed (``payments.drawer_for``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from app.domain.errors import Conflict, DomainError, NotFound
from app.domain.forms import format_money, parse_money
from app.domain.money import count_total, over_tolerance
from app.domain.staff import Actor, Permission
from app.persistence.uow import UnitOfWork
from app.services.cases import iso_time
from app.services.context import ServiceContext
from app.services.integrity import chain
from app.services.payments import booking_day_in, drawer_for

TOLERANCE_KEY: Final = "cash_tolerance"
DEFAULT_TOLERANCE_FEN: Final = 100  # ¥1.00 either way, unless the station sets another
MAX_FLOAT_FEN: Final = 10_000_00  # ¥10,000: more than any village drawer holds


@dataclass(frozen=True, slots=True)
class CashMoveView:
    kind: str  # payment | refund | in | out
    amount_fen: int
    reason: str
    staff_name: str
    at: str
    late: bool


@dataclass(frozen=True, slots=True)
class DrawerView:
    id: str
    business_day: date
    opened_by: str
    opened_at: str
    float_fen: int
    state: str  # open | closed
    expected_fen: int  # float + every movement
    moves: tuple[CashMoveView, ...]
    counted_fen: int | None = None
    count: tuple[tuple[int, int], ...] = ()  # (denomination in fen, pieces)
    closed_by: str = ""
    closed_at: str = ""
    approved_by: str = ""
    note: str = ""

    @property
    def difference_fen(self) -> int | None:
        """Counted − expected: over (+) or short (−); None while the drawer is open."""
        return None if self.counted_fen is None else self.counted_fen - self.expected_fen


def tolerance_in(ctx: ServiceContext, uow: UnitOfWork) -> int:
    stored = uow.repos.settings.for_station(ctx.station_code(uow)).get(TOLERANCE_KEY)
    return int(stored["value"]) if stored and stored["value"] else DEFAULT_TOLERANCE_FEN


def tolerance(ctx: ServiceContext) -> int:
    with ctx.read() as uow:
        return tolerance_in(ctx, uow)


def set_tolerance(ctx: ServiceContext, *, actor: Actor, amount: str) -> int:
    """How far a counted drawer may be off before the station head must close it (station head)."""
    actor.require(Permission.STATION_ADMIN)
    fen = parse_money(amount)
    if fen > 100_00:
        raise DomainError("cash.tolerance_too_big", amount=format_money(fen))
    with ctx.uow() as uow:
        station = ctx.station_code(uow)
        row = uow.repos.settings.for_station(station).get(TOLERANCE_KEY)
        if row is None:
            uow.add("station_settings", {"station_code": station, "key": TOLERANCE_KEY, "value": str(fen)})
        else:
            uow.change("station_settings", row["id"], {"value": str(fen)})
        uow.audit(staff_id=actor.staff_id, action="cash.tolerance", target_type="station", target_id=station,
                  detail={"fen": fen}, at=ctx.now())
        uow.commit()
    return fen


def _view(uow: UnitOfWork, row: Mapping[str, Any], staff: Mapping[str, str] | None = None) -> DrawerView:
    names = staff if staff is not None else {s["id"]: s["display_name"] for s in uow.repos.staff.list()}
    moves = uow.repos.money.moves(row["id"])
    counts = {int(k): int(v) for k, v in json.loads(row["count_json"] or "{}").items()}
    return DrawerView(
        id=row["id"], business_day=row["business_day"], opened_by=names.get(row["opened_by"], ""),
        opened_at=row["opened_at"], float_fen=row["float_fen"], state=row["state"],
        expected_fen=row["float_fen"] + sum(m["amount_fen"] for m in moves),
        moves=tuple(CashMoveView(kind=m["kind"], amount_fen=m["amount_fen"], reason=m["reason"],
                                 staff_name=names.get(m["staff_id"], ""), at=m["at"], late=bool(m["late"]))
                    for m in moves),
        counted_fen=row["counted_fen"], count=tuple(sorted(counts.items(), reverse=True)),
        closed_by=names.get(row["closed_by"] or "", ""), closed_at=row["closed_at"] or "",
        approved_by=names.get(row["approved_by"] or "", ""), note=row["note"])


def open_drawer(ctx: ServiceContext, *, actor: Actor, float_fen: int) -> DrawerView:
    """Open the drawer for the day with the float counted into it (备用金)."""
    actor.require(Permission.MONEY_TAKE)
    if not 0 <= float_fen <= MAX_FLOAT_FEN:
        raise DomainError("cash.bad_float", amount=format_money(float_fen))
    with ctx.uow() as uow:
        station = ctx.station_code(uow)
        day, _late = booking_day_in(ctx, uow, station)
        open_ = uow.repos.money.open_sessions(station)
        if open_:
            stale = open_[0]["business_day"] < day
            raise Conflict("cash.left_open" if stale else "cash.already_open",
                           day=open_[0]["business_day"].isoformat())
        session_id = uow.add("cash_sessions", {
            "station_code": station, "business_day": day, "opened_by": actor.staff_id,
            "opened_at": iso_time(ctx.now()), "float_fen": float_fen, "state": "open"})
        uow.audit(staff_id=actor.staff_id, action="cash.opened", target_type="cash_session", target_id=session_id,
                  detail={"float_fen": float_fen}, at=ctx.now())
        row = uow.repos.money.session(session_id)
        assert row is not None
        view = _view(uow, row)
        uow.commit()
    return view


def move_cash(ctx: ServiceContext, *, actor: Actor, amount_fen: int, reason: str) -> DrawerView:
    """Cash put into (> 0) or taken out of (< 0) the open drawer for a reason (e.g. 上缴现金 to the town)."""
    actor.require(Permission.MONEY_TAKE)
    text = " ".join(reason.split())
    if not text:
        raise DomainError("cash.reason_needed")
    if amount_fen == 0 or abs(amount_fen) > MAX_FLOAT_FEN * 10:
        raise DomainError("cash.bad_amount", amount=format_money(amount_fen))
    with ctx.uow() as uow:
        station = ctx.station_code(uow)
        day, late = booking_day_in(ctx, uow, station)
        session = drawer_for(uow, station, day, needed=True)
        assert session is not None
        held = session["float_fen"] + uow.repos.money.cash_moved(session["id"])
        if held + amount_fen < 0:
            raise Conflict("cash.not_enough", held=format_money(held), amount=format_money(-amount_fen))
        at = iso_time(ctx.now())
        move_id = uow.add("cash_moves", {
            "session_id": session["id"], "station_code": station, "kind": "in" if amount_fen > 0 else "out",
            "amount_fen": amount_fen, "reason": text[:500], "staff_id": actor.staff_id, "at": at,
            "business_day": day, "late": late})
        chain(uow, station, "cash_moves", move_id, at)
        uow.audit(staff_id=actor.staff_id, action="cash.moved", target_type="cash_session", target_id=session["id"],
                  detail={"amount_fen": amount_fen, "reason": text}, at=ctx.now())
        view = _view(uow, session)
        uow.commit()
    return view


def current_drawer(ctx: ServiceContext) -> DrawerView | None:
    """The open drawer, with what it should hold now; None when none is open."""
    with ctx.read() as uow:
        open_ = uow.repos.money.open_sessions(ctx.station_code(uow))
        return _view(uow, open_[0]) if open_ else None


def close_drawer(ctx: ServiceContext, *, actor: Actor, count: Mapping[int, int], note: str = "",
                 approver: Actor | None = None) -> DrawerView:
    """Count the drawer by denomination and close it. The difference from what it should hold is recorded;
    beyond the station's tolerance the station head must close it (as ``actor`` or as ``approver``), with a
    note saying what is known of it."""
    actor.require(Permission.MONEY_TAKE)
    counted = count_total(count)
    text = " ".join(note.split())
    with ctx.uow() as uow:
        station = ctx.station_code(uow)
        open_ = uow.repos.money.open_sessions(station)
        if not open_:
            raise NotFound("cash.no_session")
        session = open_[0]
        expected = session["float_fen"] + uow.repos.money.cash_moved(session["id"])
        difference = counted - expected
        approved_by = None
        if over_tolerance(difference, tolerance_in(ctx, uow)):
            head = approver or actor
            if not head.can(Permission.MONEY_APPROVE):
                raise DomainError("cash.head_needed", difference=format_money(difference),
                                  tolerance=format_money(tolerance_in(ctx, uow)))
            if not text:
                raise DomainError("cash.note_needed", difference=format_money(difference))
            approved_by = head.staff_id
        at = iso_time(ctx.now())
        uow.change("cash_sessions", session["id"], {
            "state": "closed", "closed_by": actor.staff_id, "closed_at": at, "expected_fen": expected,
            "counted_fen": counted, "count_json": json.dumps({str(k): v for k, v in sorted(count.items()) if v}),
            "approved_by": approved_by, "note": text[:500]})
        chain(uow, station, "cash_sessions", session["id"], at)
        uow.audit(staff_id=actor.staff_id, action="cash.closed", target_type="cash_session", target_id=session["id"],
                  detail={"expected_fen": expected, "counted_fen": counted, "difference_fen": difference,
                          "approved_by": approved_by}, at=ctx.now())
        row = uow.repos.money.session(session["id"])
        assert row is not None
        view = _view(uow, row)
        uow.commit()
    return view
