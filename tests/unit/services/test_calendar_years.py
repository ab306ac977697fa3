"""A promised date counted into a year whose holiday arrangement is not installed: the accepted case says it is
provisional, and the station head is told from December (or at once for this year) how to install the year."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from app.messages import render
from app.services.cases import accept_case
from app.services.residents import register_resident
from app.services.station import calendar_notice, install_calendar_file
from tests.conftest import StationFixture
from tests.helpers import make_id


@pytest.fixture
def person(station: StationFixture) -> str:
    return register_resident(station.ctx, actor=station.head, name="张三", id_number=make_id(date(1980, 5, 6), True),
                             village="V01", phone="13812345678").id


def _accept(station: StationFixture, person: str, code: str, form: dict[str, str]):  # type: ignore[no-untyped-def]
    item = station.ctx.catalog.item(code)
    return accept_case(station.ctx, actor=station.clerk, applicant_id=person, item_code=code,
                       received_materials=[m.code for m in item.required_materials], form=form)


def _install_2027(station: StationFixture, tmp_path: Path) -> None:
    path = tmp_path / "calendar-2027.json"
    path.write_text(json.dumps({"format": "stationdesk.calendar/1", "version": "2027.1", "years": {
        "2026": {"holidays": [], "workdays": []},
        "2027": {"holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}], "workdays": []}}}),
        encoding="utf-8")
    install_calendar_file(station.ctx, actor=station.head, path=path)


def test_a_case_due_in_a_year_without_holiday_data_is_accepted_with_a_provisional_date(station: StationFixture,
                                                                                      person: str) -> None:
    # 23 Nov 2026 + 30 working days runs into January 2027, which the shipped calendar does not have.
    result = _accept(station, person, "S07", {"reason": "遗失"})
    assert result.accepted and result.due_provisional
    assert result.case.due_unconfirmed == (2027,) and result.case.due_date is not None
    assert result.case.due_date.year == 2027
    short = _accept(station, person, "S09", {"operation": "修改密码"})
    assert short.accepted and not short.due_provisional and short.case.due_unconfirmed == ()


def test_once_the_year_is_installed_new_deadlines_are_certain(station: StationFixture, person: str,
                                                              tmp_path: Path) -> None:
    _install_2027(station, tmp_path)
    result = _accept(station, person, "S07", {"reason": "遗失"})
    assert result.accepted and not result.due_provisional


def test_the_head_is_told_in_december_that_next_years_holidays_are_missing_and_how_to_install_them(
        station: StationFixture, tmp_path: Path) -> None:
    assert calendar_notice(station.ctx) is None  # November: next year's arrangement is not due yet
    station.clock.set(datetime(2026, 12, 1, 8, 0))
    notice = calendar_notice(station.ctx)
    assert notice is not None and notice.missing_years == (2027,) and notice.lunar_known and not notice.this_year
    words = render(notice.code, notice.params, "zh")
    assert "2027" in words and "calendar install" in words and "站长" in words
    assert "calendar install" in render(notice.code, notice.params, "en")
    _install_2027(station, tmp_path)
    assert calendar_notice(station.ctx) is None


def test_a_year_without_data_nor_lunar_dates_is_said_to_count_only_the_fixed_holidays(
        station: StationFixture) -> None:
    station.clock.set(datetime(2036, 3, 2, 9, 0))
    notice = calendar_notice(station.ctx)
    assert notice is not None and notice.missing_years == (2036,) and notice.this_year and not notice.lunar_known
    assert "春节、清明、端午、中秋未计" in render(notice.code, notice.params, "zh")
