"""Town sync under faults, with a real server process on a real PostgreSQL and real station files: the
connection cut in the middle of a push (inside its body, and after the town applied it but before the reply
came back), the station killed while it waited for the town's acknowledgement, and the town server killed in
the middle of a push and started again. Each time the station says what happened in plain words, marks
nothing sent that the town did not acknowledge, and the next sync converges: nothing lost, nothing twice."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from app.domain.errors import DomainError
from app.messages import describe
from app.persistence.database import Database
from app.services import replication as rep
from app.services.context import ServiceContext
from app.sync import client
from app.sync.protocol import API
from tests.server.test_http_sync import ROOT, Server, _enrolled
from tests.server.test_replication import _picture, _work

# ---------------------------------------------------------------------------------------------- the proxy


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset (RST), as a dropped line or a crashed router does, not a polite FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _read_request(sock: socket.socket) -> tuple[bytes, bytes]:
    """One HTTP request's head and as much of its body as has come (the body is read on by the caller)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the station closed before its request was complete")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head + b"\r\n\r\n", body


def _length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


class Proxy:
    """A TCP relay between a station and the town server, in a thread with plain sockets. Its first connection
    meets ``fault``; later ones are relayed untouched.

    - ``cut_body``: the request head and half of its body reach the server, then both sides are reset.
    - ``cut_reply``: the whole request reaches the server; as soon as its reply starts, the station's side is
      reset and the reply thrown away (the town applied the batch, the station never hears so).
    - ``hold_reply``: as ``cut_reply``, but the reply is held until the station goes away (``held`` is set
      when it arrived: the town has applied the batch).
    - ``close_idle``: the first request and its reply pass; when the station sends its next request on the
      same kept-alive connection, the connection is closed without a reply — what a server does when its
      idle timeout strikes just as the station reuses the connection."""

    def __init__(self, target_port: int, fault: str) -> None:
        self.target_port = target_port
        self.fault = fault
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.forwarded = 0  # bytes of the faulted request the server got
        self.held = threading.Event()
        self.done = threading.Event()  # the fault was carried out
        self._armed = True
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                station, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            faulted, self._armed = self._armed, False
            target = self._fault if faulted else self._relay
            threading.Thread(target=target, args=(station, upstream), daemon=True).start()

    def _relay(self, station: socket.socket, upstream: socket.socket) -> None:
        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while chunk := src.recv(65536):
                    dst.sendall(chunk)
            except OSError:
                pass
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

        threading.Thread(target=pump, args=(upstream, station), daemon=True).start()
        pump(station, upstream)

    def _fault(self, station: socket.socket, upstream: socket.socket) -> None:
        try:
            head, body = _read_request(station)
            total = _length(head)
            assert b"POST " + API.encode() + b"/push" in head.split(b"\r\n")[0], head[:80]
            if self.fault == "close_idle":
                while len(body) < total:
                    body += station.recv(65536)
                upstream.sendall(head + body)
                reply_head, reply_body = _read_request(upstream)  # a reply reads the same way: head, then body
                while len(reply_body) < _length(reply_head):
                    reply_body += upstream.recv(65536)
                station.sendall(reply_head + reply_body)
                _read_request(station)  # the next request on this connection: closed without a reply
                self.forwarded = total
                station.shutdown(socket.SHUT_RDWR)
                return
            if self.fault == "cut_body":
                while len(body) < total // 2:
                    body += station.recv(65536)
                upstream.sendall(head + body[:total // 2])
                self.forwarded = total // 2
                time.sleep(0.2)  # let the server take in what came before the line drops
                return
            while len(body) < total:
                body += station.recv(65536)
            upstream.sendall(head + body)
            self.forwarded = total
            if not upstream.recv(65536):  # the reply begins: the town has applied the batch and said so
                raise ConnectionError("the server closed without a reply")
            if self.fault == "hold_reply":
                self.held.set()
                station.settimeout(30)
                with contextlib.suppress(OSError):
                    while station.recv(65536):  # until the station is gone (killed)
                        pass
        finally:
            _reset(station)
            _reset(upstream)
            self.done.set()


# --------------------------------------------------------------------------------------- what is where


@pytest.fixture
def town_db(pg_url: str) -> Iterator[Engine]:
    engine = create_engine(pg_url)
    try:
        yield engine
    finally:
        engine.dispose()


def _head(town_db: Engine) -> int:
    with town_db.connect() as conn:
        return int(conn.execute(text("SELECT coalesce(max(seq), 0) FROM server_log")).scalar_one())


def _sent_marks(station: ServiceContext) -> dict[str, bool]:
    """Every change the station made: marked sent or not."""
    with station.db.engine.connect() as conn:
        return {r[0]: r[1] is not None for r in conn.execute(text("SELECT change_id, pushed_at FROM change_log"))}


# Records every station makes alike (ids from their codes): the town keeps its first copy of each and stamps it
# anew instead of logging a later station's copy (app.services.screening).
MADE_ALIKE = ("towns", "villages", "catalog_files", "calendar_files", "points_accounts", "points_entries",
              "points_conflicts")


def _made_alike(station: ServiceContext) -> set[str]:
    with station.db.engine.connect() as conn:
        return {r[0] for r in conn.execute(text("SELECT change_id, table_name FROM change_log"))
                if r[1] in MADE_ALIKE}


def _assert_converged(town_url: str, town_db: Engine, *stations: ServiceContext) -> None:
    """Nothing waits at any station; the town's log holds each change every station made exactly once, in a
    gap-free order; the town has every station's records at their versions and no case it was not sent."""
    made: set[str] = set()
    alike: set[str] = set()
    for station in stations:
        marks = _sent_marks(station)
        assert rep.pending_count(station) == 0 and all(marks.values())
        made |= set(marks)
        alike |= _made_alike(station)
    with town_db.connect() as conn:
        logged = [r[0] for r in conn.execute(text("SELECT change_id FROM server_log WHERE station_code <> 'TOWN' "
                                                  "ORDER BY seq"))]
        seqs = [r[0] for r in conn.execute(text("SELECT seq FROM server_log ORDER BY seq"))]
    assert len(logged) == len(set(logged)), "a change logged twice"
    assert set(logged) <= made, len(set(logged) - made)
    assert made - set(logged) <= alike, sorted(made - set(logged) - alike)[:5]
    assert seqs == list(range(1, len(seqs) + 1)), "the town's order has a gap"
    town = ServiceContext(db=Database.open_url(town_url, upgrade=False))
    try:
        at_town = _picture(town)
    finally:
        town.db.dispose()
    cases: set[tuple[str, str, str]] = set()
    for station in stations:
        mine = _picture(station)
        assert mine <= at_town, sorted(mine - at_town)[:5]
        cases |= {p for p in mine if p[0] == "cases"}
    assert {p for p in at_town if p[0] == "cases"} == cases  # every case made, once, at its version


def _plain(e: DomainError) -> str:
    """What the person at the counter reads: a sentence, no traceback, no library's exception."""
    said = describe(e, "zh")
    assert e.code == "sync.unreachable" and "连不上镇服务器" in said, (e.code, said)
    assert "Traceback" not in said and "httpx" not in said
    return said


def _through(station: ServiceContext, url: str) -> None:
    _url, credential = rep.sync_settings(station) or ("", "")
    rep.save_sync_settings(station, url=url, credential=credential)


# ---------------------------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("fault", ["cut_body", "cut_reply"])
def test_a_connection_dropped_mid_push_loses_nothing_and_doubles_nothing(
        fault: str, tmp_path: Path, server: Server, town_db: Engine) -> None:
    a = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    proxy = Proxy(server.port, fault)
    try:
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6)), ("李四", date(1975, 1, 2))], "V01")
        waiting = rep.pending_count(a)
        _through(a, proxy.url)
        with pytest.raises(DomainError) as e:
            client.sync_once(a)
        _plain(e.value)
        assert proxy.done.wait(10) and proxy.forwarded > 0
        assert rep.pending_count(a) == waiting and not any(_sent_marks(a).values())  # nothing marked sent
        applied = _head(town_db)
        if fault == "cut_body":
            assert applied == 0  # half a batch is no batch
        else:
            assert applied == waiting  # the town applied it all; only its answer was lost

        _through(a, server.url)  # the line is back
        done = client.sync_once(a)
        assert done.pushed == waiting and done.pending == 0
        assert _head(town_db) == waiting  # sent again, acknowledged, not applied twice
        _assert_converged(server.db_url, town_db, a)
    finally:
        proxy.close()
        a.db.dispose()


