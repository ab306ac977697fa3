"""Figure 3: ``accept_case`` median with synchronous=FULL, on the generated town.

Each acceptance is a real case (number taken, materials, event, audit entry, change-log rows, one commit
with its fsync) for a resident drawn at random, of a simple item with every material received. The
cases stay in the town's database (a few hundred per run; they do not affect the lookups).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

from app.domain.staff import Actor
from app.services.cases import accept_case
from app.services.context import ServiceContext
from app.services.demo import _demo_value
from app.services.residents import find_residents
from bench.figures import Figure, percentile

ITEM = "S08"
MEDIAN_LIMIT_MS = 5.0


def _pragmas(ctx: ServiceContext) -> dict[str, Any]:
    """What the service's own connections run with (asked on a unit of work's connection)."""
    with ctx.uow() as uow:
        return {p: uow.conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in ("synchronous", "journal_mode")}


def fsync_median_ms(folder: Path, count: int = 50) -> float:
    """What one write + fsync of 4 KiB costs on this disk: the floor under any durable commit."""
    path = folder / "bench-fsync.tmp"
    times = []
    with path.open("wb") as f:
        for _ in range(count):
            t0 = time.perf_counter_ns()
            f.write(b"x" * 4096)
            f.flush()
            os.fsync(f.fileno())
            times.append((time.perf_counter_ns() - t0) / 1e6)
    path.unlink()
    return statistics.median(times)


def run(ctx: ServiceContext, actor: Actor, *, count: int, seed: int) -> tuple[list[Figure], dict[str, Any]]:
    item = ctx.catalog.item(ITEM)
    materials = [m.code for m in item.materials]
    form = {f.key: _demo_value(f.kind.value, f.choices) for f in item.fields if f.required}
    rng = random.Random(seed)
    people = [r.id for q in ("zs", "wl", "lj", "cx", "hm", "zy") for r in find_residents(ctx, query=q).residents]
    pragmas = _pragmas(ctx)
    for _ in range(5):  # warm-up: catalogue, calendar, statement cache
        accept_case(ctx, actor=actor, applicant_id=rng.choice(people), item_code=ITEM,
                    received_materials=materials, form=form)
    times: list[float] = []
    for _ in range(count):
        applicant = rng.choice(people)
        t0 = time.perf_counter_ns()
        result = accept_case(ctx, actor=actor, applicant_id=applicant, item_code=ITEM,
                             received_materials=materials, form=form)
        times.append((time.perf_counter_ns() - t0) / 1e6)
        assert result.accepted
    median = statistics.median(times)
    detail = f"{count} acceptances of {ITEM} {item.name}, all {len(materials)} materials received"
    fsync = fsync_median_ms(ctx.data_dir) if ctx.data_dir else float("nan")
    figures = [
        Figure("accept_case: PRAGMA synchronous (2 = FULL)", float(pragmas["synchronous"]), "", 2,
               detail=f"journal_mode={pragmas['journal_mode']}", op="="),
        Figure("accept_case: median", median, "ms", MEDIAN_LIMIT_MS, detail=detail),
        Figure("accept_case: p95", percentile(times, 95), "ms"),
        Figure("disk: write + fsync 4 KiB, median", fsync, "ms", detail="the floor under every durable commit"),
    ]
    return figures, {"item": ITEM, "count": count, "pragmas": pragmas, "median_ms": median,
                     "p95_ms": percentile(times, 95), "max_ms": max(times), "fsync_median_ms": fsync}
