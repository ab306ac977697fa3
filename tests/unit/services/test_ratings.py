"""好差评: one rating per case, a bad one opens a follow-up due in working days, closed with what was done."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.domain.errors import Conflict, DomainError
from app.domain.ratings import RatingLevel
from app.services import cases as svc
from app.services.ratings import close_follow_up, list_follow_ups, rate_case
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id


@pytest.fixture
def case_id(station: StationFixture) -> str:
    person = register_resident(station.ctx, actor=station.head, name="张三", id_number=make_id(date(1980, 5, 6), True),
                               village="V01")
    item = station.ctx.catalog.item("S08")
    return svc.accept_case(station.ctx, actor=station.clerk, applicant_id=person.id, item_code="S08",
                           received_materials=[m.code for m in item.materials]).case.id


def test_the_five_levels_and_which_are_bad() -> None:
    assert [lv.label_zh for lv in RatingLevel] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert [lv for lv in RatingLevel if lv.is_bad] == [RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED]


def test_a_good_rating_is_recorded_once(station: StationFixture, case_id: str) -> None:
    result = rate_case(station.ctx, actor=station.clerk, case_id=case_id, level=5)
    assert (result.level, result.follow_up_id) == (RatingLevel.VERY_SATISFIED, None)
    with pytest.raises(Conflict) as again:
        rate_case(station.ctx, actor=station.clerk, case_id=case_id, level=1)
    assert again.value.code == "rating.already"
    assert list_follow_ups(station.ctx) == ()


def test_a_bad_rating_opens_a_follow_up_due_in_five_working_days(station: StationFixture, case_id: str) -> None:
    station.clock.current = datetime(2026, 9, 30, 10, 0)  # the day before National Day
    result = rate_case(station.ctx, actor=station.clerk, case_id=case_id, level=2, comment="等了太久")
    assert result.follow_up_id is not None
    assert result.follow_up_due is not None and result.follow_up_due > date(2026, 10, 8)  # the holiday skipped
    [follow_up] = list_follow_ups(station.ctx)
    assert (follow_up.level, follow_up.comment, follow_up.done) == (RatingLevel.DISSATISFIED, "等了太久", False)

    with pytest.raises(DomainError) as empty:
        close_follow_up(station.ctx, actor=station.clerk, follow_up_id=follow_up.id, note="  ")
    assert empty.value.code == "follow_up.note_required"
    close_follow_up(station.ctx, actor=station.clerk, follow_up_id=follow_up.id, note="已电话回访，说明了办理时限")
    assert list_follow_ups(station.ctx) == ()
    [closed] = list_follow_ups(station.ctx, open_only=False)
    assert closed.done and "电话回访" in closed.note


def test_an_open_follow_up_past_its_date_is_overdue(station: StationFixture, case_id: str) -> None:
    rate_case(station.ctx, actor=station.clerk, case_id=case_id, level=1)
    station.clock.advance(days=30)
    [follow_up] = list_follow_ups(station.ctx)
    assert follow_up.overdue


def test_a_level_outside_one_to_five_is_refused(station: StationFixture, case_id: str) -> None:
    with pytest.raises(DomainError) as bad:
        rate_case(station.ctx, actor=station.clerk, case_id=case_id, level=6)
    assert bad.value.code == "rating.bad_level"
