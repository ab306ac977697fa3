"""Cases (办件): states, the allowed transitions, case numbers and deadlines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.domain.errors import Conflict, DomainError


class CaseState(StrEnum):
    CONSULTATION = "consultation"  # 咨询 (also: materials missing, one-time notice given)
    ACCEPTED = "accepted"  # 受理
    FORWARDED = "forwarded"  # 转报 to the town or a department
    RETURNED = "returned"  # 补正: waiting for more materials; the clock stops
    COMPLETED = "completed"  # 办结
    NOT_ACCEPTED = "not_accepted"  # 不予受理, with a reason
    WITHDRAWN = "withdrawn"  # 撤回

    @property
    def label_zh(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]

    @property
    def is_final(self) -> bool:
        return self in (CaseState.COMPLETED, CaseState.NOT_ACCEPTED, CaseState.WITHDRAWN)

    @property
    def clock_runs(self) -> bool:
        """Whether the promised date is running (not while waiting for the resident)."""
        return self in (CaseState.ACCEPTED, CaseState.FORWARDED)



# Not closed: what the station still has to move on (consultation, accepted, forwarded, returned).
OPEN_STATES: tuple[CaseState, ...] = (CaseState.CONSULTATION, CaseState.ACCEPTED, CaseState.FORWARDED,
                                      CaseState.RETURNED)

_LABELS = {
    CaseState.CONSULTATION: ("咨询", "Consultation"),
    CaseState.ACCEPTED: ("已受理", "Accepted"),
    CaseState.FORWARDED: ("已转报", "Forwarded"),
    CaseState.RETURNED: ("待补正", "Awaiting materials"),
    CaseState.COMPLETED: ("已办结", "Completed"),
    CaseState.NOT_ACCEPTED: ("不予受理", "Not accepted"),
    CaseState.WITHDRAWN: ("已撤回", "Withdrawn"),
}


class CaseAction(StrEnum):
    CONSULT = "consult"
    ACCEPT = "accept"
    FORWARD = "forward"
    RETURN = "return"
    RESUBMIT = "resubmit"
    COMPLETE = "complete"
    REJECT = "reject"
    WITHDRAW = "withdraw"


class Outcome(StrEnum):
    """How a completed case ended (办结结果)."""

    GRANTED = "granted"  # 准予 / 办成
    REFUSED = "refused"  # 不予批准
    ANSWERED = "answered"  # 已答复 (consultations, certificates)

    @property
    def label_zh(self) -> str:
        return {"granted": "准予办理", "refused": "不予批准", "answered": "已答复"}[self.value]


# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[CaseAction, tuple[frozenset[CaseState], CaseState]] = {
    CaseAction.ACCEPT: (frozenset({CaseState.CONSULTATION}), CaseState.ACCEPTED),
    CaseAction.FORWARD: (frozenset({CaseState.ACCEPTED}), CaseState.FORWARDED),
    CaseAction.RETURN: (frozenset({CaseState.ACCEPTED, CaseState.FORWARDED}), CaseState.RETURNED),
    CaseAction.RESUBMIT: (frozenset({CaseState.RETURNED}), CaseState.ACCEPTED),
    CaseAction.COMPLETE: (frozenset({CaseState.ACCEPTED, CaseState.FORWARDED}), CaseState.COMPLETED),
    CaseAction.REJECT: (
        frozenset({CaseState.CONSULTATION, CaseState.ACCEPTED, CaseState.FORWARDED, CaseState.RETURNED}),
        CaseState.NOT_ACCEPTED,
    ),
    CaseAction.WITHDRAW: (
        frozenset({CaseState.CONSULTATION, CaseState.ACCEPTED, CaseState.FORWARDED, CaseState.RETURNED}),
        CaseState.WITHDRAWN,
    ),
}


def next_state(current: CaseState, action: CaseAction) -> CaseState:
    """The state after ``action``; a Conflict names the current state when it is not allowed."""
    allowed_from, target = TRANSITIONS[action]
    if current not in allowed_from:
        raise Conflict("case.bad_transition", action=action.value, state=current.label_zh,
                       state_en=current.label_en)
    return target


_CASE_NO = re.compile(r"^(?P<station>[0-9A-Za-z]{2,20})-(?P<day>\d{8})-(?P<seq>\d{4,})$")


def format_case_no(station_code: str, day: date, seq: int) -> str:
    """Station code + date + per-station daily sequence: unique across stations with no network."""
    if seq < 1:
        raise ValueError("sequence starts at 1")
    return f"{station_code}-{day:%Y%m%d}-{seq:04d}"


def parse_case_no(text: str) -> tuple[str, date, int]:
    m = _CASE_NO.match(text.strip())
    if not m:
        raise DomainError("case.bad_number", number=text)
    d = m["day"]
    try:
        day = date(int(d[:4]), int(d[4:6]), int(d[6:]))
    except ValueError as e:
        raise DomainError("case.bad_number", number=text) from e
    return m["station"], day, int(m["seq"])


@dataclass(frozen=True, slots=True)
class Proxy:
    """Someone handling the case on the applicant's behalf (代办人)."""

    name: str
    id_number: str
    relation: str
    phone: str = ""


def is_overdue(state: CaseState, due: date | None, today: date) -> bool:
    return due is not None and state.clock_runs and today > due


def require_reason(reason: str, *, code: str = "case.reason_required") -> str:
    text = " ".join(reason.split())
    if len(text) < 2:
        raise DomainError(code)
    return text[:500]
