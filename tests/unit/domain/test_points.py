"""The points rules as data and the arithmetic of a ledger: what a declaration is worth, caps, grades,
expiry lots taken soonest-first, and the checks a redemption must pass."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.errors import DomainError, NotFound, ValidationFailed
from app.domain.points import (
    CapPeriod,
    Entry,
    EntryKind,
    ExpiryKind,
    PointsRules,
    add_months,
    build_rules,
    check_away_room,
    check_redemption,
    due_expiries,
    mask_name,
    overspent,
    parse_hours,
    parse_rules,
    replay,
)
from app.messages import MESSAGES, describe
from app.paths import resource


def _town() -> dict[str, Any]:
    return json.loads(resource("points", "town-standard.json").read_text(encoding="utf-8"))


def _rules(**changes: Any) -> PointsRules:
    data = _town()
    data.update(changes)
    return build_rules(parse_rules(data, source="test"))


def test_the_shipped_town_rules_read_and_hold_every_category_of_the_reference() -> None:
    rules = _rules()
    categories = {i.category for i in rules.indicators}
    assert {"移风易俗", "尊老爱幼", "热心公益", "邻里和睦", "环境美化", "遵纪守法", "志愿服务"} <= categories
    assert any(i.deduction for i in rules.indicators) and any(i.hourly for i in rules.indicators)
    assert (rules.starting_balance, rules.spendable_above, rules.suspend_below) == (100, 100, 70)
    assert rules.versions == ("town-points@2026.1",)


def test_hours_count_up_to_the_activity_cap_and_part_points_are_dropped() -> None:
    volunteer = _rules().indicator("t17")  # 1 point an hour, 2 hours at most
    assert volunteer.points_for(Decimal("1.5")) == 1
    assert volunteer.points_for(Decimal(5)) == 2
    ten = parse_rules({**_town(), "indicators": [{"code": "T01", "category": "志愿服务", "name": "志愿服务",
                                                   "per_hour": 10, "max_hours": 2}]}, source="t").indicators[0]
    assert ten.points_for(Decimal("1.5")) == 15
    with pytest.raises(DomainError) as e:
        volunteer.points_for(None)
    assert e.value.code == "points.hours_needed"
    with pytest.raises(DomainError):
        _rules().indicator("T04").points_for(Decimal(1))
    for bad in ("0", "-1", "1.25", "25", "两小时", "nan"):
        with pytest.raises(DomainError) as err:
            parse_hours(bad)
        assert err.value.code == "points.bad_hours", bad


def test_caps_periods_grades_masking_and_months() -> None:
    rules = _rules()
    assert rules.indicator("T04").cap_room(15) == 5 and rules.indicator("T04").cap_room(25) == 0
    assert rules.indicator("T14").cap_room(1000) is None
    assert [CapPeriod.MONTH.key(date(2026, 11, 30)), CapPeriod.QUARTER.key(date(2026, 11, 30)),
            CapPeriod.YEAR.key(date(2026, 11, 30))] == ["2026-11", "2026-Q4", "2026"]
    assert rules.grade(119) is None and rules.grade(150).label == "四星文明户"  # type: ignore[union-attr]
    assert rules.spendable(90) == 0 and rules.spendable(135) == 35 and rules.suspended(69)
    assert [mask_name(n) for n in ("张三", "张小三", "欧阳小明", "李")] == ["张*", "张*三", "欧**明", "李"]
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 5), 14) == date(2028, 1, 5)
    yearly = _rules()
    months = _rules(expiry={"kind": "months", "months": 12})
    assert yearly.expiry is ExpiryKind.YEARLY and yearly.lot_expires_on(date(2026, 3, 1)) == date(2026, 12, 31)
    assert months.lot_expires_on(date(2026, 3, 1)) == date(2027, 2, 28)
    assert _rules(expiry={"kind": "none"}).lot_expires_on(date(2026, 3, 1)) is None


def test_a_broken_rules_file_lists_every_problem_with_its_place() -> None:
    data = copy.deepcopy(_town())
    data["account_kind"] = "family"
    data["colour"] = "red"
    data["indicators"][0]["points"] = 0
    data["indicators"][1]["code"] = "X9"
    data["indicators"][2]["code"] = "T01"
    data["indicators"][3]["per_hour"] = 2  # points and per_hour both
    data["stars"][1]["threshold"] = 300
    with pytest.raises(ValidationFailed) as e:
        parse_rules(data, source="镇规则.json")
    problems = e.value.problems
    assert set(problems) >= {"account_kind", "colour", "indicators[0].points", "indicators[1].code",
                             "indicators[2].code", "indicators[3].points", "stars"}
    text = describe(e.value)
    assert "镇规则.json" in text and "indicators[1].code" in text and "Traceback" not in text
    for problem in problems.values():
        assert problem.code in MESSAGES, problem.code


def test_a_village_adds_its_own_indicators_with_codes_other_villages_may_repeat() -> None:
    town = parse_rules(_town(), source="town")
    own = {"format": "stationdesk.points/1", "rules_id": "v01-points", "scope": "village", "version": "1",
           "title": "青溪村", "village_code": "V01",
           "indicators": [{"code": "L01", "category": "环境美化", "name": "门前三包", "points": 2, "cap": 4}]}
    other = {**own, "rules_id": "v02-points", "village_code": "V02",
             "indicators": [{"code": "L01", "category": "热心公益", "name": "护林巡山", "points": 3}]}
    rules = build_rules(town, [parse_rules(own, source="a"), parse_rules(other, source="b")])
    assert rules.indicator("L01", "V01").name == "门前三包" and rules.indicator("L01", "V02").name == "护林巡山"
    with pytest.raises(NotFound):
        rules.indicator("L01")  # not a town indicator
    assert len(rules.indicators_for("V01")) == len(town.indicators) + 1
    with pytest.raises(ValidationFailed):
        parse_rules({**own, "indicators": [{"code": "T99", "category": "x", "name": "y", "points": 1}]}, source="c")


def _e(i: int, kind: EntryKind, points: int, day: str, expires: date | None = None, lot: str = "") -> Entry:
    return Entry(id=f"e{i:03d}", kind=kind, points=points, at=f"{day}T10:00:00", expires_on=expires, lot_id=lot)


def test_spending_takes_the_soonest_expiring_points_and_expiry_clears_only_what_is_left() -> None:
    entries = [
        _e(1, EntryKind.OPENING, 100, "2026-01-01"),
        _e(2, EntryKind.AWARD, 20, "2026-02-01", date(2026, 12, 31)),
        _e(3, EntryKind.AWARD, 30, "2026-03-01", date(2026, 6, 30)),
        _e(4, EntryKind.REDEMPTION, -40, "2026-04-01"),  # takes 30 from e003 (soonest), 10 from e002
    ]
    state = replay(entries)
    assert state.balance == 110
    assert [(lot.entry_id, lot.remaining) for lot in state.lots] == [("e002", 10), ("e001", 100)]
    assert due_expiries(state, date(2027, 1, 1)) == (state.lots[0],)
    after = replay([*entries, _e(5, EntryKind.EXPIRY, -10, "2027-01-01", lot="e002")])
    assert after.balance == 100 and due_expiries(after, date(2027, 1, 1)) == ()
    # An expired lot is not spent from after its last day, even before its expiry entry is written.
    late = replay([*entries[:3], _e(4, EntryKind.REDEMPTION, -40, "2026-07-01")])
    assert [(lot.entry_id, lot.remaining) for lot in late.lots] == [("e003", 30), ("e001", 80)]


def test_a_deduction_beyond_every_lot_is_debt_that_the_next_credit_pays_first() -> None:
    state = replay([_e(1, EntryKind.AWARD, 10, "2026-01-01"), _e(2, EntryKind.DEDUCTION, -30, "2026-02-01"),
                    _e(3, EntryKind.AWARD, 25, "2026-03-01", date(2026, 12, 31))])
    assert state.balance == 5 and state.debt == 0
    assert [(lot.entry_id, lot.remaining) for lot in state.lots] == [("e003", 5)]


def test_redemption_checks_the_spendable_part_and_the_away_allowance() -> None:
    rules = _rules()
    check_redemption(rules, 150, 50)
    with pytest.raises(DomainError) as e:
        check_redemption(rules, 150, 51)
    assert e.value.code == "points.not_enough" and e.value.params["spendable"] == 50
    check_away_room(rules, 30, unconfirmed=20)
    with pytest.raises(DomainError) as away:
        check_away_room(rules, 31, unconfirmed=20)
    assert away.value.params["room"] == 30


def test_overspending_shows_only_when_two_stations_spent_the_same_points() -> None:
    rules = _rules()
    one = [_e(1, EntryKind.OPENING, 100, "2026-01-01"), _e(2, EntryKind.AWARD, 60, "2026-02-01"),
           _e(3, EntryKind.REDEMPTION, -50, "2026-03-01")]
    assert overspent(rules, one) == 0
    two = [*one, _e(4, EntryKind.REDEMPTION, -50, "2026-03-01")]  # the other station, offline, same day
    assert overspent(rules, two) == 40
    assert overspent(rules, [*one, _e(5, EntryKind.DEDUCTION, -30, "2026-04-01")]) == 0  # a penalty is not overspending
    early = [one[0], _e(6, EntryKind.REDEMPTION, -24, "2026-01-15"), *one[1:]]  # before the award it did not know
    assert overspent(rules, early) == 14  # balance 86: 14 below the floor, however the shortfalls add up


kinds = st.sampled_from([EntryKind.AWARD, EntryKind.DEDUCTION, EntryKind.REDEMPTION, EntryKind.CORRECTION,
                         EntryKind.REVERSAL])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(kinds, st.integers(1, 80), st.integers(0, 364), st.booleans()), max_size=40))
def test_the_balance_is_always_the_sum_of_the_entries_and_lots_never_hold_more(
        moves: list[tuple[EntryKind, int, int, bool]]) -> None:
    rules = _rules()
    entries = [_e(0, EntryKind.OPENING, 100, "2026-01-01")]
    for i, (kind, size, offset, expiring) in enumerate(sorted(moves, key=lambda m: m[2]), start=1):  # in time order
        day = date.fromordinal(date(2026, 1, 2).toordinal() + offset)
        credit = kind in (EntryKind.AWARD, EntryKind.REVERSAL) or (kind is EntryKind.CORRECTION and size % 2)
        points = size if credit else -size
        if kind is EntryKind.REDEMPTION:
            balance = sum(e.points for e in entries if e.at <= f"{day.isoformat()}T10:00:00")
            if points + rules.spendable(balance) < 0:
                continue  # the service refuses it
        entries.append(_e(i, kind, points, day.isoformat(), rules.lot_expires_on(day) if credit and expiring else None))
    state = replay(entries)
    assert state.balance == sum(e.points for e in entries)
    assert all(0 < lot.remaining <= lot.points for lot in state.lots)
    assert sum(lot.remaining for lot in state.lots) - state.debt == state.balance  # every point is in a lot or owed
    assert overspent(rules, entries) == 0  # one station, every redemption checked: never overspent
