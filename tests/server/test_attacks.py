"""The attacking station: one enrolled station (QX02, 石门村) tries, with nothing but its own credential, to change
what belongs to another station (QX01, 青溪村) or to the town, on a real town database on PostgreSQL. For every
synced table it pushes a change to a row it does not own — as the row is, without its ``station_code``, and
claiming it as its own — with a stale and a future clock reading; and it pushes new rows that hang on the other
station's records. Each must be refused, recorded as a security event, and change nothing at the town or, after
its next sync, at the owner."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.domain import trust
from app.domain.cases import Outcome
from app.paths import resource
from app.persistence import tables as t
from app.persistence.database import Database
from app.services import cash, closing, maintenance
from app.services import points as pts
from app.services import replication as rep
from app.services.attachments import add_attachment
from app.services.cases import accept_case, complete_case
from app.services.context import ServiceContext, open_context
from app.services.demo import DEMO_PASSWORD, DEMO_VILLAGES, build_demo
from app.services.documents import issue_document
from app.services.payments import payment_event, record_payment
from app.services.print_settings import set_print_setting
from app.services.ratings import rate_case
from app.services.residents import find_residents
from app.services.security import hash_password
from app.services.staff import authenticate
from app.services.station import VillageSpec, init_station, install_calendar_file
from tests.server.conftest import PG_ADMIN_URL, _admin_engine

OWNERSHIP = {"trust.not_yours", "trust.town_record", "trust.home_only", "trust.written_once", "trust.fixed_field",
             "trust.not_its_origin", "trust.names_other", "trust.parent_refused", "trust.final_state",
             "trust.not_that_record"}


class Town:
    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.server = ServiceContext(db=Database.open_url(url))
        clock = iter(datetime(2026, 11, 23, 9, 0) + timedelta(minutes=n) for n in range(100_000))
        self.victim = open_context(folder / "qx01", now=lambda: next(clock))
        self.attacker = open_context(folder / "qx02")

    def close(self) -> None:
        for ctx in (self.victim, self.attacker, self.server):
            ctx.db.dispose()


def _victim_day(ctx: ServiceContext, folder: Path) -> None:
    """QX01 at work: the demo station (residents, cases, points with notices, goods and stock), then a day of
    money, a scan, a bad rating, a setting, the calendar and the village's own points rules."""
    build_demo(ctx, residents=80)
    head = authenticate(ctx, username="zhanzhang", password=DEMO_PASSWORD)
    clerk = authenticate(ctx, username="xiaoli", password=DEMO_PASSWORD)
    with ctx.db.engine.connect() as conn:
        number = conn.execute(text("SELECT id_number FROM residents WHERE village_code = 'V01' LIMIT 1")).scalar_one()
    person = find_residents(ctx, query=number, limit=1).residents[0]
    item = ctx.catalog.item("N01")
    cash.open_drawer(ctx, actor=clerk, float_fen=20000)
    bills = [accept_case(ctx, actor=clerk, applicant_id=person.id, item_code="N01",
                         received_materials=[m.code for m in item.materials],
                         form={"account_no": "1234567890", "amount": amount}).case for amount in ("88.5", "20")]
    record_payment(ctx, actor=clerk, case_id=bills[0].id, method="现金", tendered_fen=10000)
    issue_document(ctx, actor=clerk, kind="payment", subject=bills[0].case_no,
                   render=lambda job: f"{job.stamp.number}".encode())
    issue_document(ctx, actor=clerk, kind="receipt", subject=bills[1].case_no,
                   render=lambda job: f"{job.stamp.number}".encode())
    paid = record_payment(ctx, actor=clerk, case_id=bills[1].id, method="微信", reference="4200001234202611230001")
    payment_event(ctx, actor=clerk, payment_id=paid.id, event="voided", reason="扫错了码", approver=head)
    cash.move_cash(ctx, actor=clerk, amount_fen=-5000, reason="上缴镇财政所")
    drawer = cash.current_drawer(ctx)
    assert drawer is not None
    left, count = drawer.expected_fen, {}
    for note in (10000, 5000, 2000, 1000, 500, 100, 50, 10):
        count[note], left = divmod(left, note)
    cash.close_drawer(ctx, actor=clerk, count={k: v for k, v in count.items() if v})
    closing.close_day(ctx, actor=clerk)
    scan = folder / "scan.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"scan" * 100)
    s08 = ctx.catalog.item("S08")
    case = accept_case(ctx, actor=clerk, applicant_id=person.id, item_code="S08",
                       received_materials=[m.code for m in s08.materials]).case
    add_attachment(ctx, actor=clerk, case_id=case.id, path=scan)
    complete_case(ctx, actor=clerk, case_id=case.id, outcome=Outcome.GRANTED, note="当场办结")
    rate_case(ctx, actor=clerk, case_id=case.id, level=1, comment="等太久")
    set_print_setting(ctx, actor=head, key="footer", value="周一至周五 8:30-17:00")
    install_calendar_file(ctx, actor=head, path=resource("calendar", "cn-holidays.json"))
    own = folder / "v01-points.json"
    own.write_text(json.dumps({"format": "stationdesk.points/1", "rules_id": "v01-points", "scope": "village",
                               "version": "1", "title": "青溪村", "village_code": "V01",
                               "indicators": [{"code": "L01", "category": "环境美化", "name": "门前三包落实",
                                               "points": 2, "cap": 4}]}, ensure_ascii=False), encoding="utf-8")
    pts.publish_rules(ctx, actor=head, path=own)
    pts.redeem(ctx, actor=clerk, resident_id=_points_holder(ctx), lines=[("G01", 1)])


