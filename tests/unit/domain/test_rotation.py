"""Rotation of the automatic backups: the newest of each of the last 14 days and of the last 12 months (that have
backups) are kept, everything else goes — checked on a table of cases and as properties of any set of backups."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.rotation import plan_rotation

START = datetime(2026, 1, 1, 17, 0)


def _named(moments: list[datetime]) -> list[tuple[str, datetime]]:
    return [(f"auto-{m:%Y%m%d-%H%M%S}-{i}", m) for i, m in enumerate(moments)]


def _days(n: int, *, per_day: int = 1, start: datetime = START) -> list[datetime]:
    return [start + timedelta(days=d, hours=h) for d in range(n) for h in range(per_day)]


@pytest.mark.parametrize(("moments", "daily", "monthly", "kept"), [
    ([], 0, 0, 0),
    (_days(1), 1, 1, 1),
    (_days(14), 14, 1, 14),  # one month: its newest is also the newest day's
    (_days(20), 14, 1, 14),
    (_days(20, per_day=2), 14, 1, 14),  # the close and the exit of a day: the later one stays
    # January 1 … March 5: the 14 days reach back to February 20, so only January 31 stays as a monthly one
    (_days(31 + 28 + 5), 14, 3, 15),
    # January 1, 2026 … February 4, 2027: 14 days back to January 22; the newest of January and February 2027
    # are among them, so 12 months add 10 files
    (_days(400), 14, 12, 24),
    # one backup a week for a year: 14 weeks are the 14 days that have one
    ([START + timedelta(weeks=w) for w in range(52)], 14, 12, 14 + 12 - 4),
], ids=["none", "one", "two-weeks", "twenty-days", "close-and-exit", "three-months", "over-a-year", "weekly"])
def test_the_plan_for_a_table_of_histories(moments: list[datetime], daily: int, monthly: int, kept: int) -> None:
    plan = plan_rotation(_named(moments))
    assert (len(plan.daily), len(plan.monthly), len(plan.daily | plan.monthly)) == (daily, monthly, kept)
    assert len(plan.delete) == len(moments) - kept


def test_of_two_backups_of_a_day_the_later_one_is_kept() -> None:
    close, exit_ = datetime(2026, 11, 23, 17, 2), datetime(2026, 11, 23, 18, 30)
    plan = plan_rotation([("close", close), ("exit", exit_)])
    assert plan.daily == {"exit"} and plan.delete == {"close"}
    assert plan.kind("exit") == "daily" and plan.kind("close") is None


def test_a_station_closed_for_the_holidays_keeps_its_last_fourteen_working_days() -> None:
    before = _days(20, start=datetime(2026, 1, 10, 17))
    after_three_weeks_closed = [before[-1] + timedelta(days=22)]
    plan = plan_rotation(_named(before + after_three_weeks_closed))
    assert len(plan.daily) == 14  # 13 days before the holiday and the first day back, not 1


def test_an_old_month_kept_as_monthly_is_called_monthly() -> None:
    plan = plan_rotation([("january", datetime(2026, 1, 31, 17)), *_named(_days(20, start=datetime(2026, 3, 1)))])
    assert plan.kind("january") == "monthly"


def test_keeping_nothing_is_refused() -> None:
    with pytest.raises(ValueError):
        plan_rotation([], days=0)


moments = st.lists(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31)), max_size=120)


@settings(max_examples=200, deadline=None)
@given(moments, st.integers(1, 20), st.integers(1, 15), st.randoms(use_true_random=False))
def test_the_plan_keeps_the_newest_of_each_recent_day_and_month_and_deletes_the_rest(
        when: list[datetime], days: int, months: int, rnd: random.Random) -> None:
    backups = _named(when)
    plan = plan_rotation(backups, days=days, months=months)
    names = {n for n, _ in backups}
    kept = plan.daily | plan.monthly
    assert kept | plan.delete == names and not kept & plan.delete
    if backups:
        assert max(backups, key=lambda b: (b[1], b[0]))[0] in plan.daily  # the newest is never deleted

    at = dict(backups)
    for keep, period, limit in ((plan.daily, lambda m: m.date(), days), (plan.monthly, lambda m: (m.year, m.month),
                                                                          months)):
        periods = sorted({period(m) for m in when}, reverse=True)[:limit]
        # exactly one kept per recent period, and it is that period's newest
        assert sorted((period(at[n]) for n in keep), reverse=True) == periods
        for n in keep:
            same = [b for b in backups if period(b[1]) == period(at[n])]
            assert n == max(same, key=lambda b: (b[1], b[0]))[0]

    shuffled = list(backups)
    rnd.shuffle(shuffled)
    assert plan_rotation(shuffled, days=days, months=months) == plan  # the order given changes nothing
