"""The sync figures (issue 7), against a real town server process (``python -m app.server serve``) on the local
PostgreSQL, over HTTP, with stations on their own SQLite files:

- **backlog**: station A works offline through the services until its outbox holds ~100,000 changes; A syncs
  (push) and station B of the same village syncs (pull: every case record of A's villagers concerns it).
  End-to-end throughput = changes / (A's sync + B's sync), beside a raw batched insert of the same rows into a
  fresh database on the same PostgreSQL (SQLAlchemy Core ``executemany`` in batches of 500, parents first).
- **idle**: a sync with nothing to do (one push round trip that finds nothing, one pull page, the status
  noted), median and p95 of 20.
- **town** (``--only town``, long): 35 stations, 7 days offline, 300 cases a day each (made through the
  services on a clock that moves day by day), then all sync at once (a thread each) against one server; all
  converge (every station holds the town's shared records, the town holds every station's records); time and
  throughput reported.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from app.domain.identity import id_check_char
from app.domain.staff import Actor, Post, Role
from app.persistence.database import Database
from app.services import replication as rep
from app.services.cases import accept_case
from app.services.context import ServiceContext, open_context
from app.services.demo import DEMO_VILLAGES
from app.services.residents import register_resident
from app.services.staff import authenticate
from app.services.station import VillageSpec, init_station, station_view
from app.sync import client
from app.sync.protocol import API
from bench.figures import Figure, percentile
from bench.town import DATA

PG_ADMIN = os.environ.get("STATIONDESK_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
ROOT = Path(__file__).resolve().parents[1]
E2E_LIMIT = 5_000.0  # changes/s, push + pull end to end
RAW_SHARE_LIMIT = 0.30  # end to end at least this share of a raw batched insert of the same rows
IDLE_LIMIT_MS = 100.0
TOWN = Actor(staff_id="", username="bench", display_name="bench", staff_no="", role=Role.TOWN_ADMIN, post=Post.A,
             station_code="")


@contextmanager
def _database() -> Iterator[str]:
    """A fresh database on the local PostgreSQL, dropped afterwards."""
    from sqlalchemy import create_engine

    name = f"sd_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def _server(url: str) -> Iterator[tuple[str, ServiceContext, int]]:
    """The town server as a process of its own (uvicorn), on a database migrated to the head: its address, the
    town's database, and the process id (for its CPU time)."""
    town = ServiceContext(db=Database.open_url(url))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = subprocess.Popen([sys.executable, "-m", "app.server", "--db", url, "serve", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}{API}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the town server did not start") from None
                time.sleep(0.2)
        yield base, town, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        town.db.dispose()


def _person_id(station: int, k: int) -> str:
    """A valid ID number, different for every (station, k) with k < 250,000: the k-th person of a station is
    born on the station's own run of days (500 days each, from 1940), one of 500 sequence numbers a day."""
    born = date(1940, 1, 1) + timedelta(days=station * 500 + k // 500)
    body = f"330127{born:%Y%m%d}{(k % 500) * 2 + 1:03d}"
    return body + id_check_char(body)


def _station(folder: Path, n: int, village: str, now: Callable[[], datetime] = datetime.now) -> ServiceContext:
    ctx = open_context(folder, now=now)
    code = f"QX{n + 1:02d}"
    init_station(ctx, town_code="330127101", town_name="青溪镇",
                 villages=[VillageSpec(c, v) for c, v in DEMO_VILLAGES], station_code=code,
                 station_name=f"{code}便民服务站", village_code=village, admin_username=f"head{n + 1:02d}",
                 admin_name="站长", admin_password="bench-2026")
    return ctx


def _enrol(base: str, town: ServiceContext, ctx: ServiceContext, n: int) -> None:
    code = rep.enrol_station(town, actor=TOWN, station_code=f"QX{n + 1:02d}", name=f"站{n + 1}")
    client.enrol(ctx, url=base, enrol_code=code)


def _work(ctx: ServiceContext, n: int, cases: int, *, first_person: int = 0) -> None:
    """``cases`` acceptances (S08, all materials) for residents registered here, three cases each."""
    head = authenticate(ctx, username=f"head{n + 1:02d}", password="bench-2026")
    item = ctx.catalog.item("S08")
    village = ctx_village(ctx)
    materials = [m.code for m in item.materials]
    people: list[str] = []
    for k in range(cases):
        if k % 3 == 0:
            serial = first_person + k // 3
            people.append(register_resident(
                ctx, actor=head, name="张" + "伟芳娜秀英敏静丽强磊"[serial % 10] + "军洋勇艳杰"[serial // 10 % 5],
                id_number=_person_id(n, serial), village=village).id)
        accept_case(ctx, actor=head, applicant_id=people[-1], item_code="S08", received_materials=materials)


def ctx_village(ctx: ServiceContext) -> str:
    return station_view(ctx).village_code


def _raw_insert(url: str, station: ServiceContext) -> tuple[float, int]:
    """The same rows the station made, inserted straight into a fresh database at the head: the floor."""
    from sqlalchemy import insert, select

    from app.persistence import tables as t
    from app.persistence.replica import _typed

    target = Database.open_url(url)
    try:
        rows: list[tuple[Any, list[dict[str, Any]]]] = []
        with station.db.engine.connect() as conn:
            for table in t.metadata.sorted_tables:
                if table.name in t.SYNCED_TABLES:
                    found = [dict(r._mapping) for r in conn.execute(select(table))]
                    rows.append((table, [_typed(table.name, r) for r in found]))
        total = sum(len(r) for _, r in rows)
        t0 = time.perf_counter()
        with target.engine.begin() as conn:  # the reference rows the migration made are not the station's
            for table, _ in reversed(rows):
                conn.execute(table.delete())
        for table, found in rows:
            for start in range(0, len(found), 500):
                with target.engine.begin() as conn:
                    conn.execute(insert(table), found[start:start + 500])
        return time.perf_counter() - t0, total
    finally:
        target.dispose()


def run(*, backlog: int = 100_000) -> tuple[list[Figure], dict[str, Any]]:
    folder = DATA / "sync-run"
    shutil.rmtree(folder, ignore_errors=True)
    nodes: list[ServiceContext] = []
    try:
        with _database() as url, _server(url) as (base, town, pid):
            a = _station(folder / "a", 0, "V01")
            b = _station(folder / "b", 1, "V01")
            nodes += [a, b]
            _enrol(base, town, a, 0)
            _enrol(base, town, b, 1)
            client.sync_once(b)  # B's own first records are at the town: what follows is A's backlog
            t0 = time.perf_counter()
            made = people = 0
            while made < backlog:
                _work(a, 0, 300, first_person=people)
                people += 100
                made = rep.pending_count(a)
            made_s = time.perf_counter() - t0
            t0, cpu0 = time.perf_counter(), _cpu_s(pid)
            pushed = client.sync_once(a)
            push_s, cpu1 = time.perf_counter() - t0, _cpu_s(pid)
            t0 = time.perf_counter()
            pulled = client.sync_once(b)
            pull_s, cpu2 = time.perf_counter() - t0, _cpu_s(pid)
            idle = []
            for _ in range(20):
                t0 = time.perf_counter()
                client.sync_once(b)
                idle.append((time.perf_counter() - t0) * 1000)
        with _database() as raw_url:
            raw_s, raw_rows = _raw_insert(raw_url, a)
        e2e = pushed.pushed / (push_s + pull_s)
        raw = raw_rows / raw_s
        figures = [
            Figure(f"sync: {backlog:,}-change backlog, push + pull end to end", e2e, "changes/s", E2E_LIMIT, op="≥",
                   detail=f"{pushed.pushed:,} pushed in {push_s:.1f} s ({pushed.pushed / push_s:,.0f}/s, server CPU "
                          f"{cpu1 - cpu0:.1f} s), {pulled.pulled:,} pulled in {pull_s:.1f} s "
                          f"({pulled.pulled / pull_s:,.0f}/s, server CPU {cpu2 - cpu1:.1f} s)"),
            Figure("sync: that / a raw batched insert of the same rows", e2e / raw, "×", RAW_SHARE_LIMIT, op="≥",
                   detail=f"raw: {raw_rows:,} rows in {raw_s:.1f} s = {raw:,.0f} rows/s"),
            Figure("sync: a sync with nothing to do, median", statistics.median(idle), "ms", IDLE_LIMIT_MS,
                   detail=f"p95 {percentile(idle, 95):.1f} ms over 20"),
            Figure("sync: making the backlog through the services", made_s, "s",
                   detail=f"{made:,} changes, {made / made_s:,.0f}/s"),
        ]
        return figures, {"pushed": pushed.pushed, "push_s": push_s, "pulled": pulled.pulled, "pull_s": pull_s,
                         "server_cpu_push_s": cpu1 - cpu0, "server_cpu_pull_s": cpu2 - cpu1,
                         "raw_rows": raw_rows, "raw_s": raw_s, "idle_ms": idle, "made": made, "made_s": made_s}
    finally:
        for ctx in nodes:
            ctx.db.dispose()
        shutil.rmtree(folder, ignore_errors=True)


class _Clock:
    """A station's clock on its offline week: days from ``start``, a minute a case."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def now(self) -> datetime:
        return self.at

    def tick(self) -> None:
        self.at += timedelta(seconds=20)


def run_town(*, stations: int = 35, days: int = 7, per_day: int = 300) -> tuple[list[Figure], dict[str, Any]]:
    folder = DATA / "sync-town"
    shutil.rmtree(folder, ignore_errors=True)
    nodes: list[ServiceContext] = []
    villages = [c for c, _ in DEMO_VILLAGES]
    try:
        with _database() as url, _server(url) as (base, town, pid):
            start = datetime.now().replace(hour=8, minute=30, second=0, microsecond=0) - timedelta(days=days)
            clocks = [_Clock(start) for _ in range(stations)]
            for n in range(stations):
                nodes.append(_station(folder / f"s{n:02d}", n, villages[n % len(villages)], clocks[n].now))
                _enrol(base, town, nodes[-1], n)
                client.sync_once(nodes[-1])  # enrolled and in step with the town before the week offline
            t0 = time.perf_counter()
            for n, ctx in enumerate(nodes):
                for day in range(days):
                    clocks[n].at = start + timedelta(days=day)
                    _work_day(ctx, n, per_day, day, clocks[n])
                clocks[n].at = datetime.now()
            made_s = time.perf_counter() - t0
            pending = sum(rep.pending_count(ctx) for ctx in nodes)
            t0, server_cpu = time.perf_counter(), _cpu_s(pid)
            with ThreadPoolExecutor(max_workers=stations) as pool:
                first = list(pool.map(client.sync_once, nodes))
            with ThreadPoolExecutor(max_workers=stations) as pool:  # what the others pushed meanwhile
                second = list(pool.map(client.sync_once, nodes))
            sync_s = time.perf_counter() - t0
            server_cpu = _cpu_s(pid) - server_cpu
            converged = _converged(town, nodes)
        pushed = sum(r.pushed for r in first + second)
        pulled = sum(r.pulled for r in first + second)
        figures = [
            Figure(f"town: {stations} stations × {days} days × {per_day} cases, all syncing at once", sync_s, "s",
                   detail=f"{pushed:,} changes pushed, {pulled:,} pulled in all ({(pushed + pulled) / sync_s:,.0f}/s); "
                          f"converged: {converged}"),
            Figure("town: the town server's CPU time during that sync", server_cpu, "s",
                   detail="the server process alone (PostgreSQL apart); the stations are threads of this one "
                          "process here, where a town has a PC each"),
            Figure("town: the week's work made through the services", made_s, "s",
                   detail=f"{pending:,} changes waiting at the stations"),
        ]
        return figures, {"pushed": pushed, "pulled": pulled, "sync_s": sync_s, "made_s": made_s,
                         "pending_before": pending, "converged": converged, "server_cpu_s": server_cpu}
    finally:
        for ctx in nodes:
            ctx.db.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def _work_day(ctx: ServiceContext, n: int, cases: int, day: int, clock: _Clock) -> None:
    head = authenticate(ctx, username=f"head{n + 1:02d}", password="bench-2026")
    materials = [m.code for m in ctx.catalog.item("S08").materials]
    village = ctx_village(ctx)
    person = ""
    for k in range(cases):
        if k % 3 == 0:
            serial = day * cases + k
            person = register_resident(ctx, actor=head, name="李" + "伟芳娜秀英敏静丽强磊"[serial % 10],
                                       id_number=_person_id(n, serial), village=village).id
        accept_case(ctx, actor=head, applicant_id=person, item_code="S08", received_materials=materials)
        clock.tick()


def _converged(town: ServiceContext, nodes: list[ServiceContext]) -> str:
    """Every station holds the town's shared records as the town has them, and the town holds every station's
    records: 'yes', or what differs."""
    from sqlalchemy import text

    from app.persistence import tables as t

    private = {"cases", "case_events", "case_materials", "attachments", "ratings", "follow_ups", "documents",
               "payments", "payment_events", "cash_moves", "day_closes", "chain_links", "station_settings"}

    def picture(ctx: ServiceContext, shared: bool) -> set[tuple[str, str, str]]:
        found = set()
        with ctx.db.engine.connect() as conn:
            for name in t.SYNCED_TABLES:
                if shared and name in private:
                    continue
                found |= {(name, r[0], r[1]) for r in conn.execute(text(f"SELECT id, updated_hlc FROM {name}"))}
        return found

    at_town = picture(town, False)
    shared = picture(town, True)
    union: set[tuple[str, str, str]] = set()
    problems = []
    with town.db.engine.connect() as conn:  # the cases each station should hold, by the pull's rule
        owed = {code: set() for code in (f"QX{n + 1:02d}" for n in range(len(nodes)))}
        for code in owed:
            owed[code] = {r[0] for r in conn.execute(text(
                "SELECT c.id FROM cases c JOIN residents r ON r.id = c.applicant_id "
                "JOIN stations s ON s.code = :code WHERE c.station_code = :code OR r.village_code = s.village_code "
                "OR c.applicant_id IN (SELECT applicant_id FROM cases WHERE station_code = :code)"), {"code": code})}
    for n, ctx in enumerate(nodes):
        mine = picture(ctx, False)
        union |= mine
        if picture(ctx, True) != shared:
            problems.append(f"QX{n + 1:02d} shared records differ")
        held = {i for name, i, _ in mine if name == "cases"}
        if held != owed[f"QX{n + 1:02d}"]:
            problems.append(f"QX{n + 1:02d} holds {len(held)} cases, the rule gives {len(owed[f'QX{n + 1:02d}'])}")
        if rep.pending_count(ctx):
            problems.append(f"QX{n + 1:02d} still has {rep.pending_count(ctx)} waiting")
    if not union <= at_town:
        problems.append(f"{len(union - at_town)} station records missing at the town")
    return "yes" if not problems else "; ".join(problems[:5])