def _points_holder(ctx: ServiceContext) -> str:
    with ctx.db.engine.connect() as conn:
        account = conn.execute(text(
            "SELECT a.holder_id, a.kind FROM points_accounts a JOIN points_entries e ON e.account_id = a.id "
            "GROUP BY a.id, a.holder_id, a.kind HAVING sum(e.points) > 150 LIMIT 1")).first()
        assert account is not None
        if account[1] == "person":
            return str(account[0])
        return str(conn.execute(text("SELECT id FROM residents WHERE household_id = :h LIMIT 1"),
                                {"h": account[0]}).scalar_one())


def _push(ctx: ServiceContext, server: ServiceContext, code: str) -> rep.Applied:
    batch = rep.outbox(ctx, limit=100_000)
    done = rep.receive(server, station_code=code, changes=batch)
    rep.mark_pushed(ctx, done.accepted, sent=batch)
    return done


def _pull(ctx: ServiceContext, server: ServiceContext, code: str) -> None:
    while True:
        rep.note_pulled(server, station=code, upto=rep.cursor(ctx))  # as the server notes a pull
        changes, cursor, more = rep.log_page(server, after=rep.cursor(ctx), limit=2000, station=code)
        rep.apply_pulled(ctx, changes=changes, cursor=cursor)
        if not more:
            rep.note_pulled(server, station=code, upto=cursor)
            return


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Town]:
    """QX01 has worked a day and synced; QX02 (the attacker) is set up, enrolled and synced: both hold the town."""
    try:
        admin = _admin_engine()
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as e:  # no server: say why, as the other server tests do
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({type(e).__name__}: {e})")
    name = f"sd_attack_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    folder = tmp_path_factory.mktemp("attack")
    world = Town(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", folder)
    try:
        _victim_day(world.victim, folder)
        init_station(world.attacker, town_code="330127101", town_name="青溪镇",
                     villages=[VillageSpec(c, n) for c, n in DEMO_VILLAGES], station_code="QX02",
                     station_name="石门村便民服务站", village_code="V02", admin_username="shimen",
                     admin_name="站长石门", admin_password=DEMO_PASSWORD)
        from app.server.__main__ import CONSOLE

        for code, village in (("QX01", "V01"), ("QX02", "V02")):  # both enrolled at the town, as in life
            rep.redeem_enrolment(world.server, station_code=code, enrol_code=rep.enrol_station(
                world.server, actor=CONSOLE, station_code=code, name=code, village=village))
        first = _push(world.victim, world.server, "QX01")
        assert not first.refused, first.refused[:3]
        second = _push(world.attacker, world.server, "QX02")
        assert not second.refused, second.refused[:3]
        for ctx, code in ((world.victim, "QX01"), (world.attacker, "QX02"), (world.victim, "QX01")):
            _pull(ctx, world.server, code)
        yield world
    finally:
        world.close()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# ------------------------------------------------------------------------------------------ the town's copies


def _rows(ctx: ServiceContext, table: str, where: str = "true", **params: Any) -> list[dict[str, Any]]:
    with ctx.db.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table} WHERE {where} ORDER BY id"),
                                                        params)]


