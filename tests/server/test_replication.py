"""Replication through the services, without HTTP: two stations work offline on their own SQLite files, push
to a town database on a real PostgreSQL, pull, and end up holding the same records; a batch sent twice, or
pulled twice, changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from app.domain.errors import DomainError
from app.persistence import tables as t
from app.persistence.database import Database
from app.services import replication as rep
from app.services.cases import accept_case
from app.services.context import ServiceContext, open_context
from app.services.demo import DEMO_VILLAGES
from app.services.residents import find_residents, register_resident
from app.services.staff import authenticate
from app.services.station import VillageSpec, init_station
from tests.helpers import make_id

PASSWORD = "station-2026"


def _station(folder: Path, code: str, village: str, head: str) -> ServiceContext:
    ctx = open_context(folder)
    init_station(ctx, town_code="330127101", town_name="青溪镇", villages=[VillageSpec(c, n) for c, n in DEMO_VILLAGES],
                 station_code=code, station_name=f"{code}便民服务站", village_code=village, admin_username=head,
                 admin_name="站长" + code[-1], admin_password=PASSWORD)
    return ctx


def _work(ctx: ServiceContext, head: str, names: list[tuple[str, date]], village: str) -> None:
    actor = authenticate(ctx, username=head, password=PASSWORD)
    item = ctx.catalog.item("S08")
    for name, born in names:
        person = register_resident(ctx, actor=actor, name=name, id_number=make_id(born, True), village=village)
        accept_case(ctx, actor=actor, applicant_id=person.id, item_code="S08",
                    received_materials=[m.code for m in item.materials])


def _push(station: ServiceContext, server: ServiceContext, code: str) -> rep.Applied:
    batch = rep.outbox(station, limit=10_000)
    done = rep.receive(server, station_code=code, changes=batch)
    rep.mark_pushed(station, done.accepted)
    return done


def _pull(station: ServiceContext, server: ServiceContext, code: str | None = None) -> None:
    """Pull as a station does (only what concerns station ``code``), or everything when no code is given."""
    while True:
        changes, cursor, more = rep.log_page(server, after=rep.cursor(station), limit=200, station=code)
        rep.apply_pulled(station, changes=changes, cursor=cursor)
        if not more:
            return


# A station pulls the town's shared records and only the cases (and what hangs on them) of residents it serves.
CASE_TABLES = frozenset({"cases", "case_events", "case_materials", "attachments", "ratings", "follow_ups",
                         "documents", "payments", "payment_events", "cash_moves", "day_closes", "chain_links",
                         "station_settings"})


def _picture(ctx: ServiceContext, *, shared: bool = False) -> set[tuple[str, str, str]]:
    """Every synced record as (table, id, version): equal pictures mean the same data. ``shared``: only the
    records every station of the town holds (not the cases and a station's own money records)."""
    found = set()
    with ctx.db.engine.connect() as conn:
        for name in t.SYNCED_TABLES:
            if shared and name in CASE_TABLES:
                continue
            for row in conn.execute(text(f"SELECT id, updated_hlc FROM {name}")):
                found.add((name, row[0], row[1]))
    return found


def test_two_stations_offline_push_pull_and_hold_the_same_records(tmp_path: Path, pg_url: str) -> None:
    server = ServiceContext(db=Database.open_url(pg_url))
    a = _station(tmp_path / "a", "QX01", "V01", "zhanzhang")
    b = _station(tmp_path / "b", "QX02", "V02", "shimen")
    try:
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6)), ("李四", date(1975, 1, 2))], "V01")
        _work(b, "shimen", [("王五", date(1990, 3, 4))], "V02")
        first = _push(a, server, "QX01")
        assert first.conflicts == 0 and first.inserted > 0 and rep.pending_count(a) == 0
        second = _push(b, server, "QX02")
        # The town, its villages and the catalogue arrive again as the same records (ids made from their codes):
        # no clash. The town keeps its own copy (the first station's) and stamps it anew, so the second station
        # takes the town's copy on its next pull and every node holds the same version.
        assert second.conflicts == 0 and second.updated == 0 and second.kept > 0 and not second.refused
        assert second.head > first.head
        _pull(a, server)
        _pull(b, server)
        assert _picture(a) == _picture(b) == _picture(server)
        # The market-style counter: station B finds station A's resident.
        assert [r.name for r in find_residents(b, query="zs").residents] == ["张三"]

        # Sent twice (the acknowledgement was lost): nothing new, nothing doubled.
        head = rep.server_head(server)
        again = rep.receive(server, station_code="QX01", changes=rep.outbox(a, limit=10_000) or _replay(a))
        assert rep.server_head(server) == head and again.inserted == again.updated == 0
        # Pulled twice (a crash before the cursor moved): the same picture.
        rep.apply_pulled(b, changes=rep.log_page(server, after=0, limit=10_000)[0], cursor=head)
        assert _picture(b) == _picture(server)
    finally:
        for ctx in (a, b, server):
            ctx.db.dispose()


