"""交接班: the staff member leaving the counter hands their open cases to the one taking over (A/B post).

The open cases (consultations, accepted, forwarded, returned) that the leaving staff member handles get
the new handler, each with a case event; the first-inquiry officer (首问负责) stays who it was. The
handover itself is audited with what was handed over and the note.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.cases import OPEN_STATES, CaseState
from app.domain.errors import DomainError, NotFound
from app.domain.staff import Actor, Permission
from app.services.cases import iso_time, record_event
from app.services.context import ServiceContext
from app.services.views import CaseSummary, case_summary


@dataclass(frozen=True, slots=True)
class Handover:
    from_name: str
    to_name: str
    cases: tuple[CaseSummary, ...]
    at: str


def my_open_cases(ctx: ServiceContext, *, actor: Actor) -> tuple[CaseSummary, ...]:
    """What the staff member would hand over: the open cases they handle, oldest first."""
    today = ctx.now().date()
    with ctx.read() as uow:
        rows = uow.repos.cases.open_for_handler(ctx.station_code(uow), actor.staff_id, [s.value for s in OPEN_STATES])
    return tuple(case_summary(r, today) for r in rows)


def hand_over(ctx: ServiceContext, *, actor: Actor, to_username: str, note: str = "") -> Handover:
    actor.require(Permission.CASE_HANDLE)
    now = ctx.now()
    today = now.date()
    with ctx.uow() as uow:
        station = ctx.station_code(uow)
        to = uow.repos.staff.by_username(to_username.strip())
        if to is None or not to["active"] or to["station_code"] != station:
            raise NotFound("handover.no_such_staff", username=to_username)
        if to["id"] == actor.staff_id:
            raise DomainError("handover.same_person")
        rows = uow.repos.cases.open_for_handler(station, actor.staff_id, [s.value for s in OPEN_STATES])
        text = f"交接班：{actor.display_name} → {to['display_name']}"
        if note.strip():
            text += f"（{note.strip()[:200]}）"
        for row in rows:
            uow.change("cases", row["id"], {"handler_id": to["id"]})
            state = CaseState(row["state"])
            record_event(uow, row["id"], "handover", state.value, state, actor, now, text)
        uow.audit(staff_id=actor.staff_id, action="shift.handover", target_type="staff", target_id=to["id"],
                  detail={"cases": len(rows), "note": note.strip()[:200]}, at=now)
        uow.commit()
    return Handover(from_name=actor.display_name, to_name=str(to["display_name"]),
                    cases=tuple(case_summary(r, today) for r in rows), at=iso_time(now))