def _picture(ctx: ServiceContext) -> dict[str, list[dict[str, Any]]]:
    """Every synced record with every field: equal pictures mean nothing changed."""
    return {name: _rows(ctx, name) for name in t.SYNCED_TABLES}


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}


# A row each table's attack starts from: QX01's own, or the town's; and a change to it that would be valid for
# its owner, so a refusal is about who sends it, not about the value.
def _set(field: str, value: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda row: {**row, field: value}


def _payment_to_one_fen(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "total_fen": 1, "lines_json": json.dumps([["水费", 1]], ensure_ascii=False), "change_fen": 0}


def _newer_catalog(row: dict[str, Any]) -> dict[str, Any]:
    body = json.loads(row["body"])
    body["version"] = "2099.1"
    return {**row, "version": "2099.1", "body": json.dumps(body, ensure_ascii=False)}


TARGETS: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "towns": ("true", _set("name", "假镇")),
    "villages": ("code = 'V01'", _set("name", "改名村")),
    "stations": ("code = 'QX01'", _set("village_code", "V02")),
    "staff": ("username = 'xiaoli'", lambda r: {**r, "role": "head", "password_hash": hash_password("attack-2026")}),
    "households": ("village_code = 'V01'", _set("deleted", True)),
    "residents": ("village_code = 'V01'", _set("village_code", "V02")),
    "catalog_files": ("scope = 'standard'", _newer_catalog),
    "calendar_files": ("true", _set("version", "2099")),
    "cases": ("station_code = 'QX01'", _set("item_name", "改过的事项")),
    "case_events": ("true", _set("note", "改过的记录")),
    "case_materials": ("true", lambda r: {**r, "received": not r["received"]}),
    "attachments": ("true", _set("file_name", "改过.png")),
    "ratings": ("true", _set("level", 5)),
    "follow_ups": ("true", _set("note", "已处理（伪造）")),
    "documents": ("state = 'issued'", lambda r: {**r, "reprints": int(r["reprints"]) + 1}),
    "payments": ("total_fen > 100", _payment_to_one_fen),
    "station_settings": ("station_code = 'QX01'", _set("value", "伪造的页脚")),
    "payment_events": ("true", _set("reason", "伪造")),
    "cash_sessions": ("true", _set("note", "伪造")),
    "cash_moves": ("true", _set("reason", "伪造")),
    "day_closes": ("true", _set("report_json", "{}")),
    "chain_links": ("true", _set("digest", "0" * 64)),
    "points_rules_files": ("scope = 'village'", lambda r: {**r, "body": r["body"].replace("门前三包落实", "伪造")}),
    "points_accounts": ("true", _set("holder_name", "伪造")),
    "points_entries": ("true", _set("points", 9999)),
    "points_notices": ("true", _set("state", "open")),
    "points_declarations": ("true", _set("note", "伪造")),
    "points_goods": ("station_code = 'QX01'", _set("price", 1)),
    "points_redemptions": ("true", _set("reverse_reason", "伪造")),
    "points_stock_moves": ("true", _set("quantity", 999)),
}
# Made only when two stations' redemptions together overspend: no such record in this town (its insert is tried).
NOT_HELD = {"points_conflicts"}


