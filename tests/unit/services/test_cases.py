"""Cases at the counter: accept or give a one-time notice, numbers, due dates, every transition, overdue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

from app.domain.cases import TRANSITIONS, CaseAction, CaseState, Outcome
from app.domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from app.services import cases as svc
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id

S08_ALL = ["M01", "M02"]  # 社会保障卡启用: both required, 1 working day
S02_FORM = {"employment_type": "其他灵活就业人员"}  # 灵活就业人员参保登记: 5 working days
S07_FORM = {"reason": "首次申领"}  # 社会保障卡申领/补换: 30 working days, M01+M02 required of five


@pytest.fixture
def resident(station: StationFixture) -> str:
    r = register_resident(station.ctx, actor=station.head, name="张三", id_number=make_id(date(1980, 5, 6), True),
                          village="V01", phone="13812345678")
    return r.id


def _accept(station: StationFixture, resident: str, item: str = "S08", received: list[str] | None = None,
            form: dict[str, object] | None = None, **kw: Any) -> svc.AcceptResult:
    return svc.accept_case(station.ctx, actor=station.clerk, applicant_id=resident, item_code=item,
                           received_materials=S08_ALL if received is None else received, form=form, **kw)


def _audit_count(station: StationFixture) -> int:
    with station.ctx.uow() as uow:
        return len(list(uow.audit_entries()))


def _audit_last(station: StationFixture) -> dict[str, Any]:
    with station.ctx.uow() as uow:
        return dict(list(uow.audit_entries())[-1])


# -- accepting ----------------------------------------------------------------------------------------

def test_accepting_with_all_required_materials_gives_an_accepted_case_with_number_and_due_date(
        station: StationFixture, resident: str) -> None:
    result = _accept(station, resident)
    c = result.case
    assert result.accepted is True
    assert result.notice is None
    assert c.state is CaseState.ACCEPTED
    assert c.case_no == "QX01-20261123-0001"
    assert c.station_code == "QX01"
    assert c.item_code == "S08"
    assert c.applicant.name == "张三"
    assert c.accepted_at == "2026-11-23T10:00:00"
    assert c.due_date == date(2026, 11, 24)  # Monday + 1 working day
    assert c.first_staff == c.handler == "李晓丽"
    assert all(m.received for m in c.materials)
    assert [(e.action, e.from_state, e.to_state) for e in c.events] == [("accept", "", CaseState.ACCEPTED)]


def test_the_due_date_counts_working_days_across_national_day_and_its_make_up_saturday(
        station: StationFixture, resident: str) -> None:
    # Tue 2026-09-29 + 5 working days: 09-30 (1); 10-01..07 国庆 off; 10-08 (2), 10-09 (3),
    # Sat 10-10 worked (4), Sun 10-11 off, Mon 10-12 (5).
    station.clock.set(datetime(2026, 9, 29, 9, 30))
    c = _accept(station, resident, "S02", ["M01", "M02"], S02_FORM).case
    assert c.due_date == date(2026, 10, 12)
    assert c.case_no == "QX01-20260929-0001"


def test_the_due_date_counts_the_make_up_sunday_before_mid_autumn_and_national_day(
        station: StationFixture, resident: str) -> None:
    # Fri 2026-09-18 + 30 working days: Sun 09-20 worked (1), 09-21..24 (2-5), 09-25..27 中秋 off,
    # 09-28..30 (6-8), 10-01..07 off, 10-08, 10-09 (9-10), Sat 10-10 (11), 10-12..16 (12-16),
    # 10-19..23 (17-21), 10-26..30 (22-26), 11-02..05 (27-30).
    station.clock.set(datetime(2026, 9, 18, 16, 0))
    c = _accept(station, resident, "S07", ["M01", "M02"], S07_FORM).case
    assert c.due_date == date(2026, 11, 5)


def test_accepting_with_a_required_material_missing_records_a_consultation_and_a_one_time_notice(
        station: StationFixture, resident: str) -> None:
    result = _accept(station, resident, "S07", ["M01", "M03"], S07_FORM)
    assert result.accepted is False
    c = result.case
    assert c.state is CaseState.CONSULTATION
    assert c.accepted_at is None
    assert c.due_date is None
    assert c.case_no == "QX01-20261123-0001"
    notice = result.notice
    assert notice is not None
    assert [m.code for m in notice.missing] == ["M02"]
    assert [m.name for m in notice.missing] == ["居民身份证"]
    assert [m.code for m in notice.materials] == ["M01", "M02", "M03", "M04", "M05"]
    assert {m.code for m in notice.materials if m.received} == {"M01", "M03"}
    assert notice.case_no == c.case_no
    assert notice.item_code == "S07"
    assert notice.time_limit_days == 30
    assert notice.applicant_name == "张三"
    assert "*" in notice.applicant_id_masked
    assert notice.staff_name == "李晓丽"
    assert notice.station_name == "青溪村便民服务站"
    assert notice.issued_at == "2026-11-23T10:00:00"
    assert [(e.action, e.to_state) for e in c.events] == [("consult", CaseState.CONSULTATION)]


def test_a_notice_lists_every_missing_required_material_at_once(station: StationFixture, resident: str) -> None:
    result = _accept(station, resident, "S07", [], S07_FORM)
    assert result.notice is not None
    assert [m.code for m in result.notice.missing] == ["M01", "M02"]
    assert [m.code for m in result.case.missing_required] == ["M01", "M02"]


def test_a_consultation_is_accepted_later_keeping_its_number_and_counting_from_that_day(
        station: StationFixture, resident: str) -> None:
    first = _accept(station, resident, "S02", ["M01"], S02_FORM)
    assert first.accepted is False
    station.clock.set(datetime(2026, 11, 25, 9, 0))  # the resident comes back two days later
    again = _accept(station, resident, "S02", ["M01", "M02"], S02_FORM, consultation_id=first.case.id)
    c = again.case
    assert again.accepted is True
    assert again.notice is None
    assert c.id == first.case.id
    assert c.case_no == first.case.case_no == "QX01-20261123-0001"
    assert c.state is CaseState.ACCEPTED
    assert c.accepted_at == "2026-11-25T09:00:00"
    assert c.due_date == date(2026, 12, 2)  # Wed + 5 working days
    assert {m.code for m in c.materials if m.received} == {"M01", "M02"}
    assert [(e.action, e.to_state) for e in c.events] == [("consult", CaseState.CONSULTATION),
                                                           ("accept", CaseState.ACCEPTED)]


def test_a_consultation_still_missing_materials_stays_a_consultation_with_a_new_notice(
        station: StationFixture, resident: str) -> None:
    first = _accept(station, resident, "S07", [], S07_FORM)
    again = _accept(station, resident, "S07", ["M01"], S07_FORM, consultation_id=first.case.id)
    assert again.accepted is False
    assert again.case.state is CaseState.CONSULTATION
    assert again.notice is not None
    assert [m.code for m in again.notice.missing] == ["M02"]


def test_a_consultation_cannot_be_accepted_as_another_item(station: StationFixture, resident: str) -> None:
    first = _accept(station, resident, "S07", [], S07_FORM)
    with pytest.raises(Conflict) as err:
        _accept(station, resident, "S08", consultation_id=first.case.id)
    assert err.value.code == "case.item_mismatch"


@pytest.mark.parametrize("received", [["M01", "M02"], ["M01"]], ids=["complete-materials", "missing-materials"])
def test_a_case_that_is_no_longer_a_consultation_cannot_be_accepted_again(
        station: StationFixture, resident: str, received: list[str]) -> None:
    c = _accept(station, resident, "S07", ["M01", "M02"], S07_FORM).case
    svc.complete_case(station.ctx, actor=station.clerk, case_id=c.id)
    before = _audit_count(station)
    with pytest.raises(Conflict) as err:
        _accept(station, resident, "S07", received, S07_FORM, consultation_id=c.id)
    assert err.value.code == "case.bad_transition"
    after = svc.get_case(station.ctx, case_id=c.id)
    assert after.state is CaseState.COMPLETED
    assert {m.code for m in after.materials if m.received} == {"M01", "M02"}
    assert _audit_count(station) == before


def test_a_consultation_is_accepted_only_for_its_own_applicant(station: StationFixture, resident: str) -> None:
    other = register_resident(station.ctx, actor=station.head, name="李四", id_number=make_id(date(1975, 1, 2), True),
                              village="V01").id
    first = _accept(station, resident, "S08", ["M01"])
    with pytest.raises(Conflict) as err:
        _accept(station, other, "S08", consultation_id=first.case.id)
    assert err.value.code == "case.applicant_mismatch"


def test_record_consultation_gives_the_notice_of_all_materials(station: StationFixture, resident: str) -> None:
    result = svc.record_consultation(station.ctx, actor=station.clerk, applicant_id=resident, item_code="S08")
    assert result.accepted is False
    assert result.case.state is CaseState.CONSULTATION
    assert result.notice is not None
    assert [m.code for m in result.notice.missing] == ["M01", "M02"]


def test_case_numbers_are_consecutive_per_day_and_restart_the_next_day(station: StationFixture,
                                                                         resident: str) -> None:
    today = [_accept(station, resident, received=["M01", "M02"] if i % 2 else ["M01"]).case.case_no
             for i in range(4)]
    assert today == [f"QX01-20261123-{n:04d}" for n in range(1, 5)]
    station.clock.advance(days=1)
    tomorrow = [_accept(station, resident).case.case_no for _ in range(2)]
    assert tomorrow == ["QX01-20261124-0001", "QX01-20261124-0002"]


def test_a_refused_accept_takes_no_number(station: StationFixture, resident: str) -> None:
    with pytest.raises(ValidationFailed):
        _accept(station, resident, "S02", ["M01", "M02"], {"employment_type": "不存在的形式"})
    with pytest.raises(NotFound):
        _accept(station, "no-such-resident")
    assert _accept(station, resident).case.case_no == "QX01-20261123-0001"


def test_an_unknown_item_or_material_is_refused(station: StationFixture, resident: str) -> None:
    with pytest.raises(DomainError):
        _accept(station, resident, "S99")
    with pytest.raises(DomainError) as err:
        _accept(station, resident, "S08", ["M01", "M09"])
    assert err.value.code == "case.unknown_material"


# -- transitions --------------------------------------------------------------------------------------

def _in_state(station: StationFixture, resident: str, state: CaseState) -> str:
    ctx, clerk = station.ctx, station.clerk
    if state is CaseState.CONSULTATION:
        return _accept(station, resident, received=["M01"]).case.id
    case_id = _accept(station, resident).case.id
    if state is CaseState.FORWARDED:
        svc.forward_case(ctx, actor=clerk, case_id=case_id)
    elif state is CaseState.RETURNED:
        svc.return_case(ctx, actor=clerk, case_id=case_id, reason="申请书缺少签字")
    elif state is CaseState.COMPLETED:
        svc.complete_case(ctx, actor=clerk, case_id=case_id)
    elif state is CaseState.NOT_ACCEPTED:
        svc.reject_case(ctx, actor=clerk, case_id=case_id, reason="不符合申请条件")
    elif state is CaseState.WITHDRAWN:
        svc.withdraw_case(ctx, actor=clerk, case_id=case_id, reason="申请人不再办理")
    assert svc.get_case(ctx, case_id=case_id).state is state
    return case_id


def _do(station: StationFixture, resident: str, action: CaseAction) -> Callable[[str], svc.CaseView]:
    ctx, clerk = station.ctx, station.clerk
    return {
        CaseAction.ACCEPT: lambda cid: _accept(station, resident, consultation_id=cid).case,
        CaseAction.FORWARD: lambda cid: svc.forward_case(ctx, actor=clerk, case_id=cid, to="镇人社所"),
        CaseAction.RETURN: lambda cid: svc.return_case(ctx, actor=clerk, case_id=cid, reason="照片不合格",
                                                       materials=["M01"]),
        CaseAction.RESUBMIT: lambda cid: svc.resubmit_case(ctx, actor=clerk, case_id=cid),
        CaseAction.COMPLETE: lambda cid: svc.complete_case(ctx, actor=clerk, case_id=cid, note="已办好"),
        CaseAction.REJECT: lambda cid: svc.reject_case(ctx, actor=clerk, case_id=cid, reason="不符合条件"),
        CaseAction.WITHDRAW: lambda cid: svc.withdraw_case(ctx, actor=clerk, case_id=cid, reason="本人撤回"),
    }[action]


PAIRS = [(s, a) for a in TRANSITIONS for s in CaseState]


@pytest.mark.parametrize(("state", "action"), PAIRS, ids=[f"{a.value}-from-{s.value}" for s, a in PAIRS])
def test_every_transition_is_allowed_or_refused_as_the_table_says(station: StationFixture, resident: str,
                                                                  state: CaseState, action: CaseAction) -> None:
    case_id = _in_state(station, resident, state)
    allowed, target = TRANSITIONS[action]
    events_before = len(svc.get_case(station.ctx, case_id=case_id).events)
    audit_before = _audit_count(station)
    station.clock.advance(minutes=7)
    if state in allowed:
        view = _do(station, resident, action)(case_id)
        assert view.state is target
        assert len(view.events) == events_before + 1
        last = view.events[-1]
        assert (last.action, last.from_state, last.to_state) == (action.value, state.value, target)
        assert last.staff_name == "李晓丽"
        assert last.at == station.clock.now().isoformat(timespec="seconds")
        assert _audit_count(station) == audit_before + 1
        entry = _audit_last(station)
        assert entry["target_id"] == case_id
        assert entry["staff_id"] == station.clerk.staff_id
        assert entry["at"] == station.clock.now().isoformat(timespec="seconds")
        assert (view.closed_at is not None) == target.is_final
    else:
        with pytest.raises(Conflict) as err:
            _do(station, resident, action)(case_id)
        assert err.value.code == "case.bad_transition"
        after = svc.get_case(station.ctx, case_id=case_id)
        assert after.state is state
        assert len(after.events) == events_before
        assert _audit_count(station) == audit_before


def test_completing_a_consultation_is_refused(station: StationFixture, resident: str) -> None:
    case_id = _in_state(station, resident, CaseState.CONSULTATION)
    with pytest.raises(Conflict) as err:
        svc.complete_case(station.ctx, actor=station.clerk, case_id=case_id)
    assert err.value.code == "case.bad_transition"
    assert err.value.params["state"] == "咨询"


def test_returning_a_case_stops_its_clock_and_resubmitting_counts_again_from_that_day(
        station: StationFixture, resident: str) -> None:
    c = _accept(station, resident, "S02", ["M01", "M02"], S02_FORM).case
    assert c.due_date == date(2026, 11, 30)
    returned = svc.return_case(station.ctx, actor=station.clerk, case_id=c.id, reason="登记表缺少签字",
                               materials=["M02"])
    assert returned.state is CaseState.RETURNED
    assert returned.due_date is None
    assert returned.reason == "登记表缺少签字"
    assert returned.events[-1].note == "登记表缺少签字（需补正：灵活就业人员参保登记表）"
    station.clock.set(datetime(2026, 12, 3, 15, 0))  # Thursday
    back = svc.resubmit_case(station.ctx, actor=station.clerk, case_id=c.id, received_materials=["M03"])
    assert back.state is CaseState.ACCEPTED
    assert back.due_date == date(2026, 12, 10)
    assert back.reason == ""
    assert {m.code for m in back.materials if m.received} == {"M01", "M02", "M03"}
    assert back.events[-1].note == "材料已补齐"


def test_resubmitting_with_an_unknown_material_changes_nothing(station: StationFixture, resident: str) -> None:
    case_id = _in_state(station, resident, CaseState.RETURNED)
    with pytest.raises(DomainError) as err:
        svc.resubmit_case(station.ctx, actor=station.clerk, case_id=case_id, received_materials=["M77"])
    assert err.value.code == "case.unknown_material"
    assert svc.get_case(station.ctx, case_id=case_id).state is CaseState.RETURNED


def test_returning_for_a_material_not_on_the_list_is_refused(station: StationFixture, resident: str) -> None:
    case_id = _in_state(station, resident, CaseState.ACCEPTED)
    with pytest.raises(DomainError) as err:
        svc.return_case(station.ctx, actor=station.clerk, case_id=case_id, reason="缺材料", materials=["M77"])
    assert err.value.code == "case.unknown_material"
    assert svc.get_case(station.ctx, case_id=case_id).state is CaseState.ACCEPTED


@pytest.mark.parametrize("reason", ["", "  ", "缺"])
def test_rejecting_returning_and_withdrawing_need_a_reason(station: StationFixture, resident: str,
                                                           reason: str) -> None:
    case_id = _in_state(station, resident, CaseState.ACCEPTED)
    for act in (svc.reject_case, svc.withdraw_case, svc.return_case):
        with pytest.raises(DomainError) as err:
            act(station.ctx, actor=station.clerk, case_id=case_id, reason=reason)
        assert err.value.code == "case.reason_required"
    assert svc.get_case(station.ctx, case_id=case_id).state is CaseState.ACCEPTED


def test_rejecting_keeps_the_reason_told_to_the_resident(station: StationFixture, resident: str) -> None:
    case_id = _in_state(station, resident, CaseState.CONSULTATION)
    view = svc.reject_case(station.ctx, actor=station.clerk, case_id=case_id, reason="  不在本镇 户籍  ")
    assert view.state is CaseState.NOT_ACCEPTED
    assert view.reason == "不在本镇 户籍"
    assert view.closed_at == "2026-11-23T10:00:00"


def test_completing_with_outcome_refused_needs_a_note(station: StationFixture, resident: str) -> None:
    case_id = _in_state(station, resident, CaseState.FORWARDED)
    with pytest.raises(DomainError) as err:
        svc.complete_case(station.ctx, actor=station.clerk, case_id=case_id, outcome=Outcome.REFUSED)
    assert err.value.code == "case.reason_required"
    view = svc.complete_case(station.ctx, actor=station.clerk, case_id=case_id, outcome=Outcome.REFUSED,
                             note="镇里审核未通过：收入超标")
    assert view.state is CaseState.COMPLETED
    assert view.outcome == "refused"


def test_forwarding_names_where_the_case_went(station: StationFixture, resident: str) -> None:
    case_id = _in_state(station, resident, CaseState.ACCEPTED)
    view = svc.forward_case(station.ctx, actor=station.clerk, case_id=case_id, to=" 镇 人社所 ", note="加急")
    assert view.events[-1].note == "转报至镇 人社所：加急"
    assert view.due_date == date(2026, 11, 24)  # the promised date keeps running


def test_a_transition_by_case_number_works_like_one_by_id(station: StationFixture, resident: str) -> None:
    c = _accept(station, resident).case
    view = svc.complete_case(station.ctx, actor=station.clerk, case_id=c.case_no)
    assert view.id == c.id
    assert view.state is CaseState.COMPLETED


def test_an_unknown_case_is_not_found(station: StationFixture) -> None:
    with pytest.raises(NotFound) as err:
        svc.forward_case(station.ctx, actor=station.clerk, case_id="QX01-20261123-0099")
    assert err.value.code == "case.not_found"
    with pytest.raises(NotFound):
        svc.get_case(station.ctx, case_id="nothing")


# -- overdue, listing ---------------------------------------------------------------------------------

def test_a_case_past_its_due_date_is_listed_as_overdue(station: StationFixture, resident: str) -> None:
    late = _accept(station, resident).case  # due Tue 2026-11-24
    on_time = _accept(station, resident, "S02", ["M01", "M02"], S02_FORM).case  # due 2026-11-30
    consult = _accept(station, resident, received=["M01"]).case
    assert svc.list_cases(station.ctx, overdue=True) == ()
    station.clock.set(datetime(2026, 11, 24, 17, 0))
    assert svc.list_cases(station.ctx, overdue=True) == ()  # the due day itself is not late
    station.clock.set(datetime(2026, 11, 25, 8, 0))
    overdue = svc.list_cases(station.ctx, overdue=True)
    assert [c.case_no for c in overdue] == [late.case_no]
    assert overdue[0].overdue is True
    assert svc.get_case(station.ctx, case_id=late.id).overdue is True
    assert svc.get_case(station.ctx, case_id=on_time.id).overdue is False
    assert svc.get_case(station.ctx, case_id=consult.id).overdue is False
    svc.complete_case(station.ctx, actor=station.clerk, case_id=late.id)
    assert svc.list_cases(station.ctx, overdue=True) == ()
    assert svc.get_case(station.ctx, case_id=late.id).overdue is False


def test_a_returned_case_is_never_overdue(station: StationFixture, resident: str) -> None:
    case_id = _in_state(station, resident, CaseState.RETURNED)
    station.clock.advance(days=60)
    assert svc.list_cases(station.ctx, overdue=True) == ()
    assert svc.get_case(station.ctx, case_id=case_id).overdue is False


def test_listing_filters_by_state_and_day_newest_first(station: StationFixture, resident: str) -> None:
    a = _accept(station, resident).case
    station.clock.advance(minutes=5)
    b = _accept(station, resident, received=["M01"]).case
    station.clock.advance(days=1)
    c = _accept(station, resident).case
    assert [x.case_no for x in svc.list_cases(station.ctx)] == [c.case_no, b.case_no, a.case_no]
    assert [x.case_no for x in svc.list_cases(station.ctx, states=[CaseState.CONSULTATION])] == [b.case_no]
    assert [x.case_no for x in svc.list_cases(station.ctx, day=date(2026, 11, 23))] == [b.case_no, a.case_no]
    summary = svc.list_cases(station.ctx, day=date(2026, 11, 24))[0]
    assert summary.applicant_name == "张三"
    assert "*" in summary.applicant_id_masked


# -- form and proxy -----------------------------------------------------------------------------------

def test_a_bad_form_value_gives_validation_failed_naming_the_field(station: StationFixture,
                                                                   resident: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        _accept(station, resident, "N01", [], {"account_no": "100234567", "amount": "十块"})
    assert set(err.value.problems) == {"amount"}
    assert err.value.problems["amount"].params["label"] == "缴费金额"
    with pytest.raises(ValidationFailed) as err:
        _accept(station, resident, "N01", [], {"account_no": "100234567", "amount": "9999.00"})
    assert err.value.problems["amount"].params["label"] == "缴费金额"
    with pytest.raises(ValidationFailed) as err:
        _accept(station, resident, "N01", [], {})
    assert set(err.value.problems) == {"account_no", "amount"}


def test_a_good_form_is_stored_cleaned_with_its_labels(station: StationFixture, resident: str) -> None:
    c = _accept(station, resident, "N01", [], {"account_no": "100234567", "amount": "56.80", "junk": "x"}).case
    assert c.state is CaseState.ACCEPTED
    assert c.due_date == date(2026, 11, 23)  # on the spot
    form = {key: (label, value) for key, label, value in c.form}
    assert form["amount"] == ("缴费金额", 5680)
    assert "junk" not in form


def test_a_proxy_with_a_bad_id_number_is_refused(station: StationFixture, resident: str) -> None:
    bad = make_id(date(1990, 1, 1), False)[:-1] + ("0" if make_id(date(1990, 1, 1), False)[-1] != "0" else "1")
    proxy = svc.ProxyInput(name="李四", id_number=bad, relation="儿子")
    with pytest.raises(ValidationFailed) as err:
        _accept(station, resident, proxy=proxy)
    assert set(err.value.problems) == {"proxy_id"}
    assert err.value.problems["proxy_id"].params["label"] == "代办人身份证号"
    with pytest.raises(ValidationFailed) as err:
        _accept(station, resident, proxy=svc.ProxyInput(name="李四", id_number=make_id(date(1990, 1, 1), True),
                                                        relation=" "))
    assert set(err.value.problems) == {"proxy_relation"}


def test_a_proxy_is_shown_masked_in_the_case(station: StationFixture, resident: str) -> None:
    number = make_id(date(1990, 3, 4), True, seq=17)
    proxy = svc.ProxyInput(name="李四", id_number=number, relation="儿子", phone="139 1234 5678")
    c = _accept(station, resident, proxy=proxy).case
    assert c.proxy is not None
    assert c.proxy.name == "李四"
    assert c.proxy.relation == "儿子"
    assert c.proxy.id_masked == number[:6] + "********" + number[-4:]
    assert c.proxy.phone_masked == "139****5678"
    assert number not in repr(c)


# -- stations and permissions -------------------------------------------------------------------------

def _foreign_case(station: StationFixture, resident: str) -> str:
    with station.ctx.uow() as uow:
        uow.origin = "QX02"
        case_id = uow.add("cases", {
            "case_no": "QX02-20261123-0001", "station_code": "QX02", "item_code": "S08", "item_name": "社会保障卡启用",
            "catalog_version": "2026.1", "applicant_id": resident, "first_staff_id": station.clerk.staff_id,
            "handler_id": station.clerk.staff_id, "state": "accepted", "form_json": "{}",
            "received_at": "2026-11-23T09:00:00", "accepted_at": "2026-11-23T09:00:00",
            "due_date": date(2026, 11, 24)})
        uow.commit()
    return case_id


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_a_case_of_another_station_cannot_be_handled_here(station: StationFixture, resident: str,
                                                          action: CaseAction) -> None:
    case_id = _foreign_case(station, resident)
    with pytest.raises(Conflict) as err:
        _do(station, resident, action)(case_id)
    assert err.value.code == "case.other_station"
    assert err.value.params == {"case_no": "QX02-20261123-0001", "station": "QX02"}


def test_a_case_of_another_station_is_not_listed_here(station: StationFixture, resident: str) -> None:
    _foreign_case(station, resident)
    assert svc.list_cases(station.ctx) == ()


def test_every_role_may_handle_cases_and_a_station_head_does_it_in_their_own_name(station: StationFixture,
                                                                                   resident: str) -> None:
    c = svc.accept_case(station.ctx, actor=station.head, applicant_id=resident, item_code="S08",
                        received_materials=S08_ALL, first_staff_id=station.clerk.staff_id).case
    assert c.handler == "王秀英"
    assert c.first_staff == "李晓丽"


def test_older_cases_are_found_by_number_tail_applicant_name_item_name_or_code(station: StationFixture,
                                                                               resident: str) -> None:
    first = _accept(station, resident, "S08")
    _accept(station, resident, "S47", [], {"topic": "社会保险", "question": "养老保险怎么交"})

    def found(text: str) -> list[str]:
        return [c.case_no for c in svc.list_cases(station.ctx, text=text)]

    assert found(first.case.case_no[-4:]) == [first.case.case_no]
    assert len(found(first.case.applicant.name)) == 2
    assert found("社会保障卡启用") == [first.case.case_no]
    assert found("s08") == [first.case.case_no]
    assert found("%") == [] and found("_") == []  # typed as text, not as wildcards


def test_a_proxy_picked_from_the_household_is_recorded_with_the_registers_full_number(station: StationFixture) -> None:
    head_no, spouse_no = make_id(date(1960, 2, 3), True, seq=21), make_id(date(1962, 7, 8), False, seq=22)
    head = register_resident(station.ctx, actor=station.head, name="王大山", id_number=head_no, village="V01",
                             household_no="0088", relation="户主", phone="13900001111")
    spouse = register_resident(station.ctx, actor=station.head, name="李秀英", id_number=spouse_no, village="V01",
                               household_no="0088", relation="配偶", phone="13700002222")
    # The screen had only the masked number and phone: the service takes them from the register.
    proxy = svc.ProxyInput(name="李秀英", id_number="", relation="配偶", phone="137****2222", resident_id=spouse.id)
    c = _accept(station, head.id, proxy=proxy).case
    assert c.proxy is not None and (c.proxy.name, c.proxy.relation) == ("李秀英", "配偶")
    assert c.proxy.id_masked == spouse_no[:6] + "********" + spouse_no[-4:]
    assert c.proxy.phone_masked == "137****2222"
    with station.ctx.uow() as uow:
        row = uow.repos.cases.by_id(c.id)
    assert row is not None and row["proxy_id_number"] == spouse_no and row["proxy_phone"] == "13700002222"


def test_a_proxy_not_of_the_applicants_household_or_the_applicant_themselves_is_refused(
        station: StationFixture, resident: str) -> None:
    other = register_resident(station.ctx, actor=station.head, name="赵六", id_number=make_id(date(1970, 1, 2), True,
                                                                                              seq=23),
                              village="V01", household_no="0099", relation="户主")
    for picked in (other.id, resident):
        with pytest.raises(ValidationFailed) as err:
            _accept(station, resident, proxy=svc.ProxyInput(name="", id_number="", relation="子女", resident_id=picked))
        assert err.value.problems["proxy_name"].code == "case.proxy_not_household"
