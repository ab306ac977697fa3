"""The station's outbox: an acknowledged batch leaves it, and only that batch."""

from __future__ import annotations

from datetime import date

from app.services import replication as rep
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id


def _register(station: StationFixture, n: int) -> None:
    register_resident(station.ctx, actor=station.head, name="钱" + "一二三四五六七八九十"[n % 10],
                      id_number=make_id(date(1970, 1, 1 + n), n % 2 == 0, seq=n), village="V01")


def test_an_acknowledged_batch_leaves_the_outbox_and_what_was_written_meanwhile_stays(station: StationFixture) -> None:
    ctx = station.ctx
    for n in range(3):
        _register(station, n)
    waiting = rep.pending_count(ctx)
    batch = rep.outbox(ctx, limit=waiting)
    assert len(batch) == waiting
    _register(station, 7)  # written while the batch was on its way to the town
    later = rep.pending_count(ctx) - waiting
    assert later > 0
    rep.mark_pushed(ctx, [c.change_id for c in batch], sent=batch)  # the whole batch: marked by its range
    assert rep.pending_count(ctx) == later
    assert {c.change_id for c in rep.outbox(ctx, limit=1000)}.isdisjoint(c.change_id for c in batch)


def test_a_batch_acknowledged_in_part_leaves_only_the_acknowledged_changes(station: StationFixture) -> None:
    ctx = station.ctx
    _register(station, 1)
    batch = rep.outbox(ctx, limit=1000)
    held_back = batch[len(batch) // 2]  # e.g. a child whose parent the town has not got yet
    rep.mark_pushed(ctx, [c.change_id for c in batch if c is not held_back], sent=batch)
    assert [c.change_id for c in rep.outbox(ctx, limit=1000)] == [held_back.change_id]
