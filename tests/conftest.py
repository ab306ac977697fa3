"""Shared fixtures: a fresh station on a real SQLite file, with a clock the test moves by hand."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.domain.staff import Actor, Role
from app.services.context import ServiceContext, open_context
from app.services.demo import DEMO_VILLAGES
from app.services.staff import add_staff, authenticate
from app.services.station import VillageSpec, init_station

PASSWORD = "demo2026"


class FakeClock:
    """``ctx.now`` for tests: stands still until the test moves it."""

    def __init__(self, start: datetime = datetime(2026, 11, 23, 10, 0)) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


@dataclass(frozen=True)
class StationFixture:
    ctx: ServiceContext
    clock: FakeClock
    head: Actor
    clerk: Actor
    data_dir: Path


@pytest.fixture
def station(tmp_path: Path) -> Iterator[StationFixture]:
    """青溪镇 with its six demo villages, station QX01 in V01, head ``zhanzhang`` and clerk ``xiaoli``."""
    data_dir = tmp_path / "station"
    clock = FakeClock()
    ctx = open_context(data_dir, now=clock.now)
    try:
        init_station(ctx, town_code="330127101", town_name="青溪镇",
                     villages=[VillageSpec(code, name) for code, name in DEMO_VILLAGES],
                     station_code="QX01", station_name="青溪村便民服务站", village_code="V01",
                     admin_username="zhanzhang", admin_name="王秀英", admin_password=PASSWORD)
        head = authenticate(ctx, username="zhanzhang", password=PASSWORD)
        add_staff(ctx, actor=head, username="xiaoli", display_name="李晓丽", staff_no="002", role=Role.CLERK,
                  password=PASSWORD)
        clerk = authenticate(ctx, username="xiaoli", password=PASSWORD)
        yield StationFixture(ctx=ctx, clock=clock, head=head, clerk=clerk, data_dir=data_dir)
    finally:
        ctx.db.dispose()
