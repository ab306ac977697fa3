"""The freeze rule: warned after three days without a sync, no new cases after seven, going again at once
after a sync; a station never enrolled with a town is not held."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.errors import Conflict
from app.services import replication as rep
from app.services.cases import accept_case
from app.services.freeze import freeze
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id


def _accept(station: StationFixture, person: str) -> str:
    item = station.ctx.catalog.item("S08")
    return accept_case(station.ctx, actor=station.clerk, applicant_id=person, item_code="S08",
                       received_materials=[m.code for m in item.materials]).case.case_no


def test_a_station_out_of_touch_is_warned_then_held_and_a_sync_frees_it(station: StationFixture) -> None:
    person = register_resident(station.ctx, actor=station.head, name="张三", id_number=make_id(date(1980, 5, 6), True),
                               village="V01").id
    assert freeze(station.ctx) is None  # not enrolled: never held
    _accept(station, person)
    rep.save_sync_settings(station.ctx, url="https://town.example.cn", credential="c" * 43)
    rep.note_sync(station.ctx)
    station.clock.advance(days=4)
    state = freeze(station.ctx)
    assert state is not None and state.warn and not state.block and state.days == 4
    _accept(station, person)  # warned, still working
    station.clock.advance(days=3)
    with pytest.raises(Conflict) as e:
        _accept(station, person)
    assert e.value.code == "sync.frozen" and e.value.params["days"] == 7
    rep.note_sync(station.ctx)  # a sync (or a USB bundle's reply) went through
    assert not freeze(station.ctx).block  # type: ignore[union-attr]
    _accept(station, person)
