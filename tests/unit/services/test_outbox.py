"""The station's outbox: an acknowledged batch leaves it, and only that batch."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

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


def test_pulled_rows_applied_in_bulk_keep_going_past_one_that_breaks_a_rule(station: StationFixture,
                                                                          tmp_path: Path) -> None:
    """Thirty residents from another station arrive in one page (the bulk insert takes them in one go); one
    names a household this station does not hold: it is left out and the other 29 are there."""
    from app.services.context import open_context
    from app.services.demo import DEMO_VILLAGES
    from app.services.residents import find_residents
    from app.services.station import VillageSpec, init_station

    for n in range(30):
        _register(station, n)
    sent = rep.outbox(station.ctx, limit=10_000)
    households = [c for c in sent if c.table == "households"]
    residents = [c for c in sent if c.table == "residents"]
    assert len(residents) == 30
    assert residents[5].row is not None
    broken = replace(residents[5], row={**residents[5].row, "household_id": "no-such-household"})
    other = open_context(tmp_path / "other")
    try:
        init_station(other, town_code="330127101", town_name="青溪镇",
                     villages=[VillageSpec(code, name) for code, name in DEMO_VILLAGES], station_code="QX02",
                     station_name="石门村便民服务站", village_code="V02", admin_username="head2",
                     admin_name="站长", admin_password="demo2026")
        done = rep.apply_pulled(other, changes=[*households, *residents[:5], broken, *residents[6:]], cursor=1)
        assert done.inserted >= 29 and done.conflicts == 0
        found = {r.id for r in find_residents(other, query="钱", limit=100).residents}
        assert found == {c.row_id for c in residents} - {broken.row_id}
    finally:
        other.db.dispose()


def test_rows_read_for_the_wire_straight_from_sqlite_are_the_rows_sqlalchemy_reads(tmp_path: Path) -> None:
    """The outbox reads rows from the driver (dates as their ISO text, booleans from 0/1): for every synced
    table of the demo station, exactly what SQLAlchemy's reading, written out, gives."""
    from app.persistence import tables as t
    from app.persistence.replica import row_plain
    from app.services.context import open_context
    from app.services.demo import build_demo

    ctx = open_context(tmp_path / "demo")
    try:
        build_demo(ctx, residents=300)
        compared = 0
        with ctx.read() as uow:
            repo = uow.repos.replica
            for name in sorted(t.SYNCED_TABLES):
                table = t.metadata.tables[name]
                ids = [str(r[0]) for r in uow.conn.execute(table.select().with_only_columns(table.c.id))]
                plain = repo.plain_rows(name, ids)
                assert plain == {k: row_plain(v) for k, v in repo.rows(name, ids).items()}, name
                compared += len(plain)
        assert compared > 500
    finally:
        ctx.db.dispose()


def test_a_batch_from_the_outbox_goes_on_the_wire(station: StationFixture) -> None:
    from app.sync.protocol import PushBatch, batch_json

    _register(station, 3)
    batch = rep.outbox(station.ctx, limit=1000)
    wire = PushBatch.model_validate_json(batch_json("b-1", batch))
    assert [c.change_id for c in wire.changes] == [c.change_id for c in batch]
    assert all(type(k) is str for c in batch if c.row for k in c.row)
