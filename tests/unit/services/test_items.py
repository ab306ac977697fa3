"""Choosing the item at the counter: by code, pinyin initials, name or keyword; frequent items first."""

from __future__ import annotations

from typing import Any

from app.services.cases import accept_case
from app.services.items import find_items, frequent_items
from app.services.residents import register_resident
from tests.helpers import make_id

_FORMS: dict[str, dict[str, object]] = {"S09": {"operation": "修改密码"}}


def _codes(station: Any, query: str) -> list[str]:
    return [i.code for i in find_items(station.ctx, query=query)]


def test_the_exact_code_comes_first_in_any_case(station: Any) -> None:
    assert _codes(station, "s09")[0] == "S09"
    assert _codes(station, " S09 ")[0] == "S09"


def test_pinyin_initials_of_the_name_or_the_short_name_find_the_item(station: Any) -> None:
    assert _codes(station, "sbk")[:4] == ["S07", "S08", "S09", "S11"]  # 社保卡…, in catalogue order (S10 retired)
    assert "S09" in _codes(station, "mm")  # 社保卡密码: initials containing what was typed
    assert _codes(station, "df")[0] == "N02"  # 电费


def test_chinese_text_matches_names_and_keywords(station: Any) -> None:
    assert _codes(station, "电费")[0] == "N02"
    assert "N04" in _codes(station, "交通")
    assert _codes(station, "没有这种事") == []
    assert _codes(station, "   ") == []


def test_frequent_items_are_this_stations_most_handled_recently(station: Any) -> None:
    from datetime import date

    person = register_resident(station.ctx, actor=station.clerk, name="王建国",
                               id_number=make_id(date(1962, 4, 5), male=True, seq=1), village="青溪村")
    for code, times in (("S09", 3), ("S08", 1)):
        item = station.ctx.catalog.item(code)
        for _ in range(times):
            accept_case(station.ctx, actor=station.clerk, applicant_id=person.id, item_code=code,
                        received_materials=[m.code for m in item.materials], form=_FORMS.get(code))
    assert [i.code for i in frequent_items(station.ctx)] == ["S09", "S08"]
    station.clock.advance(days=91)
    assert frequent_items(station.ctx) == ()


def test_pinned_items_come_first_in_the_order_pinned_then_the_frequent_ones(station: Any) -> None:
    from datetime import date

    from app.services.items import quick_items, toggle_favourite

    person = register_resident(station.ctx, actor=station.clerk, name="王建国",
                               id_number=make_id(date(1962, 4, 5), male=True, seq=1), village="青溪村")
    item = station.ctx.catalog.item("S08")
    accept_case(station.ctx, actor=station.clerk, applicant_id=person.id, item_code="S08",
                received_materials=[m.code for m in item.materials])
    clerk = station.clerk.staff_id
    assert toggle_favourite(station.ctx, staff_id=clerk, item_code="n02") is True  # any case, stored as N02
    assert toggle_favourite(station.ctx, staff_id=clerk, item_code="S09") is True
    assert [(i.code, pinned) for i, pinned in quick_items(station.ctx, staff_id=clerk)] == [
        ("N02", True), ("S09", True), ("S08", False)]
    assert [i.code for i, _ in quick_items(station.ctx, staff_id=station.head.staff_id)] == ["S08"]  # per person
    assert toggle_favourite(station.ctx, staff_id=clerk, item_code="N02") is False
    assert [i.code for i, _ in quick_items(station.ctx, staff_id=clerk)] == ["S09", "S08"]


def test_the_number_alone_finds_the_standard_item_first(station: Any) -> None:
    assert _codes(station, "9")[0] == "S09"
    assert _codes(station, "09")[0] == "S09"