def _replay(ctx: ServiceContext) -> tuple[rep.Change, ...]:
    """Every change the station ever sent, as if the acknowledgement never came (the outbox is empty now)."""
    with ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE change_log SET pushed_at = NULL"))
    return rep.outbox(ctx, limit=10_000)


def _cases(ctx: ServiceContext) -> list[tuple[str, str]]:
    """The cases a station holds: (station, applicant's name), sorted."""
    with ctx.db.engine.connect() as conn:
        return sorted((r[0], r[1]) for r in conn.execute(text(
            "SELECT c.station_code, r.name FROM cases c JOIN residents r ON r.id = c.applicant_id")))


def test_a_station_pulls_the_towns_shared_records_and_the_cases_of_residents_it_serves(
        tmp_path: Path, pg_url: str) -> None:
    server = ServiceContext(db=Database.open_url(pg_url))
    a = _station(tmp_path / "a", "QX01", "V01", "zhanzhang")  # 青溪村
    b = _station(tmp_path / "b", "QX02", "V02", "shimen")  # another village
    c = _station(tmp_path / "c", "QX03", "V01", "dongtou")  # a second station of 青溪村
    nodes = {"QX01": a, "QX02": b, "QX03": c}

    def sync_all() -> None:
        for code, node in nodes.items():
            _push(node, server, code)
        for code, node in nodes.items():
            _pull(node, server, code)

    try:
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
        _work(b, "shimen", [("王五", date(1990, 3, 4))], "V02")
        sync_all()
        # Everyone can find everyone (market-style counter); cases go where the resident lives or was served.
        assert _picture(a, shared=True) == _picture(b, shared=True) == _picture(c, shared=True)
        assert [r.name for r in find_residents(b, query="zs").residents] == ["张三"]
        assert _cases(a) == [("QX01", "张三")]
        assert _cases(b) == [("QX02", "王五")]
        assert _cases(c) == [("QX01", "张三")]  # 张三 lives in 青溪村: its other station sees his case
        assert _picture(a) | _picture(b) | _picture(c) == _picture(server)
        # Every station holds the town's staff list, but an account signs in at its own station only.
        with pytest.raises(DomainError) as refused:
            authenticate(b, username="zhanzhang", password=PASSWORD)
        assert refused.value.code == "login.other_station" and refused.value.params["station"] == "QX01"

        # 张三 comes to station B (another village): from then on B sees his cases wherever they are made.
        actor = authenticate(b, username="shimen", password=PASSWORD)
        person = find_residents(b, query="zs").residents[0]
        accept_case(b, actor=actor, applicant_id=person.id, item_code="S08",
                    received_materials=[m.code for m in b.catalog.item("S08").materials])
        sync_all()
        head_actor = authenticate(a, username="zhanzhang", password=PASSWORD)
        accept_case(a, actor=head_actor, applicant_id=person.id, item_code="S08",
                    received_materials=[m.code for m in a.catalog.item("S08").materials])
        sync_all()
        # B: its own two, and both of A's: the one made before B first served him came with that first case.
        assert _cases(b) == [("QX01", "张三"), ("QX01", "张三"), ("QX02", "张三"), ("QX02", "王五")]
        assert _picture(b) >= {x for x in _picture(a) if x[0] in ("cases", "case_events", "case_materials")}
        assert _cases(a) == [("QX01", "张三"), ("QX01", "张三"), ("QX02", "张三")]
        assert _cases(c) == _cases(a)
        assert rep.pending_count(b) == 0
        with b.db.engine.connect() as conn:  # what it could not hold is left out, never queued as a clash
            assert conn.execute(text("SELECT count(*) FROM sync_conflicts")).scalar_one() == 0

        # Nothing new for B: its cursor moves to the end of the log, so the next pull starts there.
        _work(a, "zhanzhang", [("李四", date(1975, 1, 2))], "V01")  # a villager of A's: not B's business
        _push(a, server, "QX01")
        page, cursor, more = rep.log_page(server, after=rep.cursor(b), limit=200, station="QX02")
        assert {ch.table for ch in page} <= {"residents", "households"} and not more
        assert cursor == rep.server_head(server)
    finally:
        for ctx in (a, b, c, server):
            ctx.db.dispose()