# The station's sync as the app runs it, in a process of its own that the test can kill.
STATION_SYNC = ("import sys; from pathlib import Path; from app.services.context import open_context; "
                "from app.sync import client; client.sync_once(open_context(Path(sys.argv[1])))")


def test_a_station_killed_while_waiting_for_the_acknowledgement_sends_again_and_nothing_doubles(
        tmp_path: Path, server: Server, town_db: Engine) -> None:
    a = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    proxy = Proxy(server.port, "hold_reply")
    try:
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
        waiting = rep.pending_count(a)
        _through(a, proxy.url)
        child = subprocess.Popen([sys.executable, "-c", STATION_SYNC, str(tmp_path / "QX01")], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            assert proxy.held.wait(20), "the station's push never reached the town"
            os.kill(child.pid, signal.SIGKILL)  # the town applied the batch; its answer is on the way
        finally:
            output = child.communicate(timeout=20)[0]
        assert child.returncode == -signal.SIGKILL, output.decode(errors="replace")
        assert proxy.done.wait(10)
        assert _head(town_db) == waiting  # applied at the town …
        assert rep.pending_count(a) == waiting and not any(_sent_marks(a).values())  # … not marked sent here

        _through(a, server.url)
        done = client.sync_once(a)
        assert done.pushed == waiting and done.pending == 0 and _head(town_db) == waiting
        _assert_converged(server.db_url, town_db, a)
    finally:
        proxy.close()
        a.db.dispose()


def _waiting_on_a_lock(town_db: Engine, database: str) -> bool:
    with town_db.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND wait_event_type = 'Lock'"),
            {"db": database}).scalar_one())


