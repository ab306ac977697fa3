"""Tests for the working-day calendar: counting time limits and reading the town's calendar file."""

from __future__ import annotations

import copy
import re
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import app.messages
from app.domain.calendar import Deadline, WorkCalendar, parse_calendar, statutory_days_off
from app.domain.errors import DomainError


def _data() -> dict[str, Any]:
    return {
        "format": "stationdesk.calendar/1",
        "version": "test.1",
        "region": "CN",
        "years": {
            "2026": {
                "holidays": [
                    {"name": "春节", "from": "2026-02-15", "to": "2026-02-23"},
                    {"name": "国庆节", "from": "2026-10-01", "to": "2026-10-07"},
                ],
                "workdays": ["2026-02-14", "2026-02-28", "2026-09-20", "2026-10-10"],
            },
        },
    }


@pytest.fixture
def cal() -> WorkCalendar:
    return parse_calendar(_data(), source="test.json")


def test_parsed_calendar_holds_every_day_of_each_holiday_period(cal: WorkCalendar) -> None:
    assert len(cal.holidays) == 9 + 7
    assert date(2026, 2, 19) in cal.holidays
    assert cal.workdays == {date(2026, 2, 14), date(2026, 2, 28), date(2026, 9, 20), date(2026, 10, 10)}
    assert cal.years == {2026}
    assert (cal.source, cal.version) == ("test.json", "test.1")


def test_holiday_weekday_is_not_a_working_day(cal: WorkCalendar) -> None:
    assert not cal.is_working_day(date(2026, 2, 16))  # Monday in 春节
    assert not cal.is_working_day(date(2026, 10, 7))


def test_make_up_saturday_is_a_working_day(cal: WorkCalendar) -> None:
    assert cal.is_working_day(date(2026, 2, 14))
    assert not cal.is_working_day(date(2026, 2, 21))  # an ordinary Saturday inside 春节


def test_ordinary_weekdays_work_and_weekends_rest(cal: WorkCalendar) -> None:
    assert cal.is_working_day(date(2026, 3, 2))
    assert not cal.is_working_day(date(2026, 3, 7))
    assert not cal.is_working_day(date(2026, 3, 8))


def test_outside_covered_years_the_fixed_date_statutory_holidays_are_still_days_off(cal: WorkCalendar) -> None:
    assert not cal.covers(date(2027, 10, 1))
    assert cal.covers(date(2026, 1, 1))
    assert not cal.is_working_day(date(2027, 10, 1))  # 国庆 2027 is not published here: the law's 1–3 Oct still are
    assert not cal.is_working_day(date(2027, 1, 1))  # 元旦
    # 劳动节 2027 is Sat 1 and Sun 2 May: a weekday off for each (补假), Mon 3 and Tue 4.
    assert not cal.is_working_day(date(2027, 5, 3)) and not cal.is_working_day(date(2027, 5, 4))
    assert cal.is_working_day(date(2027, 5, 5))
    # 国庆 2027: Fri 1 off, Sat 2 and Sun 3 give Mon 4 and Tue 5.
    assert [d.day for d in (date(2027, 10, n) for n in range(1, 8)) if cal.is_working_day(d)] == [6, 7]
    # Without a lunar table 除夕 2027 (Fri 5 Feb) is not known to be off, and the calendar says so.
    assert cal.is_working_day(date(2027, 2, 5)) and not cal.knows_lunar(2027)


def test_limit_starts_counting_the_day_after_receipt(cal: WorkCalendar) -> None:
    monday = date(2026, 3, 2)
    assert cal.add_working_days(monday, 0) == monday
    assert cal.add_working_days(monday, 1) == date(2026, 3, 3)
    assert cal.add_working_days(monday, 5) == date(2026, 3, 9)


def test_limit_received_on_a_friday_skips_the_weekend(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)


def test_limit_across_spring_festival_counts_make_up_days(cal: WorkCalendar) -> None:
    # Received Fri 13 Feb: Sat 14 (make-up) is day 1, 15–23 off, Tue 24 is day 2.
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert cal.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert cal.add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)
    assert cal.add_working_days(date(2026, 2, 13), 6) == date(2026, 2, 28)


def test_negative_limit_is_a_programming_error(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 3, 2), -1)


def test_working_days_between_counts_after_start_up_to_end(cal: WorkCalendar) -> None:
    assert cal.working_days_between(date(2026, 3, 2), date(2026, 3, 9)) == 5
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert cal.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert cal.working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == 0


def test_next_working_day_skips_a_whole_holiday(cal: WorkCalendar) -> None:
    assert cal.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    assert cal.next_working_day(date(2026, 2, 14)) == date(2026, 2, 24)


def test_weekends_only_calendar_is_the_default() -> None:
    plain = WorkCalendar()
    assert plain.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 16)


