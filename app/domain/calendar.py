"""The working-day calendar (public holidays and 调休 make-up days) that service time limits count in.

Outside the years the calendar covers, only Saturdays and Sundays are days off: a deadline that runs
into a year the town has not published yet is computed as if it had no public holidays. The town
updates the calendar file each winter when the State Council publishes the next year's arrangement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from app.domain.errors import DomainError

CALENDAR_FORMAT = "stationdesk.calendar/1"
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days the station works. ``holidays`` are days off (every day of each holiday period);
    ``workdays`` are weekend days worked to make up for a bridged holiday."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    years: frozenset[int] = field(default_factory=frozenset)
    source: str = ""
    version: str = ""

    def covers(self, d: date) -> bool:
        """True when the published arrangement for ``d``'s year is known."""
        return d.year in self.years

    def is_working_day(self, d: date) -> bool:
        if not self.covers(d):
            return d.weekday() < 5
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d += _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The deadline for something received on ``start`` with a limit of ``n`` working days.

        The day of receipt is not counted (a limit of 1 ends on the next working day), so the
        result is the n-th working day after ``start``; ``n == 0`` gives ``start`` itself.
        """
        if n < 0:
            raise ValueError(f"a time limit cannot be negative: {n}")
        d = start
        for _ in range(n):
            d = self.next_working_day(d)
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; 0 when ``end`` is not after ``start``."""
        count = 0
        d = start + _ONE_DAY
        while d <= end:
            if self.is_working_day(d):
                count += 1
            d += _ONE_DAY
        return count


def _invalid(source: str, path: str, reason: str) -> DomainError:
    return DomainError("calendar.invalid", source=source, path=path, reason=reason)


def _require(data: Mapping[str, Any], key: str, kind: type, *, source: str, path: str) -> Any:
    where = f"{path}.{key}" if path else key
    if key not in data:
        raise _invalid(source, where, "missing_key")
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _invalid(source, where, "bad_type")
    return value


def _parse_day(value: Any, year: int, *, source: str, path: str) -> date:
    if not isinstance(value, str):
        raise _invalid(source, path, "bad_date")
    try:
        d = date.fromisoformat(value)
    except ValueError:
        raise _invalid(source, path, "bad_date") from None
    # fromisoformat in 3.11 also accepts 20260214 and week dates; the file format is YYYY-MM-DD only.
    if len(value) != 10 or d.isoformat() != value:
        raise _invalid(source, path, "bad_date")
    if d.year != year:
        raise _invalid(source, path, "year_mismatch")
    return d


def parse_calendar(data: Mapping[str, Any], *, source: str) -> WorkCalendar:
    """Build a calendar from the town's JSON file; any problem names the file, the place and why."""
    if not isinstance(data, Mapping):
        raise _invalid(source, "", "bad_type")
    fmt = _require(data, "format", str, source=source, path="")
    if fmt != CALENDAR_FORMAT:
        raise _invalid(source, "format", "bad_format")
    version = _require(data, "version", str, source=source, path="")
    years_data = _require(data, "years", Mapping, source=source, path="")
    holidays: set[date] = set()
    workdays: set[date] = set()
    years: set[int] = set()
    for key, entry in years_data.items():
        ypath = f"years.{key}"
        if not (isinstance(key, str) and len(key) == 4 and key.isascii() and key.isdigit()):
            raise _invalid(source, ypath, "bad_year")
        year = int(key)
        if not isinstance(entry, Mapping):
            raise _invalid(source, ypath, "bad_type")
        year_holidays: set[date] = set()
        for i, period in enumerate(_require(entry, "holidays", list, source=source, path=ypath)):
            ppath = f"{ypath}.holidays[{i}]"
            if not isinstance(period, Mapping):
                raise _invalid(source, ppath, "bad_type")
            name = _require(period, "name", str, source=source, path=ppath)
            if not name.strip():
                raise _invalid(source, f"{ppath}.name", "empty")
            first = _parse_day(_require(period, "from", str, source=source, path=ppath), year,
                               source=source, path=f"{ppath}.from")
            last = _parse_day(_require(period, "to", str, source=source, path=ppath), year,
                              source=source, path=f"{ppath}.to")
            if last < first:
                raise _invalid(source, f"{ppath}.to", "range_reversed")
            d = first
            while d <= last:
                year_holidays.add(d)
                d += _ONE_DAY
        for i, raw in enumerate(_require(entry, "workdays", list, source=source, path=ypath)):
            wpath = f"{ypath}.workdays[{i}]"
            d = _parse_day(raw, year, source=source, path=wpath)
            if d.weekday() < 5:
                raise _invalid(source, wpath, "workday_not_weekend")
            if d in year_holidays:
                raise _invalid(source, wpath, "workday_is_holiday")
            workdays.add(d)
        holidays |= year_holidays
        years.add(year)
    return WorkCalendar(
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        years=frozenset(years),
        source=source,
        version=version,
    )
