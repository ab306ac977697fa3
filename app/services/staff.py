"""Staff accounts: adding staff, logging in with lock-out, and listing who works at the station."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.domain.errors import Conflict, DomainError, NotFound
from app.domain.staff import (
    Actor,
    Permission,
    Post,
    Role,
    check_password_strength,
    check_username,
    lock_after_failure,
)
from app.domain.town import check_name
from app.persistence.uow import UnitOfWork
from app.services.context import ServiceContext
from app.services.security import hash_password, needs_rehash, verify_password


@dataclass(frozen=True, slots=True)
class StaffView:
    id: str
    username: str
    display_name: str
    staff_no: str
    role: Role
    post: Post
    station_code: str
    active: bool


def _view(row: Mapping[str, Any]) -> StaffView:
    return StaffView(id=row["id"], username=row["username"], display_name=row["display_name"],
                     staff_no=row["staff_no"], role=Role(row["role"]), post=Post(row["post"]),
                     station_code=row["station_code"], active=bool(row["active"]))


def actor_from_row(row: Mapping[str, Any]) -> Actor:
    return Actor(staff_id=row["id"], username=row["username"], display_name=row["display_name"],
                 staff_no=row["staff_no"], role=Role(row["role"]), post=Post(row["post"]),
                 station_code=row["station_code"])


def create_staff(uow: UnitOfWork, *, username: str, display_name: str, staff_no: str, role: Role, post: Post,
                 password: str, station_code: str) -> StaffView:
    """Insert a staff account inside an open unit of work (used by station set-up and add_staff)."""
    username = check_username(username)
    display_name = check_name("staff", display_name)
    check_password_strength(password)
    if not staff_no.strip() or len(staff_no.strip()) > 20:
        raise DomainError("staff.bad_staff_no", staff_no=staff_no)
    if uow.repos.staff.by_username(username) is not None:
        raise Conflict("staff.duplicate_username", username=username)
    row = {"station_code": station_code, "username": username, "display_name": display_name,
           "staff_no": staff_no.strip(), "role": role.value, "post": post.value,
           "password_hash": hash_password(password), "active": True}
    row["id"] = uow.add("staff", row)
    return _view(row)


def add_staff(ctx: ServiceContext, *, actor: Actor, username: str, display_name: str, staff_no: str,
              role: Role = Role.CLERK, post: Post = Post.A, password: str) -> StaffView:
    actor.require(Permission.STAFF_MANAGE)
    if role is Role.TOWN_ADMIN:
        actor.require(Permission.TOWN_ADMIN)
    with ctx.uow() as uow:
        view = create_staff(uow, username=username, display_name=display_name, staff_no=staff_no, role=role,
                            post=post, password=password, station_code=ctx.station_code(uow))
        uow.audit(staff_id=actor.staff_id, action="staff.add", target_type="staff", target_id=view.id,
                  detail={"username": view.username, "role": role.value, "post": post.value}, at=ctx.now())
        uow.commit()
    return view


def list_staff(ctx: ServiceContext, *, actor: Actor) -> tuple[StaffView, ...]:
    with ctx.read() as uow:
        return tuple(_view(r) for r in uow.repos.staff.list(ctx.station_code(uow)))


def authenticate(ctx: ServiceContext, *, username: str, password: str) -> Actor:
    """Check a password. Five failures in a row lock the account for 15 minutes; every try is audited."""
    now = ctx.now()
    with ctx.uow() as uow:
        row = uow.repos.staff.by_username(username.strip().lower())
        if row is None or not row["active"]:
            uow.audit(staff_id="", action="login.unknown_user", detail={"username": username[:32]}, at=now)
            uow.commit()
            raise DomainError("login.failed")
        here = uow.meta_get("station_code") or ""
        if here and row["station_code"] and row["station_code"] != here:
            # Every station holds the town's staff list (synced): an account signs in at its own station only.
            uow.audit(staff_id=row["id"], action="login.other_station", detail={"station": row["station_code"]},
                      at=now)
            uow.commit()
            raise DomainError("login.other_station", station=row["station_code"])
        state = uow.repos.staff.login_state(row["id"])
        locked_until = state["locked_until"]
        if locked_until and datetime.fromisoformat(locked_until) > now:
            uow.commit()
            raise DomainError("login.locked", until=locked_until[11:16])
        if not verify_password(row["password_hash"], password):
            failures = int(state["failed_attempts"]) + 1
            until = lock_after_failure(failures, now)
            uow.repos.staff.set_login_state(row["id"], failed_attempts=0 if until else failures,
                                            locked_until=until.isoformat(timespec="seconds") if until else None)
            uow.audit(staff_id=row["id"], action="login.failed", detail={"attempt": failures}, at=now)
            uow.commit()
            if until:
                raise DomainError("login.locked", until=until.isoformat(timespec="minutes")[11:16])
            raise DomainError("login.failed", left=5 - failures)
        uow.repos.staff.set_login_state(row["id"], failed_attempts=0, locked_until=None,
                                        last_login_at=now.isoformat(timespec="seconds"))
        if needs_rehash(row["password_hash"]):
            uow.change("staff", row["id"], {"password_hash": hash_password(password)})
        uow.audit(staff_id=row["id"], action="login.ok", at=now)
        uow.commit()
        return actor_from_row(row)


def get_actor(ctx: ServiceContext, *, staff_id: str) -> Actor:
    with ctx.uow() as uow:
        row = uow.repos.staff.by_id(staff_id)
    if row is None or not row["active"]:
        raise NotFound("staff.not_found", staff=staff_id)
    return actor_from_row(row)