_days = st.dates(min_value=date(2025, 11, 1), max_value=date(2027, 2, 1))


@given(_days, st.integers(min_value=1, max_value=40))
def test_deadline_is_always_a_working_day_after_start(start: date, n: int) -> None:
    cal = parse_calendar(_data(), source="test.json")
    deadline = cal.add_working_days(start, n)
    assert deadline > start
    assert cal.is_working_day(deadline)
    assert cal.working_days_between(start, deadline) == n


@given(_days, st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=40))
def test_longer_limit_never_gives_an_earlier_deadline(start: date, a: int, b: int) -> None:
    cal = parse_calendar(_data(), source="test.json")
    lo, hi = sorted((a, b))
    assert cal.add_working_days(start, lo) <= cal.add_working_days(start, hi)


@given(_days, st.integers(min_value=0, max_value=30))
def test_later_receipt_never_gives_an_earlier_deadline(start: date, n: int) -> None:
    cal = parse_calendar(_data(), source="test.json")
    assert cal.add_working_days(start, n) <= cal.add_working_days(start + timedelta(days=1), n)


# --- invalid files --------------------------------------------------------------------------------


def _broken(edit: Any) -> DomainError:
    data = copy.deepcopy(_data())
    edit(data)
    with pytest.raises(DomainError) as e:
        parse_calendar(data, source="calendar.json")
    assert e.value.code == "calendar.invalid"
    assert e.value.params["source"] == "calendar.json"
    return e.value


def _y(data: dict[str, Any]) -> dict[str, Any]:
    year: dict[str, Any] = data["years"]["2026"]
    return year


@pytest.mark.parametrize(("edit", "path", "reason"), [
    (lambda d: d.pop("format"), "format", "missing_key"),
    (lambda d: d.update(format="stationdesk.calendar/2"), "format", "bad_format"),
    (lambda d: d.pop("version"), "version", "missing_key"),
    (lambda d: d.pop("years"), "years", "missing_key"),
    (lambda d: d.update(years=[]), "years", "bad_type"),
    (lambda d: d["years"].update({"26": _y(d)}), "years.26", "bad_year"),
    (lambda d: _y(d).pop("workdays"), "years.2026.workdays", "missing_key"),
    (lambda d: _y(d)["holidays"][1].pop("to"), "years.2026.holidays[1].to", "missing_key"),
    (lambda d: _y(d)["holidays"][1].update(to="2026-10-32"), "years.2026.holidays[1].to", "bad_date"),
    (lambda d: _y(d)["holidays"][1].update(to="20261007"), "years.2026.holidays[1].to", "bad_date"),
    (lambda d: _y(d)["holidays"][1].update(to="2026-09-30"), "years.2026.holidays[1].to", "range_reversed"),
    (lambda d: _y(d)["holidays"][0].update({"from": "2025-12-31"}), "years.2026.holidays[0].from", "year_mismatch"),
    (lambda d: _y(d)["holidays"][0].update(name=" "), "years.2026.holidays[0].name", "empty"),
    (lambda d: _y(d)["workdays"].append("2026-10-09"), "years.2026.workdays[4]", "workday_not_weekend"),
    (lambda d: _y(d)["workdays"].append("2026-10-03"), "years.2026.workdays[4]", "workday_is_holiday"),
    (lambda d: _y(d)["workdays"].append("2027-01-02"), "years.2026.workdays[4]", "year_mismatch"),
    (lambda d: _y(d)["workdays"].append(20261010), "years.2026.workdays[4]", "bad_date"),
])
def test_broken_calendar_file_names_the_place_and_the_reason(edit: Any, path: str, reason: str) -> None:
    error = _broken(edit)
    assert (error.params["path"], error.params["reason"]) == (path, reason)


def test_calendar_error_message_names_the_file_and_the_path() -> None:
    error = _broken(lambda d: _y(d)["holidays"][1].update(to="2026-09-30"))
    for lang in app.messages.LANGS:
        text = app.messages.render(error.code, error.params, lang)
        assert "calendar.json" in text
        assert "years.2026.holidays[1].to" in text
        assert not re.search(r"\{\w+\}", text)
    assert "calendar.invalid" in app.messages.MESSAGES


# --- years the calendar does not cover: estimated, and provisional ---------------------------------

_LUNAR_2027 = {2027: {"春节": date(2027, 2, 6), "清明节": date(2027, 4, 5), "端午节": date(2027, 6, 9),
                      "中秋节": date(2027, 9, 15)}}


