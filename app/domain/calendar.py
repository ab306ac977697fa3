"""The working-day calendar (public holidays and 调休 make-up days) that service time limits count in.

A year the town has published is counted exactly. A year it has not (next year's arrangement comes out each
winter) is estimated from the law's own days off — 全国年节及纪念日放假办法 as revised in 2024 (国务院令第797号,
in force 2025-01-01): 元旦 1 day, 春节 4 (除夕 and 初一–初三), 清明 1, 劳动节 2 (5月1日–2日), 端午 1, 中秋 1, 国庆 3
(10月1日–3日), and a weekday off for each of them that falls on a weekend (补假, art. 6). The fixed-date ones are
known for any year; the lunar ones (and 清明, a solar term) only for the years of the shipped lunar table. Every
deadline counted through such a year is provisional, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from app.domain.errors import DomainError

CALENDAR_FORMAT = "stationdesk.calendar/1"
LUNAR_FORMAT = "stationdesk.lunar-holidays/1"
_ONE_DAY = timedelta(days=1)

# The statutory days off on fixed dates (name, month, first day, days), per the 2025 rules.
FIXED_HOLIDAYS: tuple[tuple[str, int, int, int], ...] = (("元旦", 1, 1, 1), ("劳动节", 5, 1, 2), ("国庆节", 10, 1, 3))
# The lunar ones, by the date the lunar table gives: (name, days before that date, days); 春节's date is 初一.
LUNAR_HOLIDAYS: tuple[tuple[str, int, int], ...] = (("春节", 1, 4), ("清明节", 0, 1), ("端午节", 0, 1),
                                                    ("中秋节", 0, 1))

LunarTable = Mapping[int, Mapping[str, date]]  # year -> holiday name -> its date that year


def statutory_days_off(year: int, lunar: LunarTable) -> frozenset[date]:
    """The law's days off in ``year`` with a weekday for each that falls on a weekend (补假); the lunar ones only
    when ``lunar`` has the year. An estimate for a year whose arrangement is not published: the State Council
    moves days around (调休) but, since the 2025 rules, takes exactly these many weekdays off in a year."""
    days: set[date] = set()
    for _name, month, first, length in FIXED_HOLIDAYS:
        start = date(year, month, first)
        days.update(start + timedelta(days=i) for i in range(length))
    for name, before, length in LUNAR_HOLIDAYS:
        when = lunar.get(year, {}).get(name)
        if when is not None:
            start = when - timedelta(days=before)
            days.update(start + timedelta(days=i) for i in range(length))
    off = set(days)
    for d in sorted(days):
        if d.weekday() >= 5:
            extra = d + _ONE_DAY
            while extra.weekday() >= 5 or extra in off:
                extra += _ONE_DAY
            off.add(extra)
    return frozenset(x for x in off if x.year == year)


@dataclass(frozen=True, slots=True)
class Deadline:
    """A promised date and the years it was counted through that the calendar has no arrangement for: when
    there are any, the date is provisional (预计) — the real arrangement may move it."""

    due: date
    unconfirmed_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.unconfirmed_years)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days the station works. ``holidays`` are days off (every day of each holiday period);
    ``workdays`` are weekend days worked to make up for a bridged holiday; both for the ``years`` covered.
    Any other year is estimated (:func:`statutory_days_off`) and the deadlines counted through it are
    provisional (:meth:`deadline`)."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    years: frozenset[int] = field(default_factory=frozenset)
    source: str = ""
    version: str = ""
    lunar: LunarTable = field(default_factory=dict)  # for estimating the years not covered
    _estimates: dict[int, frozenset[date]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def covers(self, d: date) -> bool:
        """True when the published arrangement for ``d``'s year is known."""
        return d.year in self.years

    def estimated_days_off(self, year: int) -> frozenset[date]:
        """For a year not covered: the statutory days off (and 补假) it is estimated with."""
        if year not in self._estimates:
            self._estimates[year] = statutory_days_off(year, self.lunar)
        return self._estimates[year]

    def knows_lunar(self, year: int) -> bool:
        """Whether an estimate of ``year`` has its lunar holidays too, or only the fixed-date ones."""
        return all(name in self.lunar.get(year, {}) for name, _b, _n in LUNAR_HOLIDAYS)

    def is_working_day(self, d: date) -> bool:
        if not self.covers(d):
            return d.weekday() < 5 and d not in self.estimated_days_off(d.year)
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

    def unconfirmed_years(self, start: date, end: date) -> tuple[int, ...]:
        """The years of the days after ``start`` up to ``end`` that the calendar does not cover."""
        if end <= start:
            return ()
        return tuple(y for y in range((start + _ONE_DAY).year, end.year + 1) if y not in self.years)

    def deadline(self, start: date, n: int) -> Deadline:
        """:meth:`add_working_days`, saying whether the date is provisional (counted through a year not covered)."""
        due = self.add_working_days(start, n)
        return Deadline(due=due, unconfirmed_years=self.unconfirmed_years(start, due))

    def missing_years(self, today: date, *, next_year_from_month: int = 12) -> tuple[int, ...]:
        """The years the station should have and has not: this year, and next year from ``next_year_from_month``
        (December: the State Council publishes next year's arrangement in the autumn)."""
        wanted = [today.year] + ([today.year + 1] if today.month >= next_year_from_month else [])
        return tuple(y for y in wanted if y not in self.years)

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


def parse_calendar(data: Mapping[str, Any], *, source: str, lunar: LunarTable | None = None) -> WorkCalendar:
    """Build a calendar from the town's JSON file; any problem names the file, the place and why. ``lunar`` (the
    shipped lunar table) estimates the years the file does not cover."""
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
        lunar=dict(lunar or {}),
    )


def parse_lunar_table(data: Mapping[str, Any], *, source: str) -> dict[int, dict[str, date]]:
    """The shipped table of lunar holiday dates (and 清明) by year; any problem names the file, place and why."""
    if not isinstance(data, Mapping):
        raise _invalid(source, "", "bad_type")
    if _require(data, "format", str, source=source, path="") != LUNAR_FORMAT:
        raise _invalid(source, "format", "bad_format")
    names = {name for name, _b, _n in LUNAR_HOLIDAYS}
    table: dict[int, dict[str, date]] = {}
    for key, entry in _require(data, "years", Mapping, source=source, path="").items():
        ypath = f"years.{key}"
        if not (isinstance(key, str) and len(key) == 4 and key.isascii() and key.isdigit()):
            raise _invalid(source, ypath, "bad_year")
        if not isinstance(entry, Mapping):
            raise _invalid(source, ypath, "bad_type")
        year = int(key)
        for name in names:
            if name not in entry:
                raise _invalid(source, f"{ypath}.{name}", "missing_key")
        for name in entry:
            if name not in names:
                raise _invalid(source, f"{ypath}.{name}", "bad_format")
        table[year] = {name: _parse_day(entry[name], year, source=source, path=f"{ypath}.{name}") for name in names}
    return table
