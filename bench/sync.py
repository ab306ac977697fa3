"""The sync figures (issue 7, first measure): N stations work offline on their own SQLite files (cases
accepted through the services), then all push to one town database on PostgreSQL, and one station pulls the
town's changes. Reported: changes, time and throughput each way. No limit is set yet: the issue's
35-station × 7-day simulation is still to come; this measures the same path at a smaller size."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from typing import Any

from app.persistence.database import Database
from app.services import replication as rep
from app.services.cases import accept_case
from app.services.context import ServiceContext, open_context
from app.services.demo import DEMO_VILLAGES
from app.services.residents import register_resident
from app.services.staff import authenticate
from app.services.station import VillageSpec, init_station
from bench.figures import Figure
from bench.points import _id
from bench.town import DATA

PG_ADMIN = os.environ.get("STATIONDESK_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _station(folder: Any, n: int) -> ServiceContext:
    ctx = open_context(folder)
    code, village = f"QX{n + 1:02d}", DEMO_VILLAGES[n % len(DEMO_VILLAGES)][0]
    init_station(ctx, town_code="330127101", town_name="青溪镇", villages=[VillageSpec(c, v) for c, v in DEMO_VILLAGES],
                 station_code=code, station_name=f"{code}便民服务站", village_code=village,
                 admin_username=f"head{n + 1:02d}", admin_name="站长", admin_password="bench-2026")
    return ctx


def _work(ctx: ServiceContext, n: int, cases: int) -> None:
    head = authenticate(ctx, username=f"head{n + 1:02d}", password="bench-2026")
    item = ctx.catalog.item("S08")
    village = DEMO_VILLAGES[n % len(DEMO_VILLAGES)][0]
    people = [register_resident(ctx, actor=head, name="张" + "伟芳娜秀英敏静丽强磊"[k % 10] + "军洋勇艳杰"[k // 10 % 5],
                                id_number=_id(10_000 * (n + 1) + k), village=village).id for k in range(cases // 3)]
    for k in range(cases):
        accept_case(ctx, actor=head, applicant_id=people[k % len(people)], item_code="S08",
                    received_materials=[m.code for m in item.materials])


def run(*, stations: int = 5, cases: int = 300) -> tuple[list[Figure], dict[str, Any]]:
    from sqlalchemy import create_engine

    name = f"sd_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    folder = DATA / "sync-run"
    shutil.rmtree(folder, ignore_errors=True)
    nodes: list[ServiceContext] = []
    server = ServiceContext(db=Database.open_url(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"))
    try:
        for n in range(stations):
            nodes.append(_station(folder / f"s{n}", n))
            _work(nodes[-1], n, cases)
        pushed = 0
        t0 = time.perf_counter()
        for n, ctx in enumerate(nodes):
            while True:
                batch = rep.outbox(ctx, limit=500)
                if not batch:
                    break
                done = rep.receive(server, station_code=f"QX{n + 1:02d}", changes=batch)
                rep.mark_pushed(ctx, done.accepted)
                pushed += len(done.accepted)
        push_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        pulled = 0
        while True:
            page, cursor, more = rep.log_page(server, after=rep.cursor(nodes[0]), limit=500)
            rep.apply_pulled(nodes[0], changes=page, cursor=cursor)
            pulled += len(page)
            if not more:
                break
        pull_s = time.perf_counter() - t0
        figures = [
            Figure(f"sync: {stations} stations × {cases} cases pushed to PostgreSQL", push_s, "s",
                   detail=f"{pushed:,} changes, {pushed / push_s:,.0f} changes/s, batches of 500"),
            Figure("sync: one station pulls the town's changes", pull_s, "s",
                   detail=f"{pulled:,} changes, {pulled / pull_s:,.0f} changes/s"),
        ]
        return figures, {"pushed": pushed, "push_s": push_s, "pulled": pulled, "pull_s": pull_s}
    finally:
        for ctx in nodes:
            ctx.db.dispose()
        server.db.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)
