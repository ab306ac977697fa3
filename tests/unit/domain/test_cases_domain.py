"""Case states, transitions, case numbers, deadlines and reasons (pure domain)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from app.domain.cases import (
    TRANSITIONS,
    CaseAction,
    CaseState,
    format_case_no,
    is_overdue,
    next_state,
    parse_case_no,
    require_reason,
)
from app.domain.errors import Conflict, DomainError

ALL_PAIRS = list(itertools.product(CaseState, CaseAction))


def _expected(state: CaseState, action: CaseAction) -> CaseState | None:
    if action not in TRANSITIONS:
        return None
    allowed, target = TRANSITIONS[action]
    return target if state in allowed else None


@pytest.mark.parametrize(("state", "action"), ALL_PAIRS, ids=[f"{s.value}-{a.value}" for s, a in ALL_PAIRS])
def test_next_state_follows_the_transition_table_for_every_state_and_action(state: CaseState,
                                                                            action: CaseAction) -> None:
    expected = _expected(state, action)
    if expected is None and action in TRANSITIONS:
        with pytest.raises(Conflict) as err:
            next_state(state, action)
        assert err.value.code == "case.bad_transition"
        assert err.value.params["state"] == state.label_zh
        assert err.value.params["state_en"] == state.label_en
    elif action in TRANSITIONS:
        assert next_state(state, action) is expected


def test_consult_is_not_a_transition_but_only_the_way_a_case_starts() -> None:
    assert CaseAction.CONSULT not in TRANSITIONS
    assert set(TRANSITIONS) == set(CaseAction) - {CaseAction.CONSULT}


def test_no_action_leads_out_of_a_final_state() -> None:
    for state in CaseState:
        if state.is_final:
            assert all(state not in allowed for allowed, _ in TRANSITIONS.values())


def test_the_promised_date_runs_only_while_accepted_or_forwarded() -> None:
    assert {s for s in CaseState if s.clock_runs} == {CaseState.ACCEPTED, CaseState.FORWARDED}


def test_a_case_number_is_station_date_and_four_digit_sequence() -> None:
    assert format_case_no("QX01", date(2026, 11, 23), 1) == "QX01-20261123-0001"
    assert format_case_no("QX01", date(2026, 11, 23), 12345) == "QX01-20261123-12345"


def test_a_case_sequence_starts_at_one() -> None:
    with pytest.raises(ValueError):
        format_case_no("QX01", date(2026, 11, 23), 0)


def test_a_case_number_parses_back_into_its_parts() -> None:
    assert parse_case_no(" QX01-20261123-0007 ") == ("QX01", date(2026, 11, 23), 7)
    no = format_case_no("ZZ9", date(2027, 2, 1), 42)
    assert parse_case_no(no) == ("ZZ9", date(2027, 2, 1), 42)


@pytest.mark.parametrize("text", ["", "QX01-2026112-0001", "QX01-20261123-001", "QX01-20261332-0001",
                                  "QX01_20261123_0001", "Q-20261123-0001", "QX01-20260230-0001"])
def test_a_malformed_case_number_is_refused(text: str) -> None:
    with pytest.raises(DomainError) as err:
        parse_case_no(text)
    assert err.value.code == "case.bad_number"


def test_a_case_is_overdue_only_after_its_due_date_while_the_clock_runs() -> None:
    due = date(2026, 10, 12)
    assert not is_overdue(CaseState.ACCEPTED, due, due)
    assert is_overdue(CaseState.ACCEPTED, due, date(2026, 10, 13))
    assert is_overdue(CaseState.FORWARDED, due, date(2026, 10, 13))
    for state in (CaseState.CONSULTATION, CaseState.RETURNED, CaseState.COMPLETED, CaseState.NOT_ACCEPTED,
                  CaseState.WITHDRAWN):
        assert not is_overdue(state, due, date(2027, 1, 1))
    assert not is_overdue(CaseState.ACCEPTED, None, date(2027, 1, 1))


def test_a_reason_is_required_and_normalised() -> None:
    assert require_reason("  缺少  签字 ") == "缺少 签字"
    assert len(require_reason("很" * 800)) == 500
    for bad in ("", "   ", "缺"):
        with pytest.raises(DomainError) as err:
            require_reason(bad)
        assert err.value.code == "case.reason_required"


def test_a_reason_error_can_carry_another_code() -> None:
    with pytest.raises(DomainError) as err:
        require_reason("", code="case.note_required")
    assert err.value.code == "case.note_required"
