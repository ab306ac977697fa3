"""What every service call needs: the database, this station, the catalogue, the calendar and the time."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from app.domain.calendar import LunarTable, WorkCalendar, parse_calendar, parse_lunar_table
from app.domain.catalog import Catalog, CatalogScope, build_catalog, parse_catalog
from app.domain.errors import DomainError
from app.domain.town import Station, Town, Village
from app.paths import resource
from app.persistence.database import Database
from app.persistence.keystore import KeyStore, station_keys
from app.persistence.storage import IDENTITY_FILE
from app.persistence.uow import UnitOfWork

CALENDAR_ID = "work-calendar"


def iso_time(moment: datetime) -> str:
    """A moment as every record keeps it (to the second, local time)."""
    return moment.isoformat(timespec="seconds")
IDENTITY_FORMAT = "stationdesk-station"

log = logging.getLogger(__name__)


@cache
def shipped_lunar_table() -> LunarTable:
    """The lunar holidays' dates shipped with the program (resources/calendar/lunar-holidays.json): what a
    year the town has not published yet is estimated with."""
    name = "lunar-holidays.json"
    try:
        data = json.loads(resource("calendar", name).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise DomainError("calendar.invalid", source=name, path="", reason="bad_format") from e
    return parse_lunar_table(data, source=name)


def parse_calendar_text(body: str, *, source: str) -> WorkCalendar:
    try:
        data = json.loads(body)
    except json.JSONDecodeError as e:
        raise DomainError("calendar.invalid", source=source, path=f"line {e.lineno}", reason="bad_format") from e
    return parse_calendar(data, source=source, lunar=shipped_lunar_table())


def read_calendar_file(path: Path) -> tuple[WorkCalendar, str]:
    """A calendar file checked and parsed, with its text (for storing as published)."""
    try:
        body = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise DomainError("file.not_found", path=str(path)) from e
    except UnicodeDecodeError as e:
        raise DomainError("calendar.invalid", source=path.name, path="", reason="bad_format") from e
    return parse_calendar_text(body, source=path.name), body


def shipped_calendar() -> WorkCalendar:
    return read_calendar_file(resource("calendar", "cn-holidays.json"))[0]


@dataclass
class ServiceContext:
    """Handed to every service function. ``now`` is injectable so tests can move time."""

    db: Database
    now: Callable[[], datetime] = datetime.now
    _catalog: Catalog | None = field(default=None, repr=False)
    _calendar: WorkCalendar | None = field(default=None, repr=False)
    _villages: dict[str, str] | None = field(default=None, repr=False)
    _station: Station | None = field(default=None, repr=False)
    _keys: KeyStore | None = field(default=None, repr=False)

    def uow(self) -> UnitOfWork:
        """A write transaction (takes SQLite's write lock at once, so writers queue instead of failing)."""
        return self.db.unit_of_work()

    def read(self) -> UnitOfWork:
        """A read-only transaction: a consistent snapshot that never waits for, or blocks, a writer."""
        return self.db.unit_of_work(read_only=True)

    @property
    def data_dir(self) -> Path | None:
        return self.db.folders.root if self.db.folders else None

    @property
    def keys(self) -> KeyStore:
        """The secrets this station keeps apart from its database (``keys/`` in the data folder; in memory
        for a database opened without one). Secrets never go in the database: it travels in every backup."""
        if self._keys is None:
            self._keys = station_keys(self.data_dir)
        return self._keys

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = self._load_catalog()
        return self._catalog

    def catalog_changed(self) -> None:
        self._catalog = None

    @property
    def calendar(self) -> WorkCalendar:
        """The town's published calendar when there is one, else the one shipped with the program."""
        if self._calendar is None:
            with self.read() as uow:
                row = uow.repos.calendar.current()
            self._calendar = (parse_calendar_text(row["body"], source=row["calendar_id"]) if row
                              else shipped_calendar())
        return self._calendar

    def calendar_changed(self) -> None:
        self._calendar = None

    def village_names(self, uow: UnitOfWork | None = None) -> dict[str, str]:
        """Village code -> name, read once (every search result shows it; villages rarely change).
        Pass the open unit of work when there is one."""
        if not self._villages:
            if uow is None:
                with self.read() as reader:
                    self._villages = {v["code"]: v["name"] for v in reader.repos.town.villages()}
            else:
                self._villages = {v["code"]: v["name"] for v in uow.repos.town.villages()}
        return self._villages

    def town_changed(self) -> None:
        """The town, its villages or this station were edited: forget what was read once."""
        self._villages = None
        self._station = None

    def _load_catalog(self) -> Catalog:
        with self.read() as uow:
            rows = uow.repos.catalog.files()
        if not rows:
            raise DomainError("station.not_initialised")
        files = [parse_catalog(json.loads(r["body"]), source=r["catalog_id"]) for r in rows]
        standard = [f for f in files if f.scope is CatalogScope.STANDARD]
        others = [f for f in files if f.scope is not CatalogScope.STANDARD]
        if len(standard) != 1:
            raise DomainError("catalog.no_standard")
        return build_catalog(standard[0], *others)

    # -- station facts ----------------------------------------------------------------------
    def station_code(self, uow: UnitOfWork) -> str:
        return self.station(uow).code

    def station(self, uow: UnitOfWork) -> Station:
        """This station, read once per context (``town_changed`` forgets it)."""
        if self._station is None:
            code = uow.meta_get("station_code")
            row = uow.repos.town.station(code) if code else None
            if row is None:
                raise DomainError("station.not_initialised")
            self._station = Station(code=row["code"], name=row["name"], town_code=row["town_code"],
                                    village_code=row["village_code"], phone=row["phone"],
                                    supervision_phone=row["supervision_phone"])
        return self._station

    def town(self, uow: UnitOfWork) -> Town:
        row = uow.repos.town.town()
        if row is None:
            raise DomainError("station.not_initialised")
        villages = tuple(Village(code=v["code"], name=v["name"], town_code=v["town_code"])
                         for v in uow.repos.town.villages())
        return Town(code=row["code"], name=row["name"], villages=villages)


def open_context(data_dir: Path, *, now: Callable[[], datetime] = datetime.now) -> ServiceContext:
    """Open the station in ``data_dir`` (back up + migrate on start) and build its context."""
    db = Database.open_folder(data_dir)
    ctx = ServiceContext(db=db, now=now)
    remember_station(ctx)
    from app.services import seals  # (it needs the context: imported here, not at the top)

    seals.prepare(ctx)  # the key its audit entries and chain links are sealed with, kept apart from the file
    return ctx


# -- the identity file ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class StationIdentity:
    """Which station lives in a data folder: what a restore checks a backup against when the station's own
    file cannot be read (damaged, empty or missing)."""

    station_code: str
    town_code: str
    station_name: str = ""


def remember_station(ctx: ServiceContext) -> StationIdentity | None:
    """Writes ``station.json`` in the data folder (the station's and the town's codes) when the station is set
    up and the file does not say so already: opened at every start and after set-up. Never fails the caller:
    a folder that cannot be written is logged."""
    if ctx.data_dir is None:
        return None
    try:
        with ctx.read() as uow:
            if not uow.meta_get("station_code"):
                return None  # a new installation, not set up yet
            st = ctx.station(uow)
    except DomainError:
        return None
    identity = StationIdentity(station_code=st.code, town_code=st.town_code, station_name=st.name)
    path = ctx.data_dir / IDENTITY_FILE
    if read_station_identity(ctx.data_dir) == identity:
        return identity
    body = json.dumps({"format": IDENTITY_FORMAT, "station_code": identity.station_code,
                       "town_code": identity.town_code, "station_name": identity.station_name,
                       "written_at": ctx.now().isoformat(timespec="seconds")}, ensure_ascii=False, indent=1)
    part = path.with_name(path.name + ".part")
    try:
        with part.open("w", encoding="utf-8") as f:
            f.write(body + "\n")
            f.flush()
            os.fsync(f.fileno())
        part.replace(path)
    except OSError:
        log.warning("could not write %s", path, exc_info=True)
    return identity


def read_station_identity(data_dir: Path) -> StationIdentity | None:
    """What ``station.json`` in ``data_dir`` says, or None (no file, or not one of ours)."""
    try:
        data = json.loads((data_dir / IDENTITY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != IDENTITY_FORMAT or not data.get("station_code"):
        return None
    return StationIdentity(station_code=str(data["station_code"]), town_code=str(data.get("town_code") or ""),
                           station_name=str(data.get("station_name") or ""))
