"""Items the standard catalogue retired (S10, S44, S45 in 2026.2): no new case is taken under them, the cases made
under their codes before still read, move on and are paid, and the counter's quick items never offer them."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.errors import DomainError
from app.messages import describe
from app.services import cases as svc
from app.services.items import find_items, quick_items, toggle_favourite
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id


@pytest.fixture
def resident(station: StationFixture) -> str:
    return register_resident(station.ctx, actor=station.head, name="张三", village="V01",
                             id_number=make_id(date(1980, 5, 6), True)).id


def _old_case(station: StationFixture, resident: str) -> str:
    """A 居住证 case made under catalogue 2026.1, before S44 was retired."""
    with station.ctx.uow() as uow:
        case_id = uow.add("cases", {
            "case_no": "QX01-20261120-0001", "station_code": "QX01", "item_code": "S44",
            "item_name": "居住登记/居住证申领(代收)", "catalog_version": "standard-47@2026.1+town-n@2026.1",
            "applicant_id": resident, "first_staff_id": station.clerk.staff_id, "handler_id": station.clerk.staff_id,
            "state": "accepted", "form_json": '{"residence_basis": "合法稳定住所"}',
            "received_at": "2026-11-20T09:00:00", "accepted_at": "2026-11-20T09:00:00",
            "due_date": date(2026, 12, 11)})
        uow.commit()
    return case_id


def test_a_retired_item_takes_no_new_case_and_says_why(station: StationFixture, resident: str) -> None:
    for code in ("S10", "S44", "S45"):
        with pytest.raises(DomainError) as e:
            svc.accept_case(station.ctx, actor=station.clerk, applicant_id=resident, item_code=code,
                            received_materials=[])
        assert e.value.code == "catalog.item_retired"
        assert "已停办" in describe(e.value) and code in describe(e.value)
        with pytest.raises(DomainError):
            svc.record_consultation(station.ctx, actor=station.clerk, applicant_id=resident, item_code=code)


def test_a_case_made_under_a_retired_code_still_reads_and_moves_on(station: StationFixture, resident: str) -> None:
    case_id = _old_case(station, resident)
    view = svc.get_case(station.ctx, case_id=case_id)
    assert (view.item_code, view.item_name) == ("S44", "居住登记/居住证申领(代收)")
    assert view.form[0][1] == "申领条件"  # the retired item's labels are still there
    forwarded = svc.forward_case(station.ctx, actor=station.clerk, case_id=case_id)
    done = svc.complete_case(station.ctx, actor=station.clerk, case_id=forwarded.id)
    assert done.state.value == "completed"


def test_the_counter_never_offers_a_retired_item(station: StationFixture, resident: str) -> None:
    assert not {"S10", "S44", "S45"} & {i.code for i in find_items(station.ctx, query="s")}
    assert "S10" not in [i.code for i in find_items(station.ctx, query="社保卡查询")]
    toggle_favourite(station.ctx, staff_id=station.clerk.staff_id, item_code="S44")  # pinned before 2026.2
    _old_case(station, resident)
    assert "S44" not in [i.code for i, _ in quick_items(station.ctx, staff_id=station.clerk.staff_id)]
    assert {"S48", "S49", "S50"} <= {i.code for i in station.ctx.catalog.items}
