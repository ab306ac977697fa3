"""Roles and permissions, user names, password strength and the lock-out rule (pure domain)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from app.domain.errors import DomainError, PermissionDenied
from app.domain.staff import (
    LOCKOUT,
    MAX_FAILED_LOGINS,
    ROLE_PERMISSIONS,
    Actor,
    Permission,
    Post,
    Role,
    check_password_strength,
    check_username,
    lock_after_failure,
)


def _actor(role: Role) -> Actor:
    return Actor(staff_id="s1", username="xiaoli", display_name="李晓丽", staff_no="002", role=role, post=Post.A,
                 station_code="QX01")


def test_every_role_has_a_permission_set_and_only_the_town_admin_has_them_all() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert ROLE_PERMISSIONS[Role.TOWN_ADMIN] == frozenset(Permission)
    assert ROLE_PERMISSIONS[Role.CLERK] < ROLE_PERMISSIONS[Role.HEAD] < ROLE_PERMISSIONS[Role.TOWN_ADMIN]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_may_handle_cases(role: Role) -> None:
    _actor(role).require(Permission.CASE_HANDLE)


@pytest.mark.parametrize("permission", [Permission.STATION_ADMIN, Permission.STAFF_MANAGE, Permission.RESIDENT_UNMASK,
                                        Permission.RESIDENT_IMPORT, Permission.CATALOG_LOCAL, Permission.TOWN_ADMIN])
def test_a_clerk_is_refused_what_their_role_lacks(permission: Permission) -> None:
    clerk = _actor(Role.CLERK)
    assert not clerk.can(permission)
    with pytest.raises(PermissionDenied) as err:
        clerk.require(permission)
    assert err.value.code == "perm.denied"
    assert err.value.params == {"permission": permission.value, "role": "窗口工作人员"}


def test_a_station_head_may_run_the_station_but_not_the_town() -> None:
    head = _actor(Role.HEAD)
    head.require(Permission.STATION_ADMIN)
    head.require(Permission.STAFF_MANAGE)
    with pytest.raises(PermissionDenied):
        head.require(Permission.TOWN_ADMIN)


def test_the_b_post_has_the_same_powers_as_the_a_post() -> None:
    a = _actor(Role.CLERK)
    b = dataclasses.replace(a, post=Post.B)
    assert all(a.can(p) == b.can(p) for p in Permission)


def test_an_account_locks_for_fifteen_minutes_at_the_fifth_failure() -> None:
    now = datetime(2026, 11, 23, 10, 0)
    assert MAX_FAILED_LOGINS == 5
    assert LOCKOUT.total_seconds() == 15 * 60
    assert [lock_after_failure(n, now) for n in range(1, 5)] == [None] * 4
    assert lock_after_failure(5, now) == datetime(2026, 11, 23, 10, 15)


@pytest.mark.parametrize("name", ["xiaoli", "Zhang.San", "li_4", "ab"])
def test_a_user_name_is_lower_cased(name: str) -> None:
    assert check_username(f" {name} ") == name.lower()


@pytest.mark.parametrize("name", ["a", "李晓丽", "has space", "x" * 33, ""])
def test_a_bad_user_name_is_refused(name: str) -> None:
    with pytest.raises(DomainError) as err:
        check_username(name)
    assert err.value.code == "staff.bad_username"


@pytest.mark.parametrize("password", ["short", "11111111", "12121212"])
def test_a_weak_password_is_refused(password: str) -> None:
    with pytest.raises(DomainError) as err:
        check_password_strength(password)
    assert err.value.code == "staff.weak_password"


def test_a_reasonable_password_is_accepted() -> None:
    check_password_strength("demo2026")
