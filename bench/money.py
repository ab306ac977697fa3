"""The money figures (issue 6): a payment taken at the counter with its receipt drawn (service call, durable
commit, PDF), and the daily close of a day with 1,000 cases. A fresh station in bench/data/, removed
afterwards; every case and payment goes through the services, as at the counter."""

from __future__ import annotations

import random
import shutil
import statistics
import time
from datetime import datetime, timedelta
from typing import Any

from app.printing.documents import issue
from app.services import cash, closing
from app.services.cases import accept_case
from app.services.context import open_context
from app.services.demo import DEMO_VILLAGES
from app.services.payments import payment_event, record_payment
from app.services.residents import register_resident
from app.services.staff import authenticate
from app.services.station import VillageSpec, init_station
from bench.figures import Figure, percentile
from bench.points import _id
from bench.town import DATA

PAYMENT_LIMIT_MS = 30.0
CLOSE_LIMIT_MS = 1000.0
CLOSE_CASES = 1000


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.at = start

    def now(self) -> datetime:
        self.at += timedelta(seconds=1)  # a busy counter: the whole run stays within one working day
        return self.at


def run(*, payments: int = 200, seed: int = 7) -> tuple[list[Figure], dict[str, Any]]:
    folder = DATA / "money-run"
    shutil.rmtree(folder, ignore_errors=True)
    clock = _Clock(datetime(2026, 11, 23, 8, 0))
    ctx = open_context(folder, now=clock.now)
    try:
        init_station(ctx, town_code="330127101", town_name="青溪镇",
                     villages=[VillageSpec(c, n) for c, n in DEMO_VILLAGES], station_code="QX01",
                     station_name="青溪村便民服务站", village_code="V01", admin_username="zhanzhang",
                     admin_name="王秀英", admin_password="bench-2026")
        head = authenticate(ctx, username="zhanzhang", password="bench-2026")
        people = [register_resident(ctx, actor=head, name="张" + "伟芳娜秀英敏静丽强磊"[n % 10] + "军洋勇艳"[n // 10],
                                    id_number=_id(100 + n), village="V01").id for n in range(40)]
        water = ctx.catalog.item("N01")
        rng = random.Random(seed)

        def bill() -> str:
            return accept_case(ctx, actor=head, applicant_id=rng.choice(people), item_code="N01",
                               received_materials=[m.code for m in water.materials],
                               form={"account_no": f"3301270{rng.randrange(10**5):05d}",
                                     "amount": f"{rng.randrange(500, 30000) / 100:.2f}"}).case.case_no

        cash.open_drawer(ctx, actor=head, float_fen=20000)
        for _ in range(5):  # warm-up: the printing code and fonts load once per process
            case = bill()
            record_payment(ctx, actor=head, case_id=case, tendered_fen=50000)
            issue(ctx, actor=head, kind="payment", subject=case)
        taken: list[float] = []
        for _ in range(payments):
            case = bill()
            t0 = time.perf_counter_ns()
            record_payment(ctx, actor=head, case_id=case, tendered_fen=50000)
            issue(ctx, actor=head, kind="payment", subject=case)
            taken.append((time.perf_counter_ns() - t0) / 1e6)

        # The rest of a 1,000-case day: bills paid in cash and by QR, a few voided, the drawer counted.
        made = payments + 5
        n = 0
        while made < CLOSE_CASES:
            case = bill()
            n += 1
            if n % 3:
                paid = record_payment(ctx, actor=head, case_id=case, tendered_fen=50000)
            else:
                paid = record_payment(ctx, actor=head, case_id=case, method="微信", reference=f"4200{n:016d}")
            if n % 50 == 0:
                payment_event(ctx, actor=head, payment_id=paid.id, event="voided", reason="重复收费", approver=head)
            made += 1
        drawer = cash.current_drawer(ctx)
        assert drawer is not None
        rest = drawer.expected_fen
        count = {}
        for fen in (10000, 5000, 2000, 1000, 500, 100, 50, 10):
            count[fen], rest = divmod(rest, fen)
        cash.close_drawer(ctx, actor=head, count=count)
        day = clock.at.date()
        t0 = time.perf_counter_ns()
        done = closing.close_day(ctx, actor=head, day=day)
        close_ms = (time.perf_counter_ns() - t0) / 1e6
        t0 = time.perf_counter_ns()
        report = issue(ctx, actor=head, kind="day-close", subject=day.isoformat())
        print_ms = (time.perf_counter_ns() - t0) / 1e6
        cases = sum(c.count for c in done.sheet.cases)
        assert cases >= CLOSE_CASES, cases
        median = statistics.median(taken)
        figures = [
            Figure("money: cash payment + its 80 mm receipt (service, commit, PDF), median", median, "ms",
                   PAYMENT_LIMIT_MS, detail=f"{payments} bills paid in cash with change, each receipt drawn"),
            Figure("money: payment + receipt p95", percentile(taken, 95), "ms"),
            Figure(f"money: daily close of a day with {cases:,} cases", close_ms, "ms", CLOSE_LIMIT_MS,
                   detail="counts by item, state and method, drawers, voids, late records, chain head; stored"),
            Figure("money: the close's A4 report drawn and numbered", print_ms, "ms",
                   detail=f"{len(report.pdf) // 1024} KB"),
        ]
        return figures, {"payment_median_ms": median, "payment_p95_ms": percentile(taken, 95),
                         "close_ms": close_ms, "close_cases": cases, "close_print_ms": print_ms}
    finally:
        ctx.db.dispose()
        shutil.rmtree(folder, ignore_errors=True)