def test_every_synced_table_has_an_attack() -> None:
    assert set(TARGETS) | NOT_HELD == set(t.SYNCED_TABLES) == set(trust.RULES)


def _node(ctx: ServiceContext) -> str:
    return ctx.db.node_id


def _stamp(row: dict[str, Any], stamp: str, changed: dict[str, Any], table: str) -> dict[str, Any]:
    out = {**row, **changed, "updated_hlc": stamp}
    if table in ("residents", "households", "staff"):
        fields = json.loads(row.get("field_hlc") or "{}")
        fields.update({k: stamp for k, v in changed.items() if row.get(k) != v})
        out["field_hlc"] = json.dumps(fields, sort_keys=True)
    return out


VARIANTS = [(clock, shape) for clock in ("stale", "future") for shape in ("as_is", "no_station_code", "claimed")]


@pytest.mark.postgres
@pytest.mark.parametrize("table", sorted(TARGETS))
def test_a_station_cannot_change_another_stations_or_the_towns_records(town: Town, table: str) -> None:
    where, change = TARGETS[table]
    target = _rows(town.server, table, where + (" AND station_code = 'QX01'" if table == "documents" else ""))
    assert target, f"no {table} row at the town to attack"
    row = _plain(target[0])
    before, victim_before = _picture(town.server), _picture(town.victim)
    head = rep.server_head(town.server)
    attempts = []
    for clock, shape in VARIANTS:
        stamp = ("0000000000001" if clock == "stale" else "9999999999999") + f".00000.{_node(town.attacker)}"
        changed = change(row)
        sent = _stamp(row, stamp, {k: v for k, v in changed.items() if row.get(k) != v}, table)
        if shape == "no_station_code":
            sent.pop("station_code", None)
        elif shape == "claimed" and "station_code" in sent:
            sent["station_code"] = "QX02"
        attempts.append(rep.Change(change_id=str(uuid.uuid4()), table=table, row_id=str(row["id"]), op="upsert",
                                   hlc=stamp, row=sent))
    events = len(_rows(town.server, "security_events"))
    done = rep.receive(town.server, station_code="QX02", changes=attempts)
    refused = {r.change_id: r for r in done.refused}
    assert set(refused) == {a.change_id for a in attempts}, [a.row for a in attempts if a.change_id not in refused]
    assert set(done.accepted) >= set(refused)  # answered, never sent again
    assert all(r.code in OWNERSHIP | {"trust.bad_value"} for r in refused.values()), refused
    # Without its station_code a new copy would miss a field; as it is and claimed, the refusal is about whose it is.
    assert any(r.code in OWNERSHIP for r in refused.values())
    assert len(_rows(town.server, "security_events")) == events + len(attempts)
    assert rep.server_head(town.server) == head and _picture(town.server) == before
    _pull(town.victim, town.server, "QX01")
    assert _picture(town.victim) == victim_before


# New rows that hang on the other station's records, or make the town's: each refused.
def _new(table: str, row: dict[str, Any], attacker: ServiceContext, **changes: Any) -> dict[str, Any]:
    stamp = f"{1796600000000 + 7}.00000.{_node(attacker)}"
    return {**row, "id": str(uuid.uuid4()), "origin": "QX02", "created_hlc": stamp, "updated_hlc": stamp,
            "field_hlc": "{}", **changes} if "field_hlc" in row else \
        {**row, "id": str(uuid.uuid4()), "origin": "QX02", "created_hlc": stamp, "updated_hlc": stamp, **changes}


