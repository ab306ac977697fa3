"""The generated town: a roster CSV streamed to disk and a station folder set up through the services."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.domain.staff import Actor
from app.persistence.engine import DB_FILE
from app.services.context import ServiceContext, open_context
from app.services.demo import (
    DEMO_PASSWORD,
    DEMO_STAFF,
    DEMO_STATION,
    DEMO_TOWN,
    DEMO_VILLAGES,
    ROSTER_HEADER,
    roster_rows,
)
from app.services.imports import ImportReport, import_residents
from app.services.staff import authenticate
from app.services.station import VillageSpec, init_station

DATA = Path(__file__).resolve().parent / "data"
SEED = 20261123
TODAY = date(2026, 11, 1)  # the roster's "today", fixed so every run generates the same town


def roster_path(residents: int) -> Path:
    return DATA / f"roster-{residents}.csv"


def write_roster(residents: int) -> Path:
    """Stream ``residents`` roster rows to a CSV (UTF-8 with BOM, like Excel writes); reused when present."""
    path = roster_path(residents)
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(ROSTER_HEADER)
        w.writerows(roster_rows(residents, seed=SEED, today=TODAY))  # a generator: never a list of 1M rows
    tmp.replace(path)
    return path


def new_station(folder: Path) -> tuple[ServiceContext, Actor]:
    """A fresh station in ``folder`` (removed first), set up as ``build_demo`` does, without residents."""
    if folder.exists():
        shutil.rmtree(folder)
    ctx = open_context(folder)
    town_code, town_name = DEMO_TOWN
    station_code, station_name, village = DEMO_STATION
    init_station(ctx, town_code=town_code, town_name=town_name,
                 villages=[VillageSpec(c, n) for c, n in DEMO_VILLAGES], station_code=station_code,
                 station_name=station_name, village_code=village, admin_username=DEMO_STAFF[0][0],
                 admin_name=DEMO_STAFF[0][1], admin_password=DEMO_PASSWORD, phone="0571-64812345",
                 supervision_phone="12345")
    return ctx, head(ctx)


def head(ctx: ServiceContext) -> Actor:
    return authenticate(ctx, username=DEMO_STAFF[0][0], password=DEMO_PASSWORD)


@dataclass(frozen=True, slots=True)
class Town:
    folder: Path
    ctx: ServiceContext
    head: Actor
    residents: int
    built: ImportReport | None  # the import that built it in this run; None when reused


def town_folder(residents: int) -> Path:
    return DATA / f"town-{residents}"


def _ready_marker(folder: Path) -> Path:
    return folder / "bench-ready.txt"


def resident_count(ctx: ServiceContext) -> int:
    with ctx.uow() as uow:
        return uow.repos.residents.count()


def open_town(residents: int) -> Town:
    """The town of ``residents`` people in ``bench/data/town-<N>/``: reused when it already holds them,
    else built from the roster through ``import_residents``."""
    folder = town_folder(residents)
    if _ready_marker(folder).exists() and (folder / DB_FILE).exists():
        ctx = open_context(folder)  # migrates an older town's schema, as a station's start does
        if resident_count(ctx) == residents:
            return Town(folder, ctx, head(ctx), residents, None)
        ctx.db.dispose()
    roster = write_roster(residents)
    ctx, actor = new_station(folder)
    report = import_residents(ctx, actor=actor, path=roster)
    _ready_marker(folder).write_text(f"{datetime.now():%Y-%m-%d %H:%M:%S} {report.created} residents\n",
                                     encoding="utf-8")
    return Town(folder, ctx, actor, residents, report)
