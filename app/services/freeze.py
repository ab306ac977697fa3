"""The freeze rule: a station that has not synced with the town for a while is warned, and after longer it
takes no new cases until it syncs (over the network or by a USB bundle). Days are station settings
(``sync_warn_days``, default 3; ``sync_block_days``, default 7). A station never enrolled with a town server
(a demo, a station still being set up) is not held."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from app.domain.errors import Conflict
from app.persistence.uow import UnitOfWork
from app.services.context import ServiceContext

WARN_DAYS: Final = 3
BLOCK_DAYS: Final = 7


@dataclass(frozen=True, slots=True)
class Freeze:
    days: int  # since the last sync that went through (or since enrolment)
    warn: bool
    block: bool
    warn_days: int
    block_days: int


def freeze_in(ctx: ServiceContext, uow: UnitOfWork) -> Freeze | None:
    """None when the station is not enrolled with a town server (its database's flag: the credential itself is
    kept apart from the database, app/persistence/keystore.py)."""
    enrolled_at = uow.meta_get("sync.enrolled_at")
    if not enrolled_at:
        return None
    last = uow.meta_get("sync.last_ok") or enrolled_at
    settings = uow.repos.settings.for_station(ctx.station_code(uow))
    warn = int(settings["sync_warn_days"]["value"]) if "sync_warn_days" in settings else WARN_DAYS
    block = int(settings["sync_block_days"]["value"]) if "sync_block_days" in settings else BLOCK_DAYS
    if not last:
        return Freeze(days=0, warn=False, block=False, warn_days=warn, block_days=block)
    days = (ctx.now() - datetime.fromisoformat(last)).days
    return Freeze(days=days, warn=days >= warn, block=days >= block, warn_days=warn, block_days=block)


def freeze(ctx: ServiceContext) -> Freeze | None:
    with ctx.read() as uow:
        return freeze_in(ctx, uow)


def check_not_frozen(ctx: ServiceContext, uow: UnitOfWork) -> None:
    """Before a new case: refused, saying how to get going again, when the station is held."""
    state = freeze_in(ctx, uow)
    if state is not None and state.block:
        raise Conflict("sync.frozen", days=state.days, block=state.block_days)
