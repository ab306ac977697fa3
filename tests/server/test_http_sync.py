"""The town server as a real process (uvicorn) on a real PostgreSQL, and two station databases syncing with
it over HTTP: enrolment, push and pull until both hold the same records, an acknowledgement lost on the way
(the batch is sent again: nothing doubles), the server restarted between two syncs, and the refusals a
station sees in plain words."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
import pytest

from app.domain.errors import DomainError
from app.persistence.database import Database
from app.services import replication as rep
from app.services.context import ServiceContext
from app.sync import client
from app.sync.protocol import API, PushBatch, WireChange
from tests.server.test_replication import _picture, _station, _work

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.keys = tempfile.mkdtemp(prefix="town-keys-")  # the town's master secret, apart from its database

    def run(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "app.server", "--db", self.db_url, "--keys", self.keys, *args],
                              cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "app.server", "--db", self.db_url, "--keys", self.keys,
                                      "serve",
                                      "--port", str(self.port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env={**os.environ})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}{API}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("the town server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None

    def enrol_code(self, station: str) -> str:
        found = re.search(r"([0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4})", self.run("enrol", station))
        assert found is not None
        return found.group(1)


def _enrolled(tmp_path: Path, server: Server, code: str, village: str, head: str) -> ServiceContext:
    ctx = _station(tmp_path / code, code, village, head)
    client.enrol(ctx, url=server.url, enrol_code=server.enrol_code(code))
    return ctx


def _server_picture(server: Server) -> set[tuple[str, str, str]]:
    town = ServiceContext(db=Database.open_url(server.db_url))
    try:
        return _picture(town)
    finally:
        town.db.dispose()


def test_two_stations_sync_over_http_and_converge(tmp_path: Path, server: Server) -> None:
    a = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    b = _enrolled(tmp_path, server, "QX02", "V02", "shimen")
    try:
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
        _work(b, "shimen", [("王五", date(1990, 3, 4)), ("赵六", date(1960, 8, 1))], "V02")
        first = client.sync_once(a)
        assert first.pushed > 0 and first.pending == 0 and first.conflicts == 0
        client.sync_once(b)
        client.sync_once(a)  # picks up B's records
        # Both hold the town's shared records (residents of every village among them); the town holds all.
        assert _picture(a, shared=True) == _picture(b, shared=True) and len(_picture(a, shared=True)) > 10
        assert _picture(a) | _picture(b) == _server_picture(server)
        assert rep.status(a).last_ok and rep.status(a).pending == 0

        # The acknowledgement of a batch is lost: the server applied it, the station did not mark it pushed.
        _work(a, "zhanzhang", [("李四", date(1975, 1, 2))], "V01")
        batch = rep.outbox(a, limit=500)
        url, credential = rep.sync_settings(a) or ("", "")
        headers = {"Authorization": f"Bearer {credential}", "X-Station": "QX01"}
        body = PushBatch(batch_id="lost-ack", changes=[WireChange.of(c) for c in batch]).model_dump()
        assert httpx.post(f"{url}{API}/push", json=body, headers=headers, timeout=30).status_code == 200
        head = httpx.get(f"{url}{API}/health", timeout=5).json()["head"]
        again = client.sync_once(a)  # sends the same batch again
        assert again.pushed == len(batch) and httpx.get(f"{url}{API}/health", timeout=5).json()["head"] == head

        # The server restarts between two syncs: nothing is lost, the stations carry on.
        server.stop()
        with pytest.raises(DomainError) as e:
            client.sync_once(b)
        assert e.value.code == "sync.unreachable"
        server.start()
        client.sync_once(b)
        client.sync_once(a)
        assert _picture(a, shared=True) == _picture(b, shared=True)
        assert _picture(a) | _picture(b) == _server_picture(server)
    finally:
        a.db.dispose()
        b.db.dispose()


def test_refusals_are_plain(tmp_path: Path, server: Server) -> None:
    a = _station(tmp_path / "a", "QX01", "V01", "zhanzhang")
    try:
        with pytest.raises(DomainError) as e:
            client.sync_once(a)
        assert e.value.code == "sync.not_enrolled"
        with pytest.raises(DomainError) as e:
            client.enrol(a, url=server.url, enrol_code="0000-0000-0000-0000")
        assert e.value.code == "sync.bad_enrolment"
        with pytest.raises(DomainError) as e:
            client.enrol(a, url="http://town.example.cn", enrol_code="x")
        assert e.value.code == "sync.https_needed"
        code = server.enrol_code("QX01")
        client.enrol(a, url=server.url, enrol_code=code)
        with pytest.raises(DomainError):  # a code works once
            client.enrol(a, url=server.url, enrol_code=code)
        rep.save_sync_settings(a, url=server.url, credential="stolen-or-old")
        with pytest.raises(DomainError) as e:
            client.sync_once(a)
        assert e.value.code == "sync.bad_credential"
        spec = httpx.get(f"{server.url}/openapi.json", timeout=5).json()
        assert "PushBatch" in spec["components"]["schemas"] and f"{API}/pull" in spec["paths"]
    finally:
        a.db.dispose()


def test_a_malformed_push_is_refused_with_a_sentence_not_a_traceback(server: Server, tmp_path: Path) -> None:
    a = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    try:
        url, credential = rep.sync_settings(a) or ("", "")
        reply = httpx.post(f"{url}{API}/push", json={"batch_id": "x", "changes": [{"table": "cases"}]},
                           headers={"Authorization": f"Bearer {credential}", "X-Station": "QX01"}, timeout=10)
        assert reply.status_code == 422 and reply.json()["code"] == "sync.bad_request"
        assert "升级软件" in reply.json()["zh"]
    finally:
        a.db.dispose()


def test_a_station_without_network_syncs_by_usb_bundle_and_a_changed_bundle_is_refused(
        tmp_path: Path, server: Server) -> None:
    from app.sync import bundle

    a = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")  # enrolled once, then the network went away
    b = _enrolled(tmp_path, server, "QX02", "V02", "shimen")
    try:
        _work(b, "shimen", [("王五", date(1990, 3, 4))], "V02")
        client.sync_once(b)
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
        stick = tmp_path / "usb"
        stick.mkdir()
        n = bundle.export_bundle(a, stick / "QX01.sdbundle")
        assert n > 0 and rep.pending_count(a) > 0  # nothing is marked sent before the town's reply

        # On the way, someone edits the file: refused, nothing applied.
        forged = stick / "forged.sdbundle"
        forged.write_text((stick / "QX01.sdbundle").read_text(encoding="utf-8").replace("张三", "张四"),
                          encoding="utf-8")
        refused = subprocess.run([sys.executable, "-m", "app.server", "--db", server.db_url, "bundle", str(forged),
                                  "--reply", str(stick / "x.reply")], cwd=ROOT, capture_output=True, text=True)
        assert refused.returncode == 1 and "被改动过" in refused.stderr

        server.run("bundle", str(stick / "QX01.sdbundle"), "--reply", str(stick / "QX01.reply"))
        server.run("bundle", str(stick / "QX01.sdbundle"), "--reply", str(stick / "QX01.reply"))  # twice: harmless
        done = bundle.import_reply(a, stick / "QX01.reply")
        assert done.conflicts == 0 and rep.pending_count(a) == 0
        client.sync_once(b)
        # A has B's resident, B has A's, without A ever going online; the town has everything.
        assert _picture(a, shared=True) == _picture(b, shared=True)
        assert _picture(a) | _picture(b) == _server_picture(server)

        with pytest.raises(DomainError) as e:  # B cannot use A's reply
            bundle.import_reply(b, stick / "QX01.reply")
        assert e.value.code == "bundle.not_ours"
    finally:
        a.db.dispose()
        b.db.dispose()


def test_the_header_says_synced_only_when_nothing_waits(qtbot, tmp_path: Path, server: Server) -> None:
    from app.ui.sync_status import SyncWatch
    from app.ui.tasks import TaskRunner

    a = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    runner = TaskRunner()
    try:
        watch = SyncWatch(a, runner)
        said: list[str] = []
        watch.changed.connect(lambda text, _tip, _alarm: said.append(text))
        watch.sync_now()
        qtbot.waitUntil(lambda: not watch.busy and said and "已同步" in said[-1], timeout=30_000)
        assert rep.pending_count(a) == 0
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
        watch.refresh()  # a case accepted: the header counts it at once, without the network
        qtbot.waitUntil(lambda: not watch.busy and "待上传" in said[-1], timeout=10_000)
        assert "已同步" not in said[-1]
        watch.sync_now()
        qtbot.waitUntil(lambda: not watch.busy and "已同步" in said[-1], timeout=30_000)
    finally:
        runner.shutdown()
        a.db.dispose()


def test_the_town_reads_every_stations_cases_and_closes_on_its_console(tmp_path: Path, server: Server) -> None:
    from app.services import cash, closing
    from app.services.staff import authenticate

    a = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    b = _enrolled(tmp_path, server, "QX02", "V02", "shimen")
    try:
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
        _work(b, "shimen", [("王五", date(1990, 3, 4))], "V02")
        head = authenticate(a, username="zhanzhang", password="station-2026")
        cash.open_drawer(a, actor=head, float_fen=10000)
        cash.close_drawer(a, actor=head, count={10000: 1})
        day = closing.close_day(a, actor=head).day
        client.sync_once(a)
        client.sync_once(b)
        closes = server.run("report", "closes")
        assert f"QX01\t{day}" in closes and "净额 0.00" in closes
        cases = server.run("report", "cases")
        assert "QX01-" in cases and "QX02-" in cases and "共 2 件" in cases
        only_b = server.run("report", "cases", "--station", "qx02")
        assert "QX02-" in only_b and "QX01-" not in only_b
    finally:
        a.db.dispose()
        b.db.dispose()


def test_the_demo_town_on_sqlite_serves_two_stations(tmp_path: Path) -> None:
    """Without PostgreSQL: the embedded demo town (a SQLite file) runs the same server and the same sync."""
    from app.persistence.engine import sqlite_url

    town = Server(sqlite_url(tmp_path / "town.sqlite3"))
    town.start()
    try:
        a = _enrolled(tmp_path, town, "QX01", "V01", "zhanzhang")
        b = _enrolled(tmp_path, town, "QX02", "V01", "shimen")  # the same village: B gets A's cases too
        try:
            _work(a, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
            _work(b, "shimen", [("王五", date(1990, 3, 4))], "V01")
            for ctx in (a, b, a):
                done = client.sync_once(ctx)
                assert done.pending == 0 and done.conflicts == 0
            assert _picture(a) == _picture(b) == _server_picture(town)
        finally:
            a.db.dispose()
            b.db.dispose()
    finally:
        town.stop()


def test_six_stations_of_three_villages_sync_at_once_and_each_holds_what_concerns_it(
        tmp_path: Path, server: Server) -> None:
    """Many stations, one server process: all work offline, then sync at the same moment (a thread each),
    twice; every station holds the town's shared records as the town has them, the town holds everything,
    and each station holds exactly the cases the pull's rule gives it — after one of them served a resident
    of another village, whose earlier case followed."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import text

    from app.services.cases import accept_case
    from app.services.residents import find_residents
    from app.services.staff import authenticate
    from tests.server.test_replication import PASSWORD

    codes = [f"QX0{n}" for n in range(1, 7)]
    villages = {code: f"V0{(n // 2) + 1}" for n, code in enumerate(codes)}  # two stations a village
    nodes = {code: _enrolled(tmp_path, server, code, villages[code], f"head{code[-2:]}") for code in codes}

    def sync_all() -> None:
        for _ in range(2):  # the second round brings what the others pushed meanwhile
            with ThreadPoolExecutor(max_workers=len(nodes)) as pool:
                for done in pool.map(client.sync_once, nodes.values()):
                    assert done.pending == 0 and done.conflicts == 0

    try:
        for n, (code, ctx) in enumerate(nodes.items()):
            surname = "赵钱孙李周吴"[n]
            people = [(surname + "大山", date(1970 + n, 1, 2)), (surname + "小溪", date(1980 + n, 3, 4))]
            _work(ctx, f"head{code[-2:]}", people, villages[code])
        sync_all()
        # QX06 (枫树岭村) serves 赵大山 of 青溪村, registered at QX01.
        head = authenticate(nodes["QX06"], username="head06", password=PASSWORD)
        person = find_residents(nodes["QX06"], query="赵大山").residents[0]
        accept_case(nodes["QX06"], actor=head, applicant_id=person.id, item_code="S08",
                    received_materials=[m.code for m in nodes["QX06"].catalog.item("S08").materials])
        sync_all()

        town = ServiceContext(db=Database.open_url(server.db_url))
        try:
            shared = _picture(town, shared=True)
            with town.db.engine.connect() as conn:
                owed = {code: {r[0] for r in conn.execute(text(
                    "SELECT c.id FROM cases c JOIN residents r ON r.id = c.applicant_id JOIN stations s "
                    "ON s.code = :code WHERE c.station_code = :code OR r.village_code = s.village_code OR "
                    "c.applicant_id IN (SELECT applicant_id FROM cases WHERE station_code = :code)"),
                    {"code": code})} for code in codes}
        finally:
            town.db.dispose()
        union: set[tuple[str, str, str]] = set()
        for code, ctx in nodes.items():
            mine = _picture(ctx)
            union |= mine
            assert _picture(ctx, shared=True) == shared, code
            assert {i for name, i, _ in mine if name == "cases"} == owed[code], code
        assert union == _server_picture(server)
        # QX06: its own three, the two of the other station of its village, and 赵大山's earlier case at QX01,
        # which followed the first case QX06 recorded for him.
        with nodes["QX06"].db.engine.connect() as conn:
            held = sorted(r[0] for r in conn.execute(text("SELECT station_code FROM cases")))
        assert held == ["QX01", "QX05", "QX05", "QX06", "QX06", "QX06"]
    finally:
        for ctx in nodes.values():
            ctx.db.dispose()
