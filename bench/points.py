"""The points figures (issue 5): a redemption at the counter (service call and durable commit), and a
household's statement when its account holds 10,000 ledger entries. A fresh station in bench/data/, removed
afterwards; the long ledger is written through ``apply_entries`` (the sync's way in) in one transaction."""

from __future__ import annotations

import random
import shutil
import statistics
import time
from datetime import date, datetime, timedelta
from typing import Any

from app.domain.ids import new_id
from app.services import points as svc
from app.services.context import open_context
from app.services.demo import DEMO_VILLAGES
from app.services.residents import register_resident
from app.services.staff import authenticate
from app.services.station import VillageSpec, init_station
from bench.figures import Figure, percentile
from bench.town import DATA

REDEEM_LIMIT_MS = 5.0
STATEMENT_LIMIT_MS = 50.0
LEDGER_ENTRIES = 10_000


def _id(seed: int) -> str:
    """A valid 18-digit ID (check digit by GB 11643) for a made-up resident."""
    body = f"330127{1950 + seed % 50}{(seed % 12) + 1:02d}{(seed % 28) + 1:02d}{seed % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def run(*, redemptions: int = 300, seed: int = 7) -> tuple[list[Figure], dict[str, Any]]:
    folder = DATA / "points-run"
    shutil.rmtree(folder, ignore_errors=True)
    ctx = open_context(folder)
    try:
        init_station(ctx, town_code="330127101", town_name="青溪镇",
                     villages=[VillageSpec(c, n) for c, n in DEMO_VILLAGES], station_code="QX01",
                     station_name="青溪村便民服务站", village_code="V01", admin_username="zhanzhang",
                     admin_name="王秀英", admin_password="bench-2026")
        head = authenticate(ctx, username="zhanzhang", password="bench-2026")
        long_ = register_resident(ctx, actor=head, name="张大山", id_number=_id(1), village="V01",
                                  household_no="V01-000001", relation="户主").id
        buyer = register_resident(ctx, actor=head, name="李秀英", id_number=_id(2), village="V01",
                                  household_no="V01-000002", relation="户主").id
        for code, name, price in (("XZ", "香皂", 8), ("XYY", "洗衣液", 48), ("ZJ", "抽纸", 15)):
            svc.save_goods(ctx, actor=head, code=code, name=name, price=price)
            svc.move_stock(ctx, actor=head, code=code, quantity=100_000)
        # Open both accounts through the services (a declaration opens one), then give them their history.
        rng = random.Random(seed)
        accounts = {}
        for who in (long_, buyer):
            d = svc.declare(ctx, actor=head, resident_id=who, indicator="T14")  # opens the account
            accounts[who] = d.account_id
        start = datetime(2021, 1, 1, 8, 0)
        rows = []
        balance = 100
        for i in range(LEDGER_ENTRIES):
            at = start + timedelta(minutes=250 * i)
            if balance > 160 and rng.random() < 0.45:
                points, kind = -rng.choice((8, 15, 48)), "redemption"
            else:
                points, kind = rng.choice((2, 3, 5, 10, 20)), "award"
            balance += points
            rows.append({"id": new_id(), "account_id": accounts[long_], "kind": kind, "points": points,
                         "at": at.isoformat(timespec="seconds"), "station_code": "QX01",
                         "expires_on": date(at.year, 12, 31) if kind == "award" else None,
                         "reason": "bench"})
        rows.append({"id": new_id(), "account_id": accounts[buyer], "kind": "correction", "points": 1_000_000,
                     "at": "2026-01-01T08:00:00", "station_code": "QX01", "reason": "bench"})
        svc.apply_entries(ctx, entries=rows)

        for _ in range(5):  # warm-up
            svc.statement(ctx, account_id=accounts[long_])
        stmt: list[float] = []
        for _ in range(30):
            t0 = time.perf_counter_ns()
            s = svc.statement(ctx, account_id=accounts[long_])
            stmt.append((time.perf_counter_ns() - t0) / 1e6)
        assert len(s.lines) == LEDGER_ENTRIES + 1  # the opening entry and the history

        picks = [[("XZ", 2)], [("XYY", 1), ("ZJ", 2)], [("ZJ", 1)], [("XZ", 1), ("XYY", 1)]]
        for _ in range(5):
            svc.redeem(ctx, actor=head, resident_id=buyer, lines=rng.choice(picks))
        red: list[float] = []
        for _ in range(redemptions):
            lines = rng.choice(picks)
            t0 = time.perf_counter_ns()
            svc.redeem(ctx, actor=head, resident_id=buyer, lines=lines)
            red.append((time.perf_counter_ns() - t0) / 1e6)
        red_median, stmt_median = statistics.median(red), statistics.median(stmt)
        figures = [
            Figure("points: redemption (service call + durable commit), median", red_median, "ms", REDEEM_LIMIT_MS,
                   detail=f"{redemptions} redemptions of 1–3 goods, stock and balance checked in the transaction"),
            Figure("points: redemption p95", percentile(red, 95), "ms"),
            Figure(f"points: statement of a household with {LEDGER_ENTRIES:,} entries, median", stmt_median, "ms",
                   STATEMENT_LIMIT_MS, detail="every entry with its running balance, lots replayed for expiry"),
        ]
        return figures, {"redemption_median_ms": red_median, "redemption_p95_ms": percentile(red, 95),
                         "statement_median_ms": stmt_median, "statement_max_ms": max(stmt)}
    finally:
        ctx.db.dispose()
        shutil.rmtree(folder, ignore_errors=True)
