"""交接班: the leaving staff member's open cases get the new handler, with an event each; closed ones stay."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.cases import CaseState
from app.domain.errors import DomainError, NotFound
from app.services import cases as svc
from app.services.handover import hand_over, my_open_cases
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id


def _case(station: StationFixture, seq: int) -> str:
    person = register_resident(station.ctx, actor=station.head, name="张三",
                               id_number=make_id(date(1980, 5, 6), True, seq=seq), village="V01")
    item = station.ctx.catalog.item("S08")
    return svc.accept_case(station.ctx, actor=station.clerk, applicant_id=person.id, item_code="S08",
                           received_materials=[m.code for m in item.materials]).case.id


def test_open_cases_move_to_the_colleague_taking_over_and_closed_ones_stay(station: StationFixture) -> None:
    open_id, closed_id = _case(station, 1), _case(station, 2)
    svc.complete_case(station.ctx, actor=station.clerk, case_id=closed_id)
    assert [c.id for c in my_open_cases(station.ctx, actor=station.clerk)] == [open_id]

    handover = hand_over(station.ctx, actor=station.clerk, to_username="zhanzhang", note="下午送户口簿")

    assert [c.id for c in handover.cases] == [open_id] and handover.to_name == "王秀英"
    moved = svc.get_case(station.ctx, case_id=open_id)
    assert moved.handler == "王秀英" and moved.first_staff == "李晓丽"  # 首问负责 stays
    assert moved.state is CaseState.ACCEPTED
    assert moved.events[-1].action == "handover" and "下午送户口簿" in moved.events[-1].note
    assert svc.get_case(station.ctx, case_id=closed_id).handler == "李晓丽"
    assert my_open_cases(station.ctx, actor=station.clerk) == ()
    with station.ctx.read() as uow:
        assert list(uow.audit_entries())[-1]["action"] == "shift.handover"


def test_handing_over_to_yourself_or_to_nobody_is_refused(station: StationFixture) -> None:
    with pytest.raises(DomainError) as same:
        hand_over(station.ctx, actor=station.clerk, to_username="xiaoli")
    assert same.value.code == "handover.same_person"
    with pytest.raises(NotFound) as nobody:
        hand_over(station.ctx, actor=station.clerk, to_username="nobody")
    assert nobody.value.code == "handover.no_such_staff"
