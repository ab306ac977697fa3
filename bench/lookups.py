"""Figure 1: each resident lookup through ``find_residents`` beside the same indexed query on raw ``sqlite3``.

The raw side runs, with the standard library on the same file, the statements ``find_residents`` issues
(``app.persistence.lookup.SQL``) for that kind of search text, in the same order and with the same early
stop: 4–6 digits are looked up as an ID tail first and as a phone tail only while fewer than ``limit`` rows
were found, exactly as ``find_residents`` does. Both sides run every query once to warm the caches, then
once timed; the timed passes alternate query by query so neither side gets a warmer cache.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.persistence.lookup import SQL, lookup_params
from app.services.context import ServiceContext
from app.services.residents import find_residents, lookup_plan
from bench.figures import Figure, percentile

LIMIT = 30
P95_LIMIT_MS = 2.0
RATIO_LIMIT = 5.0

@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    label: str
    make: Callable[[sqlite3.Row], str]  # a search text from a resident row


KINDS: tuple[Kind, ...] = (
    Kind("id_exact", "exact ID number (18 chars)", lambda r: r["id_number"]),
    Kind("id_last4", "last 4 ID digits", lambda r: r["id_number"][-4:]),
    Kind("id_last6", "last 6 ID digits", lambda r: r["id_number"][-6:]),
    Kind("name_prefix", "surname + first given char", lambda r: r["name"][:2]),
    Kind("initials", "pinyin initials, 2 letters", lambda r: r["name_initials"][:2]),
    Kind("phone_tail8", "last 8 phone digits", lambda r: r["phone"][-8:]),
)


def raw_find(conn: sqlite3.Connection, searches: Sequence[tuple[str, str]], limit: int = LIMIT) -> int:
    """What ``find_residents`` asks SQLite for a search text (its ``lookup_plan``, worked out before the
    clock starts): the same statements in the same order with the same early stop, issued with the standard
    library on its own connection. Returns the rows found."""
    ids: set[str] = set()
    for kind, text in searches:
        left = limit - len(ids)
        if left <= 0:
            break
        for row in conn.execute(SQL[kind], lookup_params(kind, text, left)).fetchall():
            ids.add(row[0])
    return len(ids)


def query_plans(conn: sqlite3.Connection) -> dict[str, list[str]]:
    plans = {}
    for kind, sql in SQL.items():
        params = lookup_params(kind, "0" * 18 if kind == "id_exact" else "zs", LIMIT)
        plans[kind] = [str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
    return plans


def plan_uses_index(plan: Sequence[str]) -> bool:
    """An index search, and no sort of the result (the ORDER BY comes from the index)."""
    return (any("USING INDEX" in p or "USING COVERING INDEX" in p for p in plan)
            and not any(p.startswith("SCAN residents") and "INDEX" not in p for p in plan)
            and not any("TEMP B-TREE" in p for p in plan))


def sample_queries(db: Path, count: int, seed: int) -> dict[str, list[str]]:
    """``count`` search texts per kind, from residents drawn at random from the generated town."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    top = conn.execute("SELECT max(rowid) FROM residents").fetchone()[0]
    rng = random.Random(seed)
    picks = sorted(rng.sample(range(1, top + 1), min(top, count * 3)))
    rows = [r for i in range(0, len(picks), 500)
            for r in conn.execute(f"SELECT * FROM residents WHERE rowid IN ({','.join('?' * len(picks[i:i + 500]))})",
                                  picks[i:i + 500])]
    conn.close()
    rng.shuffle(rows)
    out = {}
    for kind in KINDS:
        texts = [kind.make(r) for r in rows]
        out[kind.name] = [t for t in texts if len(t) >= (7 if kind.name == "phone_tail8" else 2)][:count]
    return out


def _ms(ns: int) -> float:
    return ns / 1e6


def planned_sql(ctx: ServiceContext, query: str) -> list[str]:
    """The statements ``find_residents`` sends to SQLite for one search (shown with ``--verbose``)."""
    return [f"{SQL[kind]}  {lookup_params(kind, text, LIMIT)}" for kind, text in lookup_plan(ctx, query)[1]]


def run(ctx: ServiceContext, db: Path, *, queries: int, seed: int, verbose: bool,
        log: Callable[[str], None]) -> tuple[list[Figure], dict[str, Any]]:
    samples = sample_queries(db, queries, seed)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    plans = query_plans(conn)
    figures: list[Figure] = []
    details: dict[str, Any] = {"plans": plans, "kinds": {}}
    all_indexed = all(plan_uses_index(p) for p in plans.values())
    if verbose:
        for kind, plan in plans.items():
            log(f"  EXPLAIN QUERY PLAN {kind}: {SQL[kind]}")
            for line in plan:
                log(f"      {line}")
    figures.append(Figure("lookup: raw queries use an index (EXPLAIN QUERY PLAN)", 0 if all_indexed else 1,
                          "unindexed", 0, detail="; ".join(f"{k}: {' / '.join(v)}" for k, v in plans.items())))
    for kind in KINDS:
        texts = samples[kind.name]
        if verbose:
            log(f"  {kind.name}: service SQL for {texts[0]!r}:")
            for s in planned_sql(ctx, texts[0]):
                log(f"      {s}")
        found = 0
        searches = {text: lookup_plan(ctx, text)[1] for text in texts}
        for text in texts:  # warm both sides
            found += len(find_residents(ctx, query=text, limit=LIMIT).residents)
            raw_find(conn, searches[text])
        service_ns: list[int] = []
        raw_ns: list[int] = []
        for i, text in enumerate(texts):
            for side in ((0, 1) if i % 2 == 0 else (1, 0)):
                t0 = time.perf_counter_ns()
                if side == 0:
                    find_residents(ctx, query=text, limit=LIMIT)
                    service_ns.append(time.perf_counter_ns() - t0)
                else:
                    raw_find(conn, searches[text])
                    raw_ns.append(time.perf_counter_ns() - t0)
        svc = [_ms(x) for x in service_ns]
        raw = [_ms(x) for x in raw_ns]
        s50, s95, r50, r95 = percentile(svc, 50), percentile(svc, 95), percentile(raw, 50), percentile(raw, 95)
        avg_rows = found / len(texts)
        details["kinds"][kind.name] = {"label": kind.label, "queries": len(texts), "example": texts[0],
                                       "avg_rows": avg_rows, "service_p50_ms": s50, "service_p95_ms": s95,
                                       "raw_p50_ms": r50, "raw_p95_ms": r95}
        info = f"{kind.label}; {len(texts)} queries, {avg_rows:.1f} rows each on average, e.g. {texts[0]!r}"
        figures += [
            Figure(f"lookup {kind.name}: service p95", s95, "ms", P95_LIMIT_MS, detail=info),
            Figure(f"lookup {kind.name}: service p95 / raw p95", s95 / r95, "x", RATIO_LIMIT,
                   detail=f"raw p95 {r95:.3f} ms"),
            Figure(f"lookup {kind.name}: service p50", s50, "ms"),
            Figure(f"lookup {kind.name}: raw sqlite3 p50", r50, "ms"),
            Figure(f"lookup {kind.name}: raw sqlite3 p95", r95, "ms"),
        ]
    conn.close()
    return figures, details