def test_a_year_without_data_is_estimated_with_the_lunar_holidays_of_the_table() -> None:
    cal = parse_calendar(_data(), source="test.json", lunar=_LUNAR_2027)
    assert cal.knows_lunar(2027) and not cal.knows_lunar(2028)
    # 春节 2027: 除夕 Fri 5 Feb and 初一–初三 (Sat 6 – Mon 8), the weekend ones giving Tue 9 and Wed 10.
    off = {d for d in (date(2027, 2, 1) + timedelta(days=i) for i in range(14)) if not cal.is_working_day(d)}
    assert off == {date(2027, 2, n) for n in (5, 6, 7, 8, 9, 10, 13, 14)}
    assert not cal.is_working_day(date(2027, 4, 5)) and not cal.is_working_day(date(2027, 6, 9))
    assert not cal.is_working_day(date(2027, 9, 15))
    assert statutory_days_off(2027, _LUNAR_2027) == cal.estimated_days_off(2027)


def test_a_deadline_counted_into_a_year_without_data_is_provisional_and_names_the_year(cal: WorkCalendar) -> None:
    inside = cal.deadline(date(2026, 3, 2), 5)
    assert inside == Deadline(date(2026, 3, 9)) and not inside.provisional
    across = cal.deadline(date(2026, 12, 21), 10)
    assert across.provisional and across.unconfirmed_years == (2027,)
    # 22–31 Dec is 8 working days; 1 Jan 2027 (元旦) is off, so the 9th and 10th are Mon 4 and Tue 5 Jan.
    assert across.due == date(2027, 1, 5)
    assert cal.deadline(date(2026, 12, 31), 0) == Deadline(date(2026, 12, 31))  # on the spot: nothing counted


def test_the_years_a_station_should_have_are_this_one_and_from_december_the_next(cal: WorkCalendar) -> None:
    assert cal.missing_years(date(2026, 11, 30)) == ()
    assert cal.missing_years(date(2026, 12, 1)) == (2027,)
    assert cal.missing_years(date(2027, 3, 1)) == (2027,)
    assert cal.missing_years(date(2027, 12, 7)) == (2027, 2028)


_starts = st.dates(min_value=date(2025, 6, 1), max_value=date(2029, 12, 31))


@given(_starts, st.integers(min_value=0, max_value=60))
def test_a_deadline_is_never_earlier_than_start_plus_n_calendar_days(start: date, n: int) -> None:
    cal = parse_calendar(_data(), source="test.json", lunar=_LUNAR_2027)
    assert cal.deadline(start, n).due >= start + timedelta(days=n)


@given(_starts, st.integers(min_value=1, max_value=60))
def test_a_deadline_in_or_through_a_year_without_data_is_never_given_as_certain(start: date, n: int) -> None:
    cal = parse_calendar(_data(), source="test.json", lunar=_LUNAR_2027)
    found = cal.deadline(start, n)
    counted = {(start + timedelta(days=i)).year for i in range(1, (found.due - start).days + 1)}
    assert found.provisional == bool(counted - cal.years)
    assert set(found.unconfirmed_years) == counted - cal.years
    if found.due.year not in cal.years:
        assert found.provisional


@st.composite
def _calendars(draw: st.DrawFn) -> dict[str, Any]:
    """A made-up year 2026: a few holiday periods and some weekend days worked (调休)."""
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
    holidays = []
    for i in range(draw(st.integers(min_value=0, max_value=5))):
        first = draw(st.sampled_from(days))
        last = min(first + timedelta(days=draw(st.integers(min_value=0, max_value=8))), date(2026, 12, 31))
        holidays.append({"name": f"假日{i}", "from": first.isoformat(), "to": last.isoformat()})
    off = {h["from"] for h in holidays}
    for h in holidays:
        d = date.fromisoformat(h["from"])
        while d <= date.fromisoformat(h["to"]):
            off.add(d.isoformat())
            d += timedelta(days=1)
    weekends = [d.isoformat() for d in days if d.weekday() >= 5 and d.isoformat() not in off]
    workdays = draw(st.lists(st.sampled_from(weekends), max_size=8, unique=True))
    return {"format": "stationdesk.calendar/1", "version": "made.1",
            "years": {"2026": {"holidays": holidays, "workdays": workdays}}}


@given(_calendars(), st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 11, 30)),
       st.integers(min_value=1, max_value=20))
def test_with_data_weekend_days_worked_count_and_holidays_do_not(data: dict[str, Any], start: date, n: int) -> None:
    cal = parse_calendar(data, source="made.json")
    for d in cal.workdays:
        assert cal.is_working_day(d) and cal.next_working_day(d - timedelta(days=1)) == d
    found = cal.deadline(start, n)
    if found.due.year == 2026:
        assert not found.provisional
        between = [start + timedelta(days=i) for i in range(1, (found.due - start).days + 1)]
        worked = [d for d in between if d in cal.workdays or (d.weekday() < 5 and d not in cal.holidays)]
        assert len(worked) == n and worked[-1] == found.due
