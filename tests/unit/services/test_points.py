"""Village points through the services on a real SQLite station: declare → review → public notice →
credited; the points supermarket; statements, boards and summaries; entries from another station."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from app.domain.errors import Conflict, DomainError, NotFound, PermissionDenied
from app.domain.points import DeclarationState, EntryKind
from app.domain.staff import Role
from app.services import points as svc
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id


@pytest.fixture
def zhang(station: StationFixture) -> str:
    """张小三 of 青溪村 (V01), 3组, household V01-000123 headed by 张大山."""
    register_resident(station.ctx, actor=station.head, name="张大山", id_number=make_id(date(1960, 1, 2), True, seq=1),
                      village="V01", group="3组", household_no="V01-000123", relation="户主")
    return register_resident(station.ctx, actor=station.head, name="张小三", id_number=make_id(date(1990, 5, 6), True),
                             village="V01", group="3组", household_no="V01-000123", relation="子",
                             phone="13812345678").id


def _credited(station: StationFixture, resident: str, indicator: str = "T04", **kw: object) -> svc.DeclarationView:
    """Declared by the clerk, approved by the head, posted, and credited when the notice has ended."""
    d = svc.declare(station.ctx, actor=station.clerk, resident_id=resident, indicator=indicator, **kw)  # type: ignore[arg-type]
    svc.review(station.ctx, actor=station.head, declaration_id=d.id, approve=True)
    svc.post_notice(station.ctx, actor=station.head)
    station.clock.advance(days=7)
    svc.settle(station.ctx, actor=station.clerk)
    return next(x for x in svc.list_declarations(station.ctx) if x.id == d.id)


def _stock(station: StationFixture) -> None:
    svc.save_goods(station.ctx, actor=station.head, code="XYY", name="洗衣液", price=48, unit="瓶")
    svc.save_goods(station.ctx, actor=station.head, code="XZ", name="香皂", price=8, unit="块")
    svc.move_stock(station.ctx, actor=station.head, code="XYY", quantity=3)
    svc.move_stock(station.ctx, actor=station.head, code="XZ", quantity=10)


def test_a_declaration_is_credited_only_after_review_and_a_public_notice_without_objection(
        station: StationFixture, zhang: str) -> None:
    before = svc.account_of(station.ctx, resident_id=zhang)
    assert not before.opened and before.balance == 100 and before.holder_name == "张大山"
    d = svc.declare(station.ctx, actor=station.clerk, resident_id=zhang, indicator="T04", note="照顾邻居孤寡老人",
                    declared_by="组长 王五")
    assert d.state == DeclarationState.PENDING and d.points == 5 and d.holder_name == "张大山"
    assert svc.account_of(station.ctx, resident_id=zhang).balance == 100  # opened, nothing credited yet
    with pytest.raises(PermissionDenied):
        svc.review(station.ctx, actor=station.clerk, declaration_id=d.id, approve=True)
    approved = svc.review(station.ctx, actor=station.head, declaration_id=d.id, approve=True, body="村两委会议")
    assert approved.state == DeclarationState.APPROVED
    notice = svc.post_notice(station.ctx, actor=station.head)
    assert notice.ends_on == date(2026, 11, 29) and [(x.name, x.group_name, x.points) for x in notice.lines] == [
        ("张*三", "3组", 5)]
    station.clock.set(datetime(2026, 11, 29, 17, 0))  # the notice's last day: nothing yet
    assert svc.settle(station.ctx, actor=station.clerk).credited == 0
    station.clock.set(datetime(2026, 11, 30, 8, 0))
    done = svc.settle(station.ctx, actor=station.clerk)
    assert (done.credited, done.notices_closed) == (1, 1)
    assert svc.settle(station.ctx, actor=station.clerk).credited == 0  # settling again credits nothing twice
    account = svc.account_of(station.ctx, resident_id=zhang)
    assert account.balance == 105 and account.spendable == 5
    entry = svc.statement(station.ctx, account_id=account.id).lines[-1]
    assert entry.kind is EntryKind.AWARD and entry.points == 5 and "村两委会议" in entry.approved_by


def test_nobody_approves_what_they_recorded_and_a_rejection_needs_a_reason(station: StationFixture, zhang: str) -> None:
    d = svc.declare(station.ctx, actor=station.head, resident_id=zhang, indicator="T07")
    with pytest.raises(DomainError) as own:
        svc.review(station.ctx, actor=station.head, declaration_id=d.id, approve=True)
    assert own.value.code == "points.own_declaration"
    with pytest.raises(DomainError) as why:
        svc.review(station.ctx, actor=station.head, declaration_id=d.id, approve=False)
    assert why.value.code == "points.reason_needed"
    rejected = svc.review(station.ctx, actor=station.head, declaration_id=d.id, approve=False, reason="无人证明")
    assert rejected.state == DeclarationState.REJECTED and rejected.review_reason == "无人证明"
    with pytest.raises(Conflict):
        svc.review(station.ctx, actor=station.head, declaration_id=d.id, approve=True)


def test_an_objection_holds_the_points_until_the_head_decides(station: StationFixture, zhang: str) -> None:
    d = svc.declare(station.ctx, actor=station.clerk, resident_id=zhang, indicator="T08")
    e = svc.declare(station.ctx, actor=station.clerk, resident_id=zhang, indicator="T06")
    for x in (d, e):
        svc.review(station.ctx, actor=station.head, declaration_id=x.id, approve=True)
    svc.post_notice(station.ctx, actor=station.head)
    svc.object_to(station.ctx, actor=station.clerk, declaration_id=d.id, text="邻居李四说纠纷没有调解成")
    svc.object_to(station.ctx, actor=station.clerk, declaration_id=e.id, text="捐款不是他家出的")
    station.clock.advance(days=8)
    result = svc.settle(station.ctx, actor=station.clerk)
    assert (result.credited, result.waiting_on_objection) == (0, 2)
    svc.decide_objection(station.ctx, actor=station.head, declaration_id=d.id, uphold=False, reason="经核实已调解")
    withdrawn = svc.decide_objection(station.ctx, actor=station.head, declaration_id=e.id, uphold=True,
                                     reason="经核实属实")
    assert withdrawn.state == DeclarationState.WITHDRAWN
    assert svc.settle(station.ctx, actor=station.clerk).credited == 1
    assert svc.account_of(station.ctx, resident_id=zhang).balance == 105


def test_caps_count_what_was_declared_in_the_period(station: StationFixture, zhang: str) -> None:
    for _ in range(4):
        svc.declare(station.ctx, actor=station.clerk, resident_id=zhang, indicator="T04")  # 5 each, 20 a month
    with pytest.raises(DomainError) as cap:
        svc.declare(station.ctx, actor=station.clerk, resident_id=zhang, indicator="T04")
    assert cap.value.code == "points.cap_reached" and cap.value.params["room"] == 0
    svc.declare(station.ctx, actor=station.clerk, resident_id=zhang, indicator="T04", activity_on=date(2026, 10, 30))
    hours = svc.declare(station.ctx, actor=station.clerk, resident_id=zhang, indicator="T17", hours="3")
    assert hours.points == 2 and hours.hours == "3"  # 2 hours counted per activity


def test_redeeming_takes_only_spendable_points_and_stock_it_has(station: StationFixture, zhang: str) -> None:
    _stock(station)
    for indicator in ("T14", "T05", "T02"):  # 30 + 20 + 20 = 70 spendable
        _credited(station, zhang, indicator)
    with pytest.raises(DomainError) as short:
        svc.redeem(station.ctx, actor=station.clerk, resident_id=zhang, lines=[("XYY", 4)])
    assert short.value.code == "points.stock_short"
    with pytest.raises(DomainError) as poor:
        svc.redeem(station.ctx, actor=station.clerk, resident_id=zhang, lines=[("XYY", 1), ("XZ", 3)])  # 72
    assert poor.value.code == "points.not_enough" and poor.value.params["spendable"] == 70
    done = svc.redeem(station.ctx, actor=station.clerk, resident_id=zhang, lines=[("XYY", 1), ("XZ", 1), ("xz", 1)])
    assert done.total == 64 and done.balance_before == 170 and done.account.balance == 106
    assert [(line.name, line.quantity) for line in done.lines] == [("洗衣液", 1), ("香皂", 2)]
    assert [(g.code, g.stock) for g in svc.list_goods(station.ctx)] == [("XYY", 2), ("XZ", 8)]
    with pytest.raises(PermissionDenied):
        svc.reverse_redemption(station.ctx, actor=station.clerk, redemption_id=done.id, reason="拿错了")
    back = svc.reverse_redemption(station.ctx, actor=station.head, redemption_id=done.id, reason="商品退回")
    assert back.state == "reversed" and back.account.balance == 170
    assert [(g.code, g.stock) for g in svc.list_goods(station.ctx)] == [("XYY", 3), ("XZ", 10)]
    with pytest.raises(Conflict):
        svc.reverse_redemption(station.ctx, actor=station.head, redemption_id=done.id, reason="再退一次")
    kinds = [x.kind for x in svc.statement(station.ctx, account_id=back.account.id).lines]
    assert kinds[-2:] == [EntryKind.REDEMPTION, EntryKind.REVERSAL]  # nothing edited: a new entry


def test_stock_never_goes_below_zero_and_goods_need_a_name_and_price(station: StationFixture) -> None:
    _stock(station)
    with pytest.raises(DomainError) as neg:
        svc.move_stock(station.ctx, actor=station.head, code="XZ", quantity=-11, receive=False, note="盘点")
    assert neg.value.code == "points.stock_negative"
    counted = svc.move_stock(station.ctx, actor=station.head, code="XZ", quantity=-2, receive=False, note="盘点损坏")
    assert counted.stock == 8
    with pytest.raises(DomainError):
        svc.save_goods(station.ctx, actor=station.head, code="NEW", name="纸巾")
    with pytest.raises(PermissionDenied):
        svc.save_goods(station.ctx, actor=station.clerk, code="ZJ", name="纸巾", price=75)
    svc.save_goods(station.ctx, actor=station.head, code="XZ", active=False)
    assert [g.code for g in svc.list_goods(station.ctx)] == ["XYY"]


def test_points_expire_at_the_year_end_except_what_was_spent_first(station: StationFixture, zhang: str) -> None:
    _stock(station)
    _credited(station, zhang, "T14")  # +30, last day 2026-12-31
    svc.redeem(station.ctx, actor=station.clerk, resident_id=zhang, lines=[("XZ", 2)])  # 16 of them spent
    station.clock.set(datetime(2027, 1, 2, 9, 0))
    result = svc.settle(station.ctx, actor=station.clerk)
    assert (result.lots_expired, result.points_expired) == (1, 14)
    assert svc.settle(station.ctx, actor=station.clerk).lots_expired == 0
    account = svc.account_of(station.ctx, resident_id=zhang)
    assert account.balance == 100  # the opening balance never expires
    lines = svc.statement(station.ctx, account_id=account.id).lines
    assert lines[-1].kind is EntryKind.EXPIRY and lines[-1].points == -14 and lines[-1].at == "2027-01-01T00:00:00"


def test_statement_board_and_summary(station: StationFixture, zhang: str) -> None:
    li = register_resident(station.ctx, actor=station.head, name="李四", village="V01", group="1组",
                           id_number=make_id(date(1970, 3, 3), True, seq=7), household_no="V01-000200",
                           relation="户主").id
    _credited(station, zhang, "T14")
    _credited(station, li, "T05")
    _credited(station, li, "T02")
    pending = svc.declare(station.ctx, actor=station.clerk, resident_id=zhang, indicator="T07")
    st = svc.statement(station.ctx, account_id=pending.account_id)
    assert [x.balance for x in st.lines] == [100, 130] and st.pending == 3
    assert st.expiring == ((date(2026, 12, 31), 30),) and st.account.grade and st.account.grade.label == "三星文明户"
    b = svc.board(station.ctx)
    assert [(x.rank, x.holder_name, x.balance, x.grade) for x in b.lines] == [
        (1, "李*", 140, "三星文明户"), (2, "张*山", 130, "三星文明户")]
    assert dict(b.grades) == {"五星文明户": 0, "四星文明户": 0, "三星文明户": 2}
    s = svc.summary(station.ctx, period="2026-Q4")
    assert (s.awarded, s.redeemed, s.expired) == (70, 0, 0)
    with pytest.raises(DomainError):
        svc.summary(station.ctx, period="2026-13")


def test_entries_from_another_station_apply_once_and_overspending_opens_a_conflict(
        station: StationFixture, zhang: str) -> None:
    _stock(station)
    _credited(station, zhang, "T14")  # 130: 30 spendable
    here = svc.redeem(station.ctx, actor=station.clerk, resident_id=zhang, lines=[("XZ", 3)])  # 24
    account = here.account.id
    theirs = {"id": "01a2b3c4-0000-7000-8000-000000000001", "account_id": account, "kind": "redemption",
              "points": -24, "at": "2026-11-30T09:30:00", "station_code": "QX02", "reason": "大米×1"}
    assert svc.apply_entries(station.ctx, entries=[theirs]) == 1
    assert svc.apply_entries(station.ctx, entries=[theirs]) == 0  # the same delivery again: nothing twice
    assert svc.account_of(station.ctx, resident_id=zhang).balance == 130 - 48
    conflict, = svc.list_conflicts(station.ctx)
    assert conflict.overspent == 18 and conflict.account_id == account
    town = replace(station.head, role=Role.TOWN_ADMIN)
    with pytest.raises(PermissionDenied):
        svc.resolve_conflict(station.ctx, actor=station.head, conflict_id=conflict.id, note="已退回")
    done = svc.resolve_conflict(station.ctx, actor=town, conflict_id=conflict.id, note="已退回大米", correction=24)
    assert done.state == "resolved" and svc.list_conflicts(station.ctx) == ()
    assert svc.account_of(station.ctx, resident_id=zhang).balance == 106


def test_a_household_less_resident_and_unknown_things_get_plain_refusals(station: StationFixture) -> None:
    lone = register_resident(station.ctx, actor=station.head, name="王五", id_number=make_id(date(1980, 1, 1), True),
                             village="V02").id
    for call, code in [
        (lambda: svc.declare(station.ctx, actor=station.clerk, resident_id=lone, indicator="T04"),
         "points.no_household"),
        (lambda: svc.declare(station.ctx, actor=station.clerk, resident_id=lone, indicator="T99"),
         "points.unknown_indicator"),
        (lambda: svc.redeem(station.ctx, actor=station.clerk, resident_id=lone, lines=[]), "points.nothing_to_redeem"),
        (lambda: svc.post_notice(station.ctx, actor=station.head), "points.nothing_to_post"),
    ]:
        with pytest.raises(DomainError) as e:
            call()
        assert e.value.code == code
    with pytest.raises(NotFound):
        svc.get_notice(station.ctx)


def test_the_town_publishes_rules_and_a_village_adds_its_own(station: StationFixture, tmp_path: Path,
                                                             zhang: str) -> None:
    town = replace(station.head, role=Role.TOWN_ADMIN)
    data = json.loads(Path("resources/points/town-standard.json").read_text(encoding="utf-8"))
    data.update(version="2027.1", notice_days=5, starting_balance=80)
    path = tmp_path / "town.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(PermissionDenied):
        svc.publish_rules(station.ctx, actor=station.head, path=path)
    assert svc.publish_rules(station.ctx, actor=town, path=path).notice_days == 5
    with pytest.raises(Conflict):
        svc.publish_rules(station.ctx, actor=town, path=path)
    own = tmp_path / "v01.json"
    own.write_text(json.dumps({"format": "stationdesk.points/1", "rules_id": "v01-points", "scope": "village",
                               "version": "1", "title": "青溪村", "village_code": "V01",
                               "indicators": [{"code": "L01", "category": "环境美化", "name": "门前三包落实",
                                               "points": 2, "cap": 4}]}, ensure_ascii=False), encoding="utf-8")
    rules = svc.publish_rules(station.ctx, actor=station.head, path=own)
    assert rules.indicator("L01", "V01").name == "门前三包落实" and rules.starting_balance == 80
    d = svc.declare(station.ctx, actor=station.clerk, resident_id=zhang, indicator="L01")
    assert d.indicator_name == "门前三包落实" and d.points == 2
    other = tmp_path / "v02.json"
    other.write_text(own.read_text(encoding="utf-8").replace('"V01"', '"V02"').replace("v01-", "v02-"),
                     encoding="utf-8")
    with pytest.raises(DomainError) as e:
        svc.publish_rules(station.ctx, actor=station.head, path=other)
    assert e.value.code == "points_rules.other_village"


def test_notices_are_posted_for_every_village_served_here_and_say_why_when_there_is_nothing(
        station: StationFixture, zhang: str) -> None:
    register_resident(station.ctx, actor=station.head, name="石大伯", id_number=make_id(date(1955, 3, 4), True, seq=3),
                      village="V02", group="1组", household_no="V02-000007", relation="户主")
    away = register_resident(station.ctx, actor=station.head, name="石小妹", id_number=make_id(date(1995, 7, 8), False),
                             village="V02", group="1组", household_no="V02-000007", relation="女").id
    with pytest.raises(DomainError) as e:
        svc.post_notices(station.ctx, actor=station.head)
    assert e.value.code == "points.nothing_declared"
    mine = [svc.declare(station.ctx, actor=station.clerk, resident_id=r, indicator="T04") for r in (zhang, away)]
    with pytest.raises(DomainError) as e:
        svc.post_notices(station.ctx, actor=station.head)
    assert e.value.code == "points.nothing_approved" and e.value.params["n"] == 2
    for d in mine:
        svc.review(station.ctx, actor=station.head, declaration_id=d.id, approve=True)
    with pytest.raises(DomainError) as e:  # the CLI's one village: the station's own has nothing left elsewhere
        svc.post_notice(station.ctx, actor=station.head, village_code="V03")
    assert e.value.code == "points.nothing_to_post"

    notices = svc.post_notices(station.ctx, actor=station.head)
    assert [n.village_code for n in notices] == ["V01", "V02"]  # the station's own village first
    assert [len(n.lines) for n in notices] == [1, 1] and notices[1].village_name == "石门村"
    assert {n.id for n in svc.open_notices(station.ctx)} == {n.id for n in notices}
    station.clock.advance(days=7)
    assert svc.settle(station.ctx, actor=station.clerk).credited == 2
    assert svc.account_of(station.ctx, resident_id=away).balance == 105


def test_a_declaration_recorded_at_another_station_is_left_to_that_station(station: StationFixture, zhang: str) -> None:
    d = svc.declare(station.ctx, actor=station.clerk, resident_id=zhang, indicator="T04")
    with station.ctx.uow() as uow:  # as the town's sync would bring QX02's declaration here
        uow.conn.exec_driver_sql("UPDATE points_declarations SET station_code = 'QX02'")
        uow.commit()
    with pytest.raises(DomainError) as e:
        svc.review(station.ctx, actor=station.head, declaration_id=d.id, approve=True)
    assert e.value.code == "points.recorded_elsewhere" and e.value.params["station"] == "QX02"
    with station.ctx.uow() as uow:
        uow.conn.exec_driver_sql("UPDATE points_declarations SET state = 'approved'")
        uow.commit()
    for post in (lambda: svc.post_notices(station.ctx, actor=station.head),
                 lambda: svc.post_notice(station.ctx, actor=station.head)):
        with pytest.raises(DomainError) as e:
            post()
        assert e.value.code == "points.approved_elsewhere" and e.value.params["stations"] == "QX02"