def test_members_of_one_household_registered_at_two_stations_offline_share_one_household(
        tmp_path: Path, pg_url: str) -> None:
    server = ServiceContext(db=Database.open_url(pg_url))
    a = _station(tmp_path / "a", "QX01", "V01", "zhanzhang")
    b = _station(tmp_path / "b", "QX02", "V02", "shimen")
    try:
        for ctx, head, name, born, relation in ((a, "zhanzhang", "王大山", date(1960, 1, 2), "户主"),
                                                (b, "shimen", "王小溪", date(1990, 3, 4), "子")):
            register_resident(ctx, actor=authenticate(ctx, username=head, password=PASSWORD), name=name,
                              id_number=make_id(born, True), village="V01", household_no="V01-000123",
                              relation=relation)
        for code, ctx in (("QX01", a), ("QX02", b)):
            assert _push(ctx, server, code).conflicts == 0
        for code, ctx in (("QX01", a), ("QX02", b)):
            _pull(ctx, server, code)
        for ctx in (a, b, server):
            with ctx.db.engine.connect() as conn:
                households = conn.execute(text("SELECT id, household_no FROM households")).all()
                members = conn.execute(text("SELECT DISTINCT household_id FROM residents WHERE name LIKE '王%'")).all()
                clashes = conn.execute(text("SELECT count(*) FROM sync_conflicts")).scalar_one()
            assert [h[1] for h in households] == ["V01-000123"] and members == [(households[0][0],)]
            assert clashes == 0
    finally:
        for ctx in (a, b, server):
            ctx.db.dispose()


def test_a_change_the_town_cannot_keep_is_acknowledged_kept_for_review_and_not_handed_on(
        tmp_path: Path, pg_url: str) -> None:
    server = ServiceContext(db=Database.open_url(pg_url))
    a = _station(tmp_path / "a", "QX01", "V01", "zhanzhang")
    try:
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
        _push(a, server, "QX01")
        head = rep.server_head(server)
        row = next(dict(c.row or {}) for c in rep.log_page(server, after=0, limit=500)[0] if c.table == "residents")
        bad = [rep.Change(change_id=make_uuid(1), table="no_such_table", row_id="x", op="delete", hlc="1.0.x",
                          row=None),
               rep.Change(change_id=make_uuid(2), table="residents", row_id="r-too-long", op="upsert", hlc="1.0.x",
                          row={**row, "id": "r-too-long", "id_number": "X1", "name": "长" * 200})]
        done = rep.receive(server, station_code="QX01", changes=bad)
        assert set(done.accepted) == {c.change_id for c in bad} and done.conflicts == 1
        assert rep.server_head(server) == head  # nothing for the stations to pull
        assert {c.table for c in rep.conflicts(server)} == {"no_such_table"}
        # A value no station writes (a name of 200 characters) is refused in words, never cut or applied.
        assert [(r.table, r.code, dict(r.params)["field"]) for r in done.refused] == [
            ("residents", "trust.bad_value", "name")]
    finally:
        for ctx in (a, server):
            ctx.db.dispose()


def make_uuid(n: int) -> str:
    return f"00000000-0000-7000-8000-{n:012d}"