@pytest.mark.postgres
def test_a_station_cannot_add_records_to_another_stations_case_drawer_or_goods_nor_to_the_towns_lists(
        town: Town) -> None:
    one = {name: _plain(_rows(town.server, name, where)[0]) for name, (where, _) in TARGETS.items()}
    bad_path = {**one["attachments"], "stored_path": "../../../../etc/passwd"}
    tries: dict[str, dict[str, Any]] = {
        "a case at QX01": ("cases", _new("cases", one["cases"], town.attacker, case_no="QX01-20261123-0999")),
        "an event of QX01's case": ("case_events", _new("case_events", one["case_events"], town.attacker)),
        "a material of QX01's case": ("case_materials", _new("case_materials", one["case_materials"],
                                                             town.attacker)),
        "a scan on QX01's case": ("attachments", _new("attachments", one["attachments"], town.attacker)),
        "a rating of QX01's case": ("ratings", _new("ratings", one["ratings"], town.attacker)),
        "a payment for QX01": ("payments", _new("payments", one["payments"], town.attacker)),
        "a refund of QX01's payment": ("payment_events", _new("payment_events", one["payment_events"],
                                                              town.attacker, station_code="QX02")),
        "cash into QX01's drawer": ("cash_moves", _new("cash_moves", one["cash_moves"], town.attacker,
                                                       station_code="QX02")),
        "a stock move of QX01's goods": ("points_stock_moves", _new("points_stock_moves",
                                                                    one["points_stock_moves"], town.attacker)),
        "a head account at QX01": ("staff", _new("staff", one["staff"], town.attacker, username="fake_head",
                                                 role="head", staff_no="099")),
        "a town administrator": ("staff", _new("staff", one["staff"], town.attacker, username="fake_admin",
                                               role="town_admin", station_code="QX02", staff_no="098")),
        "a new village": ("villages", _new("villages", one["villages"], town.attacker, code="V99", name="假村",
                                           id=_stable("village", "V99"))),
        "a station row for QX09": ("stations", _new("stations", one["stations"], town.attacker, code="QX09",
                                                    id=_stable("station", "QX09"))),
        "the town's points rules": ("points_rules_files", _new(
            "points_rules_files", one["points_rules_files"], town.attacker)),
        "a resolved overspending record": ("points_conflicts", {
            "id": str(uuid.uuid4()), "origin": "QX02", "created_hlc": f"1796600000007.00000.{_node(town.attacker)}",
            "updated_hlc": f"1796600000007.00000.{_node(town.attacker)}", "deleted": False,
            "account_id": one["points_accounts"]["id"], "found_at": "2026-11-23T10:00:00", "overspent": 5,
            "state": "resolved", "note": "", "resolved_by": None, "resolved_at": None}),
        "a scan pointing outside the data folder": ("attachments", _new("attachments", bad_path, town.attacker)),
        "a case in a state no station writes": ("cases", _new("cases", one["cases"], town.attacker, state="hacked",
                                                              station_code="QX02",
                                                              case_no="QX02-20261123-0999")),
    }
    before, head = _picture(town.server), rep.server_head(town.server)
    changes = [rep.Change(change_id=str(uuid.uuid4()), table=table, row_id=str(row["id"]), op="upsert",
                          hlc=str(row["updated_hlc"]), row=row) for table, row in tries.values()]
    done = rep.receive(town.server, station_code="QX02", changes=changes)
    said = {r.change_id: r for r in done.refused}
    missed = [what for what, c in zip(tries, changes, strict=True) if c.change_id not in said]
    assert not missed, missed
    by_what = {what: said[c.change_id] for what, c in zip(tries, changes, strict=True)}
    assert by_what["a scan pointing outside the data folder"].params["reason"] == "not_a_stored_path"
    assert by_what["a case in a state no station writes"].params["field"] == "state"
    assert by_what["a town administrator"].params["field"] == "role"
    assert by_what["a new village"].code == "trust.town_record"
    assert rep.server_head(town.server) == head and _picture(town.server) == before


def _stable(*parts: str) -> str:
    from app.domain.ids import stable_id

    return stable_id(*parts)


