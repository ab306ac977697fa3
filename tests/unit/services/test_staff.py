"""Logging in: wrong passwords, the five-failure lock-out that opens after 15 minutes, and the audit trail."""

from __future__ import annotations

import pytest

from app.domain.errors import DomainError, PermissionDenied
from app.domain.staff import Role
from app.services.staff import add_staff, authenticate, list_staff
from tests.conftest import StationFixture

PASSWORD = "demo2026"


def _fail(station: StationFixture, username: str = "xiaoli") -> DomainError:
    with pytest.raises(DomainError) as err:
        authenticate(station.ctx, username=username, password="wrong-password")
    return err.value


def _audit_actions(station: StationFixture) -> list[str]:
    with station.ctx.uow() as uow:
        return [e["action"] for e in uow.audit_entries()]


def test_a_right_password_gives_the_actor_with_its_role(station: StationFixture) -> None:
    actor = authenticate(station.ctx, username=" XiaoLi ", password=PASSWORD)
    assert actor.username == "xiaoli"
    assert actor.role is Role.CLERK
    assert actor.station_code == "QX01"


def test_a_wrong_password_says_how_many_tries_are_left(station: StationFixture) -> None:
    errors = [_fail(station) for _ in range(4)]
    assert [e.code for e in errors] == ["login.failed"] * 4
    assert [e.params["left"] for e in errors] == [4, 3, 2, 1]


def test_the_fifth_wrong_password_locks_the_account_for_fifteen_minutes(station: StationFixture) -> None:
    for _ in range(4):
        assert _fail(station).code == "login.failed"
    fifth = _fail(station)
    assert fifth.code == "login.locked"
    assert fifth.params["until"] == "10:15"
    # locked: even the right password is refused until the time has passed
    station.clock.advance(minutes=14, seconds=59)
    with pytest.raises(DomainError) as err:
        authenticate(station.ctx, username="xiaoli", password=PASSWORD)
    assert err.value.code == "login.locked"
    station.clock.advance(seconds=1)
    assert authenticate(station.ctx, username="xiaoli", password=PASSWORD).username == "xiaoli"


def test_after_the_lock_expires_the_count_starts_again(station: StationFixture) -> None:
    for _ in range(5):
        _fail(station)
    station.clock.advance(minutes=15)
    assert _fail(station).params["left"] == 4


def test_a_successful_login_resets_the_failure_count(station: StationFixture) -> None:
    for _ in range(4):
        _fail(station)
    authenticate(station.ctx, username="xiaoli", password=PASSWORD)
    assert _fail(station).params["left"] == 4


def test_a_lock_out_of_one_account_leaves_the_others_alone(station: StationFixture) -> None:
    for _ in range(5):
        _fail(station)
    assert authenticate(station.ctx, username="zhanzhang", password=PASSWORD).role is Role.HEAD


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(station: StationFixture) -> None:
    assert _fail(station, "nobody").code == "login.failed"


def test_every_login_try_is_audited(station: StationFixture) -> None:
    before = _audit_actions(station)
    _fail(station)
    _fail(station, "nobody")
    authenticate(station.ctx, username="xiaoli", password=PASSWORD)
    assert _audit_actions(station)[len(before):] == ["login.failed", "login.unknown_user", "login.ok"]


def test_a_clerk_cannot_add_staff(station: StationFixture) -> None:
    with pytest.raises(PermissionDenied):
        add_staff(station.ctx, actor=station.clerk, username="laozhou", display_name="周建国", staff_no="003",
                  password=PASSWORD)


def test_adding_staff_is_audited_at_the_station_clock(station: StationFixture) -> None:
    station.clock.advance(hours=2)
    add_staff(station.ctx, actor=station.head, username="laozhou", display_name="周建国", staff_no="003",
              password=PASSWORD)
    with station.ctx.uow() as uow:
        last = list(uow.audit_entries())[-1]
    assert last["action"] == "staff.add"
    assert last["at"] == "2026-11-23T12:00:00"
    assert [s.username for s in list_staff(station.ctx, actor=station.head)] == ["zhanzhang", "xiaoli", "laozhou"]