def test_a_station_may_send_only_its_own_records(tmp_path: Path, pg_url: str) -> None:
    server = ServiceContext(db=Database.open_url(pg_url))
    a = _station(tmp_path / "a", "QX01", "V01", "zhanzhang")
    try:
        sent = rep.outbox(a, limit=50)
        done = rep.receive(server, station_code="QX09", changes=sent)
        # Every row is refused (none is QX09's own), acknowledged and kept as a security event; nothing applied.
        assert {r.change_id for r in done.refused} == {c.change_id for c in sent} == set(done.accepted)
        assert rep.server_head(server) == 0 and done.inserted == done.updated == 0
    finally:
        a.db.dispose()
        server.db.dispose()


def test_a_resident_changed_at_two_stations_keeps_both_changes_and_a_clash_is_kept_for_review(
        tmp_path: Path, pg_url: str) -> None:
    from app.services.residents import update_resident

    server = ServiceContext(db=Database.open_url(pg_url))
    a = _station(tmp_path / "a", "QX01", "V01", "zhanzhang")
    b = _station(tmp_path / "b", "QX02", "V02", "shimen")
    try:
        head_a = authenticate(a, username="zhanzhang", password=PASSWORD)
        head_b = authenticate(b, username="shimen", password=PASSWORD)
        person = register_resident(a, actor=head_a, name="张三", id_number=make_id(date(1980, 5, 6), True),
                                   village="V01", phone="13800000001").id
        _push(a, server, "QX01")
        _push(b, server, "QX02")
        _pull(a, server)
        _pull(b, server)
        # Offline, the same day: A changes the phone, B the address (and B also a phone, later).
        update_resident(a, actor=head_a, resident_id=person, phone="13900000002")
        update_resident(b, actor=head_b, resident_id=person, address="石门村3组12号")
        for _ in range(2):
            _push(a, server, "QX01")
            _push(b, server, "QX02")
            _pull(a, server)
            _pull(b, server)
        assert _picture(a) == _picture(b) == _picture(server)
        for ctx in (a, b, server):
            with ctx.db.engine.connect() as conn:
                phone, address = conn.execute(text("SELECT phone, address FROM residents WHERE id = :id"),
                                              {"id": person}).one()
            assert (phone, address) == ("13900000002", "石门村3组12号")  # both changes kept
        update_resident(a, actor=head_a, resident_id=person, phone="13900000003")
        update_resident(b, actor=head_b, resident_id=person, phone="13900000004")  # later: it wins
        for _ in range(2):
            _push(a, server, "QX01")
            _push(b, server, "QX02")
            _pull(a, server)
            _pull(b, server)
        assert _picture(a) == _picture(b) == _picture(server)
        with server.db.engine.connect() as conn:
            assert conn.execute(text("SELECT phone FROM residents WHERE id = :id"), {"id": person}).scalar() == \
                "13900000004"
        clash = [c for c in rep.conflicts(server) if c.table == "residents"]
        assert clash and "13900000003" in clash[0].reason  # the losing value is kept for the town to look at
    finally:
        for ctx in (a, b, server):
            ctx.db.dispose()


def test_batches_arriving_out_of_order_hold_back_what_lacks_its_parent_until_it_comes(
        tmp_path: Path, pg_url: str) -> None:
    server = ServiceContext(db=Database.open_url(pg_url))
    a = _station(tmp_path / "a", "QX01", "V01", "zhanzhang")
    try:
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6)), ("李四", date(1975, 1, 2))], "V01")
        everything = rep.outbox(a, limit=10_000)
        children = ("case_events", "case_materials")
        first = tuple(c for c in everything if c.table not in children)
        second = everything[-3:] + tuple(c for c in everything if c.table in children and c not in everything[-3:])
        late = rep.receive(server, station_code="QX01", changes=second)  # the later batch arrives first
        assert len(late.accepted) < len(second)  # the cases' events and materials wait for their cases
        rep.mark_pushed(a, late.accepted)
        early = rep.receive(server, station_code="QX01", changes=first)
        rep.mark_pushed(a, early.accepted)
        assert rep.pending_count(a) > 0
        _push(a, server, "QX01")  # what waited goes again, and now fits
        assert rep.pending_count(a) == 0 and not rep.conflicts(server)
        with server.db.engine.connect() as conn:
            seqs = [r[0] for r in conn.execute(text("SELECT seq FROM server_log ORDER BY seq"))]
        assert seqs == list(range(1, len(seqs) + 1))  # the global order has no gaps
        _pull(a, server)
        assert _picture(a) == _picture(server)
    finally:
        a.db.dispose()
        server.db.dispose()


