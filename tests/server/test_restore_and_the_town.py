"""A restore never splits a station from the town (issue 18), against a real town on PostgreSQL: a station makes
a backup, works on (cases, receipts), syncs, and is restored from that older backup. Until the town has answered
it takes no new number; then the town gives its high-water marks and its own records back, no number is used
twice, nothing is in conflict, station and town hold the same — over the network and by USB bundle. And the
town's anchor catches a chain cut at the station; and the town's database alone cannot forge a bundle."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from app.domain.errors import DomainError
from app.persistence.database import Database
from app.persistence.keystore import KeyStore
from app.services import checking, maintenance, seals
from app.services import replication as rep
from app.services.cases import accept_case
from app.services.context import ServiceContext, open_context
from app.services.documents import issue_document
from app.services.staff import authenticate
from app.sync import bundle, client
from tests.server.test_http_sync import Server, _enrolled
from tests.server.test_replication import PASSWORD, _station, _work

Sync = Callable[[ServiceContext], object]


def _numbers(ctx: ServiceContext, station: str = "QX01") -> tuple[list[str], list[str]]:
    with ctx.db.engine.connect() as conn:
        cases = sorted(r[0] for r in conn.execute(text("SELECT case_no FROM cases WHERE station_code = :s"),
                                                  {"s": station}))
        docs = sorted(r[0] for r in conn.execute(text("SELECT number FROM documents WHERE station_code = :s"),
                                                 {"s": station}))
    return cases, docs


def _conflicts(ctx: ServiceContext) -> int:
    with ctx.db.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM sync_conflicts WHERE state IN ('open', 'refused')"))
                   .scalar_one())


def _accept_one(ctx: ServiceContext, head: str) -> str:
    actor = authenticate(ctx, username=head, password=PASSWORD)
    with ctx.db.engine.connect() as conn:
        person = conn.execute(text("SELECT id FROM residents WHERE merged_into IS NULL LIMIT 1")).scalar_one()
    item = ctx.catalog.item("S08")
    case = accept_case(ctx, actor=actor, applicant_id=person, item_code="S08",
                       received_materials=[m.code for m in item.materials]).case
    issue_document(ctx, actor=actor, kind="receipt", subject=case.case_no, render=lambda job: b"pdf")
    return case.case_no


def _day_then_restore(folder: Path, station: ServiceContext, sync: Sync) -> tuple[ServiceContext, list[str]]:
    """Work, back up, work on (two cases with receipts), sync, then restore the older backup; returns the restored
    station and the case numbers the town had before the restore."""
    _work(station, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
    sync(station)
    head = authenticate(station, username="zhanzhang", password=PASSWORD)
    backup = maintenance.backup(station, actor=head)
    made = [_accept_one(station, "zhanzhang") for _ in range(2)]
    sync(station)
    station.db.dispose()
    maintenance.restore(folder, backup, by=maintenance.restorer(head))
    restored = open_context(folder)
    assert not set(made) & set(_numbers(restored)[0])  # the backup does not know them
    return restored, made


def _after_the_town_answered(restored: ServiceContext, town: ServiceContext, made: list[str], sync: Sync) -> None:
    before_cases, before_docs = _numbers(town)
    assert set(made) <= set(before_cases)
    # Until the town has answered, no new number: said in words, nothing written.
    with pytest.raises(DomainError) as e:
        _accept_one(restored, "zhanzhang")
    assert e.value.code == "sync.recover_first"
    sync(restored)
    assert set(_numbers(restored)[0]) >= set(before_cases)  # its own records came back from the town
    new = _accept_one(restored, "zhanzhang")
    assert new not in before_cases
    sync(restored)
    cases, docs = _numbers(town)
    assert len(cases) == len(set(cases)) == len(before_cases) + 1 and len(docs) == len(before_docs) + 1
    assert _numbers(restored) == (cases, docs)  # station and town hold the same
    assert _conflicts(restored) == 0 and _conflicts(town) == 0
    head = authenticate(restored, username="zhanzhang", password=PASSWORD)
    report = checking.check(restored, actor=head)
    assert report.ok, report.findings


@pytest.mark.postgres
def test_a_station_restored_from_an_older_backup_reuses_no_number_and_gets_its_records_back_over_the_network(
        tmp_path: Path, server: Server) -> None:
    station = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    restored, made = _day_then_restore(tmp_path / "QX01", station, lambda ctx: client.sync_once(ctx))
    town = ServiceContext(db=Database.open_url(server.db_url))
    try:
        _after_the_town_answered(restored, town, made, lambda ctx: client.sync_once(ctx))
        assert client.town_anchor(restored).chain_seq == checking.current_anchor(restored).chain_seq
    finally:
        restored.db.dispose()
        town.db.dispose()


@pytest.fixture
def usb_town(pg_url: str, tmp_path: Path) -> Iterator[ServiceContext]:
    town = ServiceContext(db=Database.open_url(pg_url), _keys=KeyStore(tmp_path / "town"))
    seals.prepare_town(town)
    try:
        yield town
    finally:
        town.db.dispose()


def _enrol_in_process(station: ServiceContext, town: ServiceContext, code: str) -> None:
    from app.server.__main__ import CONSOLE

    enrolment = rep.redeem_enrolment(town, station_code=code,
                                     enrol_code=rep.enrol_station(town, actor=CONSOLE, station_code=code, name=code))
    rep.save_sync_settings(station, url="https://town.example", credential=enrolment.credential)
    seals.keep_town_keys(station, current=enrolment.key_id, seal_keys=enrolment.seal_keys,
                         bundle_key=enrolment.bundle_key)


def _usb(folder: Path, town: ServiceContext) -> Sync:
    """A sync by USB stick: the station writes its bundle, the town imports it and writes a reply, the station
    imports the reply."""
    n = iter(range(1000))

    def run(ctx: ServiceContext) -> None:
        i = next(n)
        out, reply = folder / f"QX01-{i}.sdbundle", folder / f"QX01-{i}.reply"
        bundle.export_bundle(ctx, out)
        bundle.import_bundle(town, out, reply)
        bundle.import_reply(ctx, reply)
    return run


@pytest.mark.postgres
def test_the_same_restore_by_usb_bundle_reuses_no_number_either(tmp_path: Path, usb_town: ServiceContext) -> None:
    folder = tmp_path / "QX01"
    station = _station(folder, "QX01", "V01", "zhanzhang")
    _enrol_in_process(station, usb_town, "QX01")
    sync = _usb(tmp_path, usb_town)
    restored, made = _day_then_restore(folder, station, sync)
    try:
        _after_the_town_answered(restored, usb_town, made, sync)
    finally:
        restored.db.dispose()


@pytest.mark.postgres
def test_the_towns_anchor_catches_a_chain_cut_at_the_station(tmp_path: Path, server: Server) -> None:
    station = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    try:
        _work(station, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
        for _ in range(2):
            _accept_one(station, "zhanzhang")  # each receipt: a link of the chain
        client.sync_once(station)
        head = authenticate(station, username="zhanzhang", password=PASSWORD)
        with station.db.engine.begin() as conn:  # the newest link and its receipt deleted at the station
            top = conn.execute(text("SELECT seq, row_id FROM chain_links ORDER BY seq DESC LIMIT 1")).one()
            conn.execute(text("DELETE FROM chain_links WHERE seq = :s"), {"s": top[0]})
            conn.execute(text("DELETE FROM documents WHERE id = :id"), {"id": top[1]})
        for name in ("anchor.local", "anchor.town"):  # and the anchors kept on this PC too
            station.keys.delete(name)
        assert checking.check(station, actor=head).ok  # by itself the cut does not show …
        town = client.town_anchor(station)  # … but the town holds the chain as it was
        codes = [f.code for f in checking.check(station, actor=head, anchors=[town]).findings]
        assert codes == ["check.chain_cut"]
    finally:
        station.db.dispose()


@pytest.mark.postgres
def test_the_towns_database_alone_is_not_enough_to_forge_a_stations_bundle(
        tmp_path: Path, usb_town: ServiceContext) -> None:
    import hashlib
    import hmac

    station = _station(tmp_path / "QX01", "QX01", "V01", "zhanzhang")
    try:
        _enrol_in_process(station, usb_town, "QX01")
        _work(station, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
        genuine = tmp_path / "genuine.sdbundle"
        bundle.export_bundle(station, genuine)
        with usb_town.db.engine.connect() as conn:  # everything the town's database holds of the station
            row = dict(conn.execute(text("SELECT * FROM server_stations WHERE station_code = 'QX01'")).mappings().one())
        body = json.loads(genuine.read_text(encoding="utf-8"))
        body.pop("signature")
        body["changes"] = body["changes"][:1]  # a forged bundle
        text_body = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        for guess in (str(row["credential_hash"]).encode(), str(row["key_ids"]).encode(),
                      hashlib.sha256(str(row["credential_hash"]).encode()).hexdigest().encode()):
            forged = tmp_path / "forged.sdbundle"
            forged.write_text(json.dumps({**body, "signature": hmac.new(guess, text_body, hashlib.sha256).hexdigest()},
                                         ensure_ascii=False), encoding="utf-8")
            with pytest.raises(DomainError) as e:
                bundle.import_bundle(usb_town, forged, tmp_path / "reply")
            assert e.value.code == "bundle.tampered"
        bundle.import_bundle(usb_town, genuine, tmp_path / "reply")  # the station's own is taken
    finally:
        station.db.dispose()


@pytest.mark.postgres
def test_the_town_checks_a_stations_chain_in_its_own_copy_with_the_keys_it_derives(
        tmp_path: Path, server: Server) -> None:
    import subprocess
    import sys

    from tests.server.test_http_sync import ROOT

    station = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    try:
        _work(station, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
        for _ in range(2):
            _accept_one(station, "zhanzhang")
        client.sync_once(station)
    finally:
        station.db.dispose()

    def town_check() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app.server", "--db", server.db_url, "--keys", server.keys,
                               "check"], cwd=ROOT, capture_output=True, text=True, timeout=60)

    done = town_check()
    assert done.returncode == 0 and "QX01\t完好" in done.stdout and "0 环是站点注册前" in done.stdout, done.stdout
    town = ServiceContext(db=Database.open_url(server.db_url))
    try:  # a receipt's words changed in the town's copy (a reporting replica edited, say), its link sealed again
        with town.db.engine.begin() as conn:
            conn.execute(text("UPDATE documents SET content_json = '[]' WHERE station_code = 'QX01'"))
    finally:
        town.db.dispose()
    done = town_check()
    assert done.returncode == 1 and "QX01\t有问题" in done.stdout and "改动过" in done.stdout, done.stdout
    # Sealed again with the published algorithm (the town's database holds no key to do it properly):
    import hashlib

    from app.domain.money import digest
    from app.services.integrity import CHAINED

    town = ServiceContext(db=Database.open_url(server.db_url))
    try:
        with town.db.engine.begin() as conn:
            prev = "0" * 64
            for link in conn.execute(text("SELECT * FROM chain_links WHERE station_code = 'QX01' ORDER BY seq"))\
                    .mappings().all():
                row = conn.execute(text(f"SELECT * FROM {link['table_name'].split('.')[0]} WHERE id = :id"),
                                   {"id": link["row_id"]}).mappings().one()
                d = digest({k: row.get(k) for k in CHAINED[link["table_name"]]})
                h = hashlib.sha256(f"{prev}|{link['seq']}|{link['table_name']}|{link['row_id']}|{d}".encode())\
                    .hexdigest()
                conn.execute(text("UPDATE chain_links SET digest = :d, prev_hash = :p, hash = :h, key_id = '' "
                                  "WHERE id = :id"), {"d": d, "p": prev, "h": h, "id": link["id"]})
                prev = h
    finally:
        town.db.dispose()
    done = town_check()
    assert done.returncode == 1 and "没有用本站的密钥封" in done.stdout, done.stdout


@pytest.mark.postgres
def test_a_station_whose_accounts_are_lost_restores_with_the_towns_recovery_code(
        tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    import re

    from app.cli.main import main

    folder = tmp_path / "QX01"
    station = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    head = authenticate(station, username="zhanzhang", password=PASSWORD)
    maintenance.backup(station, actor=head)
    station.db.dispose()
    (folder / "station.sqlite3").write_bytes(b"")  # the file is gone, and with it every account's password

    said = server.run("recovery-code", "QX01")
    found = re.search(r"(\d{8}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})", said)
    assert found is not None, said
    code = found.group(1)
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert main(["--data-dir", str(folder), "restore", "--last", "--yes", "--recovery-code", wrong]) == 1
    assert "恢复码不对或已过期" in capsys.readouterr().err
    assert main(["--data-dir", str(folder), "restore", "--last", "--yes", "--recovery-code", code]) == 0
    out = capsys.readouterr().out
    assert "已和镇里核对" in out, out  # enrolled and online: the numbers and records came at once
    restored = open_context(folder)
    try:
        with restored.db.engine.connect() as conn:
            entry = conn.execute(text("SELECT detail FROM audit_log WHERE action = 'station.restored'")).scalar_one()
        assert "town:recovery-code" in entry
    finally:
        restored.db.dispose()


def test_a_recovery_code_is_good_for_its_station_until_its_day_only() -> None:
    from app.services.seals import _code_mac, recovery_code_ok

    key = b"k" * 32
    code = f"20261208-{_code_mac(key, 'QX01', '20261208')}"
    assert recovery_code_ok({"T1": key}, station="QX01", code=code, today="20261208")
    assert not recovery_code_ok({"T1": key}, station="QX01", code=code, today="20261209")  # run out
    assert not recovery_code_ok({"T1": key}, station="QX02", code=code, today="20261208")  # another station's
    assert not recovery_code_ok({"L1": key}, station="QX01", code=code, today="20261208")  # not a town key


@pytest.mark.postgres
def test_an_anchor_that_goes_back_without_a_restore_is_a_security_event(usb_town: ServiceContext) -> None:
    from datetime import datetime, timedelta

    from app.services import recovery

    moments = iter(datetime(2026, 12, 7, 9, 0) + timedelta(minutes=n) for n in range(100))
    usb_town.now = lambda: next(moments)
    recovery.record_anchor(usb_town, station="QX01", anchor={"chain_seq": 40, "chain_hash": "a" * 64,
                                                             "audit_seq": 300, "audit_hash": "b" * 64})
    recovery.record_anchor(usb_town, station="QX01", anchor={"chain_seq": 41, "chain_hash": "c" * 64,
                                                             "audit_seq": 310, "audit_hash": "d" * 64})
    recovery.record_anchor(usb_town, station="QX01", anchor={"chain_seq": 20, "chain_hash": "e" * 64,
                                                             "audit_seq": 310, "audit_hash": "d" * 64})
    recovery.record_anchor(usb_town, station="QX01", restored=True,
                           anchor={"chain_seq": 10, "chain_hash": "f" * 64, "audit_seq": 100, "audit_hash": "0" * 64})
    with usb_town.db.engine.connect() as conn:
        events = conn.execute(text("SELECT code, params_json FROM security_events")).all()
    assert [e[0] for e in events] == ["trust.anchor_went_back"] and "41→20" in events[0][1]
    assert recovery.town_anchor(usb_town, station="QX01").chain_seq == 10  # a restore starts again, said as such
