"""好差评 at the counter: one rating per case; a bad one opens a follow-up (整改回访) with a deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.errors import Conflict, DomainError, NotFound
from app.domain.ratings import FOLLOW_UP_WORKING_DAYS, RatingLevel
from app.domain.staff import Actor, Permission
from app.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class RatingResult:
    case_no: str
    level: RatingLevel
    follow_up_id: str | None  # set for a bad rating
    follow_up_due: date | None


@dataclass(frozen=True, slots=True)
class FollowUp:
    id: str
    case_id: str
    case_no: str
    item_name: str
    applicant_name: str
    level: RatingLevel
    comment: str
    due_date: date
    overdue: bool
    done: bool
    note: str


def rate_case(ctx: ServiceContext, *, actor: Actor, case_id: str, level: int, comment: str = "") -> RatingResult:
    """Record the resident's rating of a case (once). The staff member at the counter records it for the
    rating panel; the rating is of the officer who handled the case."""
    actor.require(Permission.CASE_HANDLE)
    try:
        rated = RatingLevel(int(level))
    except ValueError:
        raise DomainError("rating.bad_level", level=str(level)) from None
    now = ctx.now()
    with ctx.uow() as uow:
        case = uow.repos.cases.by_id(case_id)
        if case is None or case["deleted"]:
            raise NotFound("case.not_found", case=case_id)
        if case["station_code"] != ctx.station_code(uow):
            raise Conflict("case.other_station", case_no=case["case_no"], station=case["station_code"])
        if uow.repos.ratings.for_case(case_id) is not None:
            raise Conflict("rating.already", case_no=case["case_no"])
        rating_id = uow.add("ratings", {"case_id": case_id, "level": int(rated), "stage": case["state"],
                                        "staff_id": case["handler_id"], "comment": " ".join(comment.split())[:500],
                                        "rated_at": now.isoformat(timespec="seconds")})
        follow_up_id, due = None, None
        if rated.is_bad:
            due = ctx.calendar.add_working_days(now.date(), FOLLOW_UP_WORKING_DAYS)
            follow_up_id = uow.add("follow_ups", {"case_id": case_id, "rating_id": rating_id, "due_date": due,
                                                  "state": "open"})
        uow.audit(staff_id=actor.staff_id, action="case.rated", target_type="case", target_id=case_id,
                  detail={"level": int(rated)}, at=now)
        uow.commit()
    return RatingResult(case_no=case["case_no"], level=rated, follow_up_id=follow_up_id, follow_up_due=due)


def list_follow_ups(ctx: ServiceContext, *, open_only: bool = True) -> tuple[FollowUp, ...]:
    today = ctx.now().date()
    with ctx.read() as uow:
        rows = uow.repos.ratings.follow_ups(station_code=ctx.station_code(uow), open_only=open_only)
    return tuple(FollowUp(id=r["id"], case_id=r["case_id"], case_no=r["case_no"], item_name=r["item_name"],
                          applicant_name=r["applicant_name"], level=RatingLevel(r["level"]), comment=r["comment"],
                          due_date=r["due_date"], overdue=r["state"] == "open" and r["due_date"] < today,
                          done=r["state"] == "done", note=r["note"]) for r in rows)


def close_follow_up(ctx: ServiceContext, *, actor: Actor, follow_up_id: str, note: str) -> None:
    """The bad rating was looked into and answered (整改、回访): what was done is required."""
    actor.require(Permission.CASE_HANDLE)
    note = " ".join(note.split())
    if len(note) < 4:
        raise DomainError("follow_up.note_required")
    now = ctx.now()
    with ctx.uow() as uow:
        row = uow.repos.ratings.follow_up(follow_up_id)
        if row is None or row["deleted"]:
            raise NotFound("follow_up.not_found", follow_up=follow_up_id)
        if row["state"] == "done":
            raise Conflict("follow_up.already_done")
        uow.change("follow_ups", follow_up_id, {"state": "done", "note": note[:1000],
                                                "closed_at": now.isoformat(timespec="seconds"),
                                                "closed_by": actor.staff_id})
        uow.audit(staff_id=actor.staff_id, action="follow_up.closed", target_type="case", target_id=row["case_id"],
                  at=now)
        uow.commit()