def test_a_station_whose_clock_is_a_year_ahead_still_converges(tmp_path: Path, pg_url: str) -> None:
    """A PC's clock set a year wrong: its stamps are a year ahead, so its edits win until the others' clocks
    catch up (every node observes the stamps it receives, so the others' later edits are stamped after it).
    Nothing is lost or doubled, and every node ends with the same data."""
    import time

    from app.domain.ids import HybridClock
    from app.services.residents import update_resident

    server = ServiceContext(db=Database.open_url(pg_url))
    a = _station(tmp_path / "a", "QX01", "V01", "zhanzhang")
    b = _station(tmp_path / "b", "QX02", "V02", "shimen")
    b.db.clock = HybridClock(b.db.node_id, last=b.db.clock.last, wall=lambda: time.time() + 365 * 86400)
    try:
        head_a = authenticate(a, username="zhanzhang", password=PASSWORD)
        head_b = authenticate(b, username="shimen", password=PASSWORD)
        person = register_resident(a, actor=head_a, name="张三", id_number=make_id(date(1980, 5, 6), True),
                                   village="V01", phone="13800000001").id
        for ctx, code in ((a, "QX01"), (b, "QX02"), (a, "QX01")):
            _push(ctx, server, code)
            _pull(ctx, server)
        _pull(b, server)
        update_resident(b, actor=head_b, resident_id=person, phone="13900000002")  # stamped a year ahead
        _push(b, server, "QX02")
        _pull(a, server)
        update_resident(a, actor=head_a, resident_id=person, phone="13900000003")  # after seeing it: later still
        for ctx, code in ((a, "QX01"), (b, "QX02")):
            _push(ctx, server, code)
        _pull(a, server)
        _pull(b, server)
        assert _picture(a) == _picture(b) == _picture(server)
        with server.db.engine.connect() as conn:
            assert conn.execute(text("SELECT phone FROM residents WHERE id = :id"), {"id": person}).scalar() == \
                "13900000003"  # A observed B's stamp, so A's later edit is stamped after it and wins
    finally:
        for ctx in (a, b, server):
            ctx.db.dispose()


def _residents_and_cases(ctx: ServiceContext) -> tuple[set[tuple[str, str | None, bool]], set[tuple[str, str]]]:
    with ctx.db.engine.connect() as conn:
        people = {(r[0], r[1], bool(r[2])) for r in conn.execute(text(
            "SELECT id, merged_into, deleted FROM residents"))}
        cases = {(r[0], r[1]) for r in conn.execute(text("SELECT case_no, applicant_id FROM cases"))}
    return people, cases


@pytest.mark.parametrize("later_first", [True, False], ids=["later-registration-arrives-first", "in-order"])
def test_one_person_registered_at_two_stations_offline_becomes_one_resident_with_all_cases(
        tmp_path: Path, pg_url: str, later_first: bool) -> None:
    server = ServiceContext(db=Database.open_url(pg_url))
    a = _station(tmp_path / "a", "QX01", "V01", "zhanzhang")
    b = _station(tmp_path / "b", "QX02", "V02", "shimen")
    try:
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")  # registered at A first …
        _work(b, "shimen", [("张三", date(1980, 5, 6))], "V02")  # … and again at B, offline, same ID number
        for ctx, code in ((b, "QX02"), (a, "QX01")) if later_first else ((a, "QX01"), (b, "QX02")):
            _push(ctx, server, code)  # whichever reaches the town first, the earlier registration survives
        _pull(a, server)
        _pull(b, server)
        _push(b, server, "QX02")
        _pull(a, server)
        assert _picture(a) == _picture(b) == _picture(server)
        people, cases = _residents_and_cases(server)
        assert _residents_and_cases(a) == _residents_and_cases(b) == (people, cases)
        alive = [p for p in people if not p[2] and p[1] is None]
        merged = [p for p in people if p[1] is not None]
        assert len(merged) == 1 and merged[0][2]  # the later registration: deleted, pointing at the survivor
        survivor = merged[0][1]
        assert any(p[0] == survivor for p in alive)
        assert len(cases) == 2 and {c[1] for c in cases} == {survivor}  # both stations' cases
        assert [r.name for r in find_residents(b, query="zs").residents] == ["张三"]  # found once, at either
        with server.db.engine.connect() as conn:  # the merge is on record for the town administrator
            assert conn.execute(text("SELECT count(*) FROM sync_conflicts WHERE state = 'merged'")).scalar() >= 1
    finally:
        for ctx in (a, b, server):
            ctx.db.dispose()