def test_the_town_server_killed_mid_push_and_started_again_loses_nothing_and_doubles_nothing(
        tmp_path: Path, server: Server, town_db: Engine) -> None:
    a = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    b = _enrolled(tmp_path, server, "QX02", "V02", "shimen")
    try:
        _work(b, "shimen", [("王五", date(1990, 3, 4))], "V02")
        client.sync_once(b)
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6)), ("李四", date(1975, 1, 2))], "V01")
        waiting, before = rep.pending_count(a), _head(town_db)

        # Hold the town's log so that A's push stops inside the server's transaction, then kill the server.
        blocker = town_db.connect()
        blocker.execute(text("LOCK TABLE server_log IN ACCESS EXCLUSIVE MODE"))
        failed: list[BaseException] = []
        push = threading.Thread(target=lambda: _catch(failed, lambda: client.sync_once(a)))
        push.start()
        try:
            deadline = time.monotonic() + 15
            while not _waiting_on_a_lock(town_db, town_db.url.database or ""):
                assert time.monotonic() < deadline and push.is_alive(), "A's push never reached the town"
                time.sleep(0.05)
            assert server.proc is not None
            server.proc.kill()  # SIGKILL, in the middle of the push
            server.proc.wait(timeout=10)
            server.proc = None
            push.join(timeout=30)
        finally:
            blocker.rollback()
            blocker.close()
        assert not push.is_alive() and len(failed) == 1 and isinstance(failed[0], DomainError), failed
        _plain(failed[0])
        assert rep.pending_count(a) == waiting and not any(_sent_marks(a).values())
        assert _head(town_db) == before  # the half-done transaction died with the server

        server.start()
        done = client.sync_once(a)
        assert done.pushed == waiting and done.pending == 0
        client.sync_once(b)
        client.sync_once(a)
        assert httpx.get(f"{server.url}{API}/health", timeout=5).json()["head"] == _head(town_db)
        _assert_converged(server.db_url, town_db, a, b)
    finally:
        a.db.dispose()
        b.db.dispose()


def _catch(into: list[BaseException], run: Callable[[], object]) -> None:
    try:
        run()
    except BaseException as e:  # handed to the test's thread, which asserts on it
        into.append(e)


def test_a_kept_alive_connection_the_town_closed_is_replaced_and_the_sync_goes_on(
        tmp_path: Path, server: Server, town_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by the town simulation: under load, the server's idle timeout closed a kept-alive connection just
    as the station sent its next request on it, and the whole sync failed. The request now goes once more on a
    fresh connection (every request of the protocol may be repeated)."""
    a = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    proxy = Proxy(server.port, "close_idle")
    try:
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6)), ("李四", date(1975, 1, 2))], "V01")
        waiting = rep.pending_count(a)
        monkeypatch.setattr(client, "BATCH", 5)  # several pushes on one connection
        _through(a, proxy.url)
        done = client.sync_once(a)
        assert proxy.done.wait(10) and proxy.forwarded > 0  # the connection was closed under the station
        assert done.pushed == waiting and done.pending == 0
        assert _head(town_db) == waiting
        _through(a, server.url)
        _assert_converged(server.db_url, town_db, a)
    finally:
        proxy.close()
        a.db.dispose()