@pytest.mark.postgres
def test_after_the_attacks_the_owner_still_passes_its_check_and_the_town_lists_what_was_tried(town: Town) -> None:
    from app.domain.staff import Actor, Post, Role

    head = authenticate(town.victim, username="zhanzhang", password=DEMO_PASSWORD)
    _pull(town.victim, town.server, "QX01")
    report = maintenance.check(town.victim, actor=head)
    assert report.ok, report.findings
    console = Actor(staff_id="", username="console:test", display_name="镇服务器控制台", staff_no="",
                    role=Role.TOWN_ADMIN, post=Post.A, station_code="")
    events = rep.security_events(town.server, actor=console, station_code="QX02")
    assert events and {e.station_code for e in events} == {"QX02"}
    assert {e.table for e in events} >= {"payments", "staff", "villages", "attachments"}


@pytest.mark.postgres
def test_a_resident_of_another_village_is_corrected_field_by_field_but_never_moved_or_merged_away(
        town: Town) -> None:
    """The market-style counter: QX02 may correct a 青溪村 resident's phone, never their village, identity or
    merge pointer."""
    from app.services.residents import update_resident

    clerk = authenticate(town.attacker, username="shimen", password=DEMO_PASSWORD)
    person = _plain(_rows(town.attacker, "residents", "village_code = 'V01' AND merged_into IS NULL")[0])
    update_resident(town.attacker, actor=clerk, resident_id=person["id"], phone="13912345678")
    done = _push(town.attacker, town.server, "QX02")
    assert not done.refused and done.updated == 1
    at_town = _rows(town.server, "residents", "id = :id", id=person["id"])[0]
    assert at_town["phone"] == "13912345678" and at_town["village_code"] == "V01"
    from app.domain.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as e:  # the station's own service says so before the town has to
        update_resident(town.attacker, actor=clerk, resident_id=person["id"], village="V02")
    assert e.value.problems["village"].code == "resident.other_village"


def test_a_push_whose_numbers_have_the_wrong_json_type_is_refused_in_words() -> None:
    from pydantic import ValidationError

    from app.sync.protocol import PushBatch

    good = {"batch_id": "b", "changes": [{"change_id": "c1", "table": "cases", "row_id": "r", "op": "upsert",
                                          "hlc": "1796600000000.00000.x", "row": {"id": "r"}, "seq": 3}]}
    assert PushBatch.model_validate_json(json.dumps(good)).changes[0].seq == 3
    for seq in (False, "3", 3.0):
        bad = json.loads(json.dumps(good))
        bad["changes"][0]["seq"] = seq
        with pytest.raises(ValidationError):
            PushBatch.model_validate_json(json.dumps(bad))


@pytest.mark.postgres
def test_registering_someone_the_town_holds_again_with_an_old_clock_cannot_take_their_record_over(
        town: Town) -> None:
    """A second registration of an ID number merges into the earlier one; a station may not make the town's record
    the one that gives way (and with it every case of that resident) by claiming an older registration."""
    victim = _plain(_rows(town.server, "residents", "village_code = 'V01' AND merged_into IS NULL")[0])
    stamp = f"0000000000002.00000.{_node(town.attacker)}"
    forged = {**victim, "id": str(uuid.uuid4()), "origin": "QX02", "created_hlc": stamp, "updated_hlc": stamp,
              "field_hlc": "{}", "village_code": "V02", "name": "冒名"}
    done = rep.receive(town.server, station_code="QX02", changes=[rep.Change(
        change_id=str(uuid.uuid4()), table="residents", row_id=forged["id"], op="upsert", hlc=stamp, row=forged)])
    [refused] = done.refused
    assert refused.code == "trust.takeover" and refused.params["village"] == "V01"
    after = _rows(town.server, "residents", "id = :id", id=victim["id"])[0]
    assert after["merged_into"] is None and after["name"] == victim["name"]