def test_points_spent_offline_at_two_stations_past_the_spendable_part_are_flagged_at_the_town(
        tmp_path: Path, pg_url: str) -> None:
    from app.services import points as pts

    server = ServiceContext(db=Database.open_url(pg_url))
    a = _station(tmp_path / "a", "QX01", "V01", "zhanzhang")
    b = _station(tmp_path / "b", "QX02", "V02", "shimen")
    try:
        head_a = authenticate(a, username="zhanzhang", password=PASSWORD)
        head_b = authenticate(b, username="shimen", password=PASSWORD)
        person = register_resident(a, actor=head_a, name="张三", id_number=make_id(date(1980, 5, 6), True),
                                   village="V01", household_no="V01-000123", relation="户主").id
        pts.correct(a, actor=head_a, account_id=pts.declare(a, actor=head_a, resident_id=person,
                                                            indicator="T14").account_id,
                    points=100, reason="补记去年的积分")  # 200 now: 100 of it spendable
        for ctx, head in ((a, head_a), (b, head_b)):
            pts.save_goods(ctx, actor=head, code="MY", name="大米", price=40, unit="袋")
            pts.move_stock(ctx, actor=head, code="MY", quantity=10)
        for ctx, code in ((a, "QX01"), (b, "QX02")):
            _push(ctx, server, code)
        _pull(b, server)
        assert pts.account_of(b, resident_id=person).spendable == 100
        # Offline, the same afternoon: 80 at home, 40 at B (within B's away allowance of 50): 120 > 100.
        pts.redeem(a, actor=head_a, resident_id=person, lines=[("MY", 2)])
        pts.redeem(b, actor=head_b, resident_id=person, lines=[("MY", 1)])
        for ctx, code in ((a, "QX01"), (b, "QX02")):
            _push(ctx, server, code)
        _pull(a, server)
        _pull(b, server)
        for ctx in (server, a, b):  # found at the town, and at each station once the other's entries arrive
            found = pts.list_conflicts(ctx)
            assert [(c.overspent, c.state) for c in found] == [(20, "open")]
        _push(a, server, "QX01")
        _push(b, server, "QX02")
        assert len(pts.list_conflicts(server)) == 1  # the same finding made at every node is one record
    finally:
        for ctx in (a, b, server):
            ctx.db.dispose()


def test_a_station_set_up_with_its_own_name_for_a_village_gets_the_towns_and_the_town_is_told(
        tmp_path: Path, pg_url: str) -> None:
    server = ServiceContext(db=Database.open_url(pg_url))
    a = _station(tmp_path / "a", "QX01", "V01", "zhanzhang")
    b = open_context(tmp_path / "b")
    villages = [VillageSpec(c, "石门新村" if c == "V02" else n) for c, n in DEMO_VILLAGES]
    init_station(b, town_code="330127101", town_name="青溪镇", villages=villages, station_code="QX02",
                 station_name="QX02便民服务站", village_code="V02", admin_username="shimen", admin_name="站长",
                 admin_password=PASSWORD)
    try:
        _push(a, server, "QX01")
        done = _push(b, server, "QX02")
        assert [(r.table, r.code) for r in done.refused] == [("villages", "trust.town_record")]
        _pull(b, server, "QX02")
        with b.db.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM villages WHERE code = 'V02'")).scalar_one() == "石门村"
        with server.db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM security_events WHERE station_code = 'QX02'")
                                ).scalar_one() == 1
    finally:
        for ctx in (a, b, server):
            ctx.db.dispose()
