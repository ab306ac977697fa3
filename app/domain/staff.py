"""Staff accounts: roles, permissions, A/B posts and the lock-out rule."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.domain.errors import DomainError, PermissionDenied


class Role(StrEnum):
    CLERK = "clerk"  # 窗口工作人员
    HEAD = "head"  # 站长
    TOWN_ADMIN = "town_admin"  # 镇管理员

    @property
    def label_zh(self) -> str:
        return {"clerk": "窗口工作人员", "head": "站长", "town_admin": "镇管理员"}[self.value]

    @property
    def label_en(self) -> str:
        return {"clerk": "counter clerk", "head": "station head", "town_admin": "town administrator"}[self.value]


class Post(StrEnum):
    """AB岗: A is the main post, B covers with the same powers when A is away."""

    A = "A"
    B = "B"


class Permission(StrEnum):
    CASE_HANDLE = "case.handle"  # consult, accept, forward, return, complete, reject, withdraw
    RESIDENT_EDIT = "resident.edit"
    RESIDENT_IMPORT = "resident.import"
    RESIDENT_UNMASK = "resident.unmask"  # show a full ID / phone number (audited)
    STAFF_MANAGE = "staff.manage"
    CATALOG_LOCAL = "catalog.local"
    STATION_ADMIN = "station.admin"  # backup, restore, integrity check, settings
    TOWN_ADMIN = "town.admin"
    POINTS_DECLARE = "points.declare"  # record a declaration; redeem goods at the counter
    POINTS_REVIEW = "points.review"  # approve or reject (评议), post and manage the public notice (公示)
    POINTS_MANAGE = "points.manage"  # goods and stock, reversals, corrections, the village's own indicators
    MONEY_TAKE = "money.take"  # take payments, open and close the drawer, move cash with a reason, close the day
    MONEY_APPROVE = "money.approve"  # approve a void or refund, and a drawer off by more than the tolerance


_CLERK = frozenset({Permission.CASE_HANDLE, Permission.RESIDENT_EDIT, Permission.POINTS_DECLARE,
                    Permission.MONEY_TAKE})
_HEAD = _CLERK | {Permission.RESIDENT_IMPORT, Permission.RESIDENT_UNMASK, Permission.STAFF_MANAGE,
                  Permission.CATALOG_LOCAL, Permission.STATION_ADMIN, Permission.POINTS_REVIEW,
                  Permission.POINTS_MANAGE, Permission.MONEY_APPROVE}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: _CLERK,
    Role.HEAD: frozenset(_HEAD),
    Role.TOWN_ADMIN: frozenset(Permission),
}

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8

_USERNAME = re.compile(r"^[a-z0-9_.-]{2,32}$")


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated staff member on whose behalf a service runs."""

    staff_id: str
    username: str
    display_name: str
    staff_no: str
    role: Role
    post: Post
    station_code: str

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied("perm.denied", permission=permission.value, role=self.role.label_zh)


def check_username(text: str) -> str:
    name = text.strip().lower()
    if not _USERNAME.match(name):
        raise DomainError("staff.bad_username", username=text)
    return name


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError("staff.weak_password", min=MIN_PASSWORD_LENGTH)
    if password.isdigit() and len(set(password)) <= 2:
        raise DomainError("staff.weak_password", min=MIN_PASSWORD_LENGTH)


def lock_after_failure(failed_attempts: int, now: datetime) -> datetime | None:
    """When the account locks (and until when) after ``failed_attempts`` consecutive failures."""
    return now + LOCKOUT if failed_attempts >= MAX_FAILED_LOGINS else None
