"""Tests that the holiday calendar shipped with the program parses and matches the State Council notices."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from app.domain.calendar import WorkCalendar, parse_calendar, statutory_days_off
from app.paths import resource
from app.services.context import shipped_lunar_table


@pytest.fixture(scope="module")
def shipped() -> WorkCalendar:
    path = resource("calendar", "cn-holidays.json")
    return parse_calendar(json.loads(path.read_text(encoding="utf-8")), source=path.name)


def test_shipped_calendar_covers_2024_to_2026_and_says_how_to_update_it(shipped: WorkCalendar) -> None:
    assert {2024, 2025, 2026} <= shipped.years
    raw = json.loads(resource("calendar", "cn-holidays.json").read_text(encoding="utf-8"))
    assert "calendar install" in raw["note"]


def test_spring_festival_2026_make_up_saturday_works_and_the_holiday_monday_does_not(shipped: WorkCalendar) -> None:
    assert shipped.is_working_day(date(2026, 2, 14))
    assert not shipped.is_working_day(date(2026, 2, 16))
    assert not shipped.is_working_day(date(2026, 2, 23))
    assert shipped.is_working_day(date(2026, 2, 28))


@pytest.mark.parametrize(("year", "days_off"), [
    # 2025 onwards: 13 statutory days (春节 and 劳动节 one more each), plus the bridged weekdays.
    (2024, [date(2024, 2, 12), date(2024, 2, 16), date(2024, 4, 5), date(2024, 5, 2), date(2024, 6, 10),
            date(2024, 9, 16), date(2024, 10, 4)]),
    (2025, [date(2025, 1, 1), date(2025, 1, 28), date(2025, 2, 4), date(2025, 4, 4), date(2025, 5, 5),
            date(2025, 6, 2), date(2025, 10, 6), date(2025, 10, 8)]),
    (2026, [date(2026, 1, 2), date(2026, 4, 6), date(2026, 5, 5), date(2026, 6, 19), date(2026, 9, 25),
            date(2026, 10, 7)]),
])
def test_holiday_weekdays_are_days_off(shipped: WorkCalendar, year: int, days_off: list[date]) -> None:
    for d in days_off:
        assert d.year == year
        assert d.weekday() < 5
        assert not shipped.is_working_day(d), d


def test_every_make_up_day_is_a_weekend_that_counts_as_working(shipped: WorkCalendar) -> None:
    assert len(shipped.workdays) == 8 + 5 + 6
    for d in shipped.workdays:
        assert d.weekday() >= 5
        assert shipped.is_working_day(d)


def test_five_working_days_received_before_national_day_2026(shipped: WorkCalendar) -> None:
    # Received Wed 30 Sep: 1–7 Oct off, then Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13.
    assert shipped.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    # Received Fri 18 Sep: Sun 20 (make-up) counts as the first day.
    assert shipped.add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)


def test_five_working_days_across_national_day_2025(shipped: WorkCalendar) -> None:
    # 1–8 Oct off; Thu 9, Fri 10, Sat 11 (make-up), Mon 13, Tue 14.
    assert shipped.add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)


def test_working_days_per_year_match_the_published_arrangements(shipped: WorkCalendar) -> None:
    def working_days(year: int) -> int:
        return shipped.working_days_between(date(year, 1, 1) - timedelta(days=1), date(year, 12, 31))

    # Weekdays in the year − holiday days falling on weekdays + make-up weekend days, counted by hand
    # from the notices: 2024 262 − 19 + 8; 2025 261 − 18 + 5; 2026 261 − 19 + 6.
    assert working_days(2024) == 251
    assert working_days(2025) == 248
    assert working_days(2026) == 248


def test_the_lunar_table_covers_2027_to_2035_with_dates_in_their_seasons() -> None:
    table = shipped_lunar_table()
    assert set(range(2024, 2036)) <= set(table)
    for year, days in table.items():
        assert date(year, 1, 21) <= days["春节"] <= date(year, 2, 20)
        assert date(year, 4, 4) <= days["清明节"] <= date(year, 4, 6)
        assert date(year, 5, 28) <= days["端午节"] <= date(year, 6, 25)
        assert date(year, 9, 7) <= days["中秋节"] <= date(year, 10, 8)
    # The published arrangements: 春节 2025 began on 除夕 28 Jan, 2026's 春节 holiday held 初一 17 Feb.
    assert table[2025]["春节"] == date(2025, 1, 29) and table[2026]["春节"] == date(2026, 2, 17)
    assert (table[2025]["端午节"], table[2025]["中秋节"]) == (date(2025, 5, 31), date(2025, 10, 6))


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_estimate_of_a_year_has_as_many_working_days_as_its_published_arrangement(shipped: WorkCalendar,
                                                                                     year: int) -> None:
    # Since the 2025 rules the State Council moves days (调休) but takes 13 weekdays off: the estimate from the
    # law's days and 补假 counts the same working days in the year as the real arrangement.
    off = statutory_days_off(year, shipped_lunar_table())
    days = [date(year, 1, 1) + timedelta(days=i) for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]
    estimated = sum(1 for d in days if d.weekday() < 5 and d not in off)
    assert sum(1 for d in days if d.weekday() < 5 and d in off) == 13
    assert estimated == shipped.working_days_between(date(year, 1, 1) - timedelta(days=1), date(year, 12, 31))
