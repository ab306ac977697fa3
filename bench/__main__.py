"""``python -m bench``: measure each figure beside its limit, print a table, write JSON to bench/out/.

    python -m bench                      # the 1,000,000-resident town (built once in bench/data/town-1000000)
    python -m bench --quick              # 50,000 residents, fewer samples: a smoke run
    python -m bench --only lookups       # one group (repeatable): lookups | import | accept | ui | printing |
                                         # points | money | sync | town | installer (town and installer:
                                         # long, only when asked)
    python -m bench --verbose            # also the query plans and the SQL the service sends
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from app.persistence.engine import DB_FILE
from bench import accept, installer, lookups, money, points, printing, sync, ui
from bench.figures import Figure, table
from bench.machine import cpu_times, machine_info, stolen_share
from bench.town import DATA, open_town, write_roster

GROUPS = ("lookups", "import", "accept", "ui", "printing", "points", "money", "sync", "town", "installer")
# The town simulation and the installer's builds are long: run them with --only town / --only installer.
DEFAULT_GROUPS = [g for g in GROUPS if g not in ("town", "installer")]
IMPORT_LIMIT_S = 90.0
OUT = Path(__file__).resolve().parent / "out"


def _log(text: str) -> None:
    print(text, flush=True)


def measure_import(residents: int) -> tuple[list[Figure], dict[str, Any]]:
    """Import the roster into a fresh station in bench/data/import-<N>/ (removed afterwards) in a child
    process, so the peak RSS is the import's own."""
    write_roster(residents)
    folder = DATA / f"import-{residents}"
    try:
        out = subprocess.run([sys.executable, "-m", "bench.importer", str(residents), str(folder)],
                             check=True, capture_output=True, text=True).stdout
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = json.loads(out.strip().splitlines()[-1])
    detail = f"{result['created']:,} created of {result['rows']:,} rows, {result['rejected']} rejected"
    return [
        Figure(f"import {residents:,} residents from CSV", result["seconds"], "s",
               IMPORT_LIMIT_S * residents / 1_000_000 if residents != 1_000_000 else IMPORT_LIMIT_S, detail=detail),
        Figure("import: peak RSS (importing process)", result["peak_rss_mib"], "MiB"),
        Figure("import: peak RSS (its roster reader process)", result["reader_peak_rss_mib"], "MiB"),
    ], result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--residents", type=int, default=1_000_000)
    p.add_argument("--quick", action="store_true", help="50,000 residents and fewer samples")
    p.add_argument("--only", choices=GROUPS, action="append", help="run only this group (repeatable)")
    p.add_argument("--queries", type=int, default=None, help="queries per lookup kind (default 300; quick 100)")
    p.add_argument("--accepts", type=int, default=None, help="acceptances (default 300; quick 100)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--backlog", type=int, default=100_000, help="sync: changes in the backlog (default 100,000)")
    p.add_argument("--stations", type=int, default=35, help="town: stations (default 35)")
    p.add_argument("--per-day", type=int, default=300, help="town: cases a day at each station (default 300)")
    p.add_argument("--verbose", "-v", action="store_true")
    args = p.parse_args(argv)
    residents = 50_000 if args.quick else args.residents
    queries = args.queries or (100 if args.quick else 300)
    accepts = args.accepts or (100 if args.quick else 300)
    groups = args.only or DEFAULT_GROUPS
    started = datetime.now()
    machine = machine_info(DATA)
    cpu_before = cpu_times()
    _log(f"StationDesk bench — {residents:,} residents — {started:%Y-%m-%d %H:%M:%S}")
    for k, v in machine.items():
        _log(f"  {k:<16} {v}")

    figures: list[Figure] = []
    details: dict[str, Any] = {}
    town_built_here = False
    if "lookups" in groups or "accept" in groups or "ui" in groups:
        t0 = time.perf_counter()
        _log(f"town: bench/data/town-{residents} …")
        town = open_town(residents)
        _log(f"town ready in {time.perf_counter() - t0:.0f} s "
             f"({'built now' if town.built else 'reused: it already holds the residents'})")
        town_built_here = town.built is not None
        if "lookups" in groups:
            _log(f"lookups: {queries} queries per kind …")
            f, d = lookups.run(town.ctx, town.folder / DB_FILE, queries=queries, seed=args.seed,
                               verbose=args.verbose, log=_log)
            figures += f
            details["lookups"] = d
        if "accept" in groups:
            _log(f"accept_case: {accepts} acceptances …")
            f, d = accept.run(town.ctx, town.head, count=accepts, seed=args.seed)
            figures += f
            details["accept"] = d
        if "ui" in groups:
            _log("ui: cold start (fresh processes), search as you type, GUI stalls …")
            f, d = ui.cold_start(town.folder)
            figures += f
            details["ui_start"] = d
            samples = lookups.sample_queries(town.folder / DB_FILE, 60, args.seed)
            texts = [t for kind in ("id_last4", "name_prefix", "initials", "id_last6") for t in samples[kind][:15]]
            f, d = ui.interactive(town.ctx, town.head, texts, sessions=20, log=_log)
            figures += f
            details["ui"] = d
        town.ctx.db.dispose()
    if "printing" in groups:  # frozen data only: no town needed
        _log("printing: receipt with QR vs a plain page, A4 notice, lazy font registration …")
        f, d = printing.run()
        figures += f
        details["printing"] = d
    if "points" in groups:  # a station of its own: no town needed
        _log("points: redemptions, and a statement of 10,000 entries …")
        f, d = points.run(seed=args.seed)
        figures += f
        details["points"] = d
    if "money" in groups:  # a station of its own: no town needed
        _log("money: payments with their receipts, and the daily close of 1,000 cases …")
        f, d = money.run(seed=args.seed)
        figures += f
        details["money"] = d
    if "sync" in groups:  # stations of their own and a town server on the local PostgreSQL
        _log(f"sync: a {args.backlog:,}-change backlog pushed and pulled over HTTP, raw insert, idle syncs …")
        f, d = sync.run(backlog=args.backlog)
        figures += f
        details["sync"] = d
    if "town" in groups:
        _log(f"town: {args.stations} stations × 7 days × {args.per_day} cases offline, then all sync at once …")
        f, d = sync.run_town(stations=args.stations, per_day=args.per_day)
        figures += f
        details["town"] = d
    if "installer" in groups:  # builds in a scratch folder of its own: several minutes
        _log("installer: the bundle and the installer built from scratch, the bundled counter's start, wine …")
        f, d = installer.run(log=_log)
        figures += f
        details["installer"] = d
    if "import" in groups:
        _log(f"import: {residents:,} residents into a fresh station (child process) …")
        f, d = measure_import(residents)
        figures += f
        details["import"] = d

    stolen = stolen_share(cpu_before, cpu_times())
    if stolen is not None:
        figures.append(Figure("machine: CPU time the host took for others during the run (steal)", stolen, "%",
                              detail="a shared virtual machine; timings taken with much steal are pessimistic"))
    _log("")
    _log(table(figures))
    misses = [f.name for f in figures if f.result == "MISS"]
    _log(f"\n{len(misses)} miss(es)" + (": " + "; ".join(misses) if misses else ""))
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"bench-{residents}-{started:%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({
        "started": started.isoformat(timespec="seconds"), "residents": residents, "groups": groups,
        "town_built_in_this_run": town_built_here, "machine": machine,
        "figures": [f.as_json() for f in figures], "details": details,
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    _log(f"JSON: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
