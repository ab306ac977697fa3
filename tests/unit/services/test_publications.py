"""Data the town publishes: installing a catalogue file and a working-day calendar at a station."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app.domain.calendar import Deadline
from app.domain.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from app.messages import describe, render
from app.paths import resource
from app.services.station import install_calendar_file, install_catalog_file


def _calendar(tmp_path: Path, years: dict[str, object], version: str = "2027.1") -> Path:
    path = tmp_path / "calendar.json"
    path.write_text(json.dumps({"format": "stationdesk.calendar/1", "version": version, "region": "CN",
                                "years": years}, ensure_ascii=False), encoding="utf-8")
    return path


def test_an_installed_calendar_changes_how_new_deadlines_are_counted(station, tmp_path):
    ctx = station.ctx
    monday = date(2027, 2, 1)
    assert not ctx.calendar.covers(monday)  # the shipped file stops at 2026: estimated from the statutory days
    # 除夕 Fri 5 Feb and 初一–初三 off, Sat 6 and Sun 7 giving Tue 9 and Wed 10 (补假): 2, 3, 4, 11, 12 Feb.
    estimate = ctx.calendar.deadline(monday, 5)
    assert estimate.due == date(2027, 2, 12) and estimate.unconfirmed_years == (2027,)
    path = _calendar(tmp_path, {"2027": {"holidays": [{"name": "春节", "from": "2027-02-02", "to": "2027-02-04"}],
                                         "workdays": ["2027-02-06"]}})
    version, years = install_calendar_file(ctx, actor=station.head, path=path)
    assert (version, years) == ("2027.1", (2027,))
    # 2 Feb–4 Feb off, Saturday 6 Feb worked: 1 Feb + 5 working days = 5,6,8,9,10 → 10 Feb, no longer an estimate.
    assert ctx.calendar.deadline(monday, 5) == Deadline(date(2027, 2, 10))


def test_the_installed_calendar_is_kept_in_the_database_and_survives_a_restart(station, tmp_path):
    from app.services.context import open_context

    path = _calendar(tmp_path, {"2027": {"holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-01"}],
                                         "workdays": []}})
    install_calendar_file(station.ctx, actor=station.head, path=path)
    path.unlink()
    reopened = open_context(station.data_dir)
    try:
        assert reopened.calendar.covers(date(2027, 1, 1))
        assert not reopened.calendar.is_working_day(date(2027, 1, 1))
    finally:
        reopened.db.dispose()


def test_a_clerk_cannot_install_a_calendar(station, tmp_path):
    path = _calendar(tmp_path, {"2027": {"holidays": [], "workdays": []}})
    with pytest.raises(PermissionDenied):
        install_calendar_file(station.ctx, actor=station.clerk, path=path)


def test_a_broken_calendar_is_refused_with_its_position_and_reason_in_words(station, tmp_path):
    path = _calendar(tmp_path, {"2027": {"holidays": [{"name": "x", "from": "2027-01-05", "to": "2027-01-01"}],
                                         "workdays": []}})
    with pytest.raises(DomainError) as caught:
        install_calendar_file(station.ctx, actor=station.head, path=path)
    text = describe(caught.value)
    assert "years.2027.holidays[0].to" in text
    assert "结束日期早于开始日期" in text and "range_reversed" not in text
    assert "the end is before the start" in describe(caught.value, "en")
    assert not station.ctx.calendar.covers(date(2027, 1, 1))


def test_a_town_catalogue_update_adds_items_and_the_standard_47_cannot_be_replaced_locally(station, tmp_path):
    ctx = station.ctx
    town = json.loads(resource("catalog", "town-n.json").read_text(encoding="utf-8"))
    extra = dict(town["items"][0], code="N20", name="垃圾处理费缴纳", short_name="垃圾费")
    town["items"].append(extra)
    town["version"] = "2026.2"
    path = tmp_path / "town-n.json"
    path.write_text(json.dumps(town, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(PermissionDenied):
        install_catalog_file(ctx, actor=station.head, path=path)  # N items are the town's to publish
    from dataclasses import replace

    town_admin = replace(station.head, role=type(station.head.role)("town_admin"))
    assert install_catalog_file(ctx, actor=town_admin, path=path) == ("town-n", "2026.2")
    assert ctx.catalog.item("N20").name == "垃圾处理费缴纳"
    assert "town-n@2026.2" in ctx.catalog.version
    standard = resource("catalog", "standard-47.json")
    local = json.loads(standard.read_text(encoding="utf-8"))
    local.update(catalog_id="my-own-47", scope="standard")
    other = tmp_path / "my-47.json"
    other.write_text(json.dumps(local, ensure_ascii=False), encoding="utf-8")
    with pytest.raises((DomainError, Conflict)):
        install_catalog_file(ctx, actor=town_admin, path=other)
    assert len(ctx.catalog) == 47 + len(town["items"])


def test_a_station_local_item_cannot_take_a_code_already_used(station, tmp_path):
    local = {"format": "stationdesk.catalog/1", "catalog_id": "local-qx01", "scope": "local", "version": "1",
             "title": "本站事项", "items": [{"code": "L01", "name": "农机补贴咨询", "short_name": "农机咨询",
                                            "department": "农业农村", "category": "农业农村", "mode": "immediate",
                                            "time_limit_days": 0}]}
    path = tmp_path / "local.json"
    path.write_text(json.dumps(local, ensure_ascii=False), encoding="utf-8")
    install_catalog_file(station.ctx, actor=station.head, path=path)
    assert station.ctx.catalog.item("L01").scope.value == "local"
    local["items"][0]["code"] = "N01"
    path.write_text(json.dumps(local, ensure_ascii=False), encoding="utf-8")
    with pytest.raises((ValidationFailed, Conflict)) as caught:
        install_catalog_file(station.ctx, actor=station.head, path=path)
    assert not describe(caught.value).startswith("操作未能完成")


def test_a_parameter_that_is_a_code_reads_as_words_only_where_an_entry_exists():
    params = {"source": "a", "path": "p"}
    assert "结束日期早于开始日期" in render("calendar.invalid", {**params, "reason": "range_reversed"})
    assert "odd_reason" in render("calendar.invalid", {**params, "reason": "odd_reason"})
