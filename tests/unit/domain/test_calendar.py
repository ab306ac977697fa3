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
from app.domain.calendar import WorkCalendar, parse_calendar
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


def test_outside_covered_years_only_weekends_are_days_off(cal: WorkCalendar) -> None:
    assert not cal.covers(date(2027, 10, 1))
    assert cal.covers(date(2026, 1, 1))
    assert cal.is_working_day(date(2027, 10, 1))  # 国庆 2027 is not published here: a Friday counts
    assert not cal.is_working_day(date(2027, 10, 2))


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
