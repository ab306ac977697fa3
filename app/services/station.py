"""Setting up a station: the town and its villages, this station, the catalogue and the first admin."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.domain.catalog import CatalogFile, CatalogScope, build_catalog, parse_catalog
from app.domain.errors import Conflict, DomainError, ValidationFailed
from app.domain.ids import stable_id
from app.domain.staff import Actor, Permission, Post, Role
from app.domain.town import check_code, check_name
from app.paths import resource
from app.persistence.uow import UnitOfWork
from app.services.context import CALENDAR_ID, ServiceContext, read_calendar_file, remember_station
from app.services.staff import StaffView, create_staff


@dataclass(frozen=True, slots=True)
class VillageSpec:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class StationView:
    town_code: str
    town_name: str
    station_code: str
    station_name: str
    village_code: str
    villages: tuple[VillageSpec, ...]
    phone: str
    supervision_phone: str
    catalog_versions: tuple[tuple[str, str], ...]


def read_catalog_file(path: Path) -> tuple[CatalogFile, str]:
    try:
        body = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise DomainError("file.not_found", path=str(path)) from e
    except UnicodeDecodeError as e:
        raise ValidationFailed({path.name: DomainError("file.not_utf8", path=path.name)}, code="catalog.invalid",
                               source=path.name) from e
    try:
        data = json.loads(body)
    except json.JSONDecodeError as e:
        raise ValidationFailed({path.name: DomainError("file.not_json", line=e.lineno, column=e.colno, reason=e.msg)},
                               code="catalog.invalid", source=path.name) from e
    return parse_catalog(data, source=path.name), body


def shipped_catalog_files() -> list[Path]:
    return [resource("catalog", "standard-47.json"), resource("catalog", "town-n.json")]


def init_station(
    ctx: ServiceContext,
    *,
    town_code: str,
    town_name: str,
    villages: Sequence[VillageSpec],
    station_code: str,
    station_name: str,
    village_code: str,
    admin_username: str,
    admin_name: str,
    admin_password: str,
    phone: str = "",
    supervision_phone: str = "12345",
    catalog_files: Sequence[Path] | None = None,
) -> StationView:
    """Create the town, its villages, this station, the catalogue and the first station head."""
    town_code = check_code("town", town_code)
    station_code = check_code("station", station_code)
    town_name = check_name("town", town_name)
    station_name = check_name("station", station_name)
    clean_villages = [VillageSpec(check_code("village", v.code), check_name("village", v.name)) for v in villages]
    if not clean_villages:
        raise DomainError("town.no_villages")
    codes = [v.code for v in clean_villages]
    if len(set(codes)) != len(codes):
        raise DomainError("town.duplicate_village")
    if village_code not in codes:
        raise DomainError("town.unknown_village", village=village_code, known="、".join(codes))
    parsed = [read_catalog_file(p) for p in (catalog_files or shipped_catalog_files())]
    build_catalog(*[f for f, _ in parsed])  # validates the combination before anything is written

    with ctx.uow() as uow:
        if uow.meta_get("station_code"):
            raise Conflict("station.already_initialised", station=uow.meta_get("station_code"))
        uow.meta_set("station_code", station_code)
        uow.origin = station_code
        # The town's reference records have ids made from their codes: every station of the town makes the same
        # rows, so they meet at the town server as one record, not as a clash of two.
        uow.add("towns", {"id": stable_id("town", town_code), "code": town_code, "name": town_name})
        for v in clean_villages:
            uow.add("villages", {"id": stable_id("village", v.code), "town_code": town_code, "code": v.code,
                                 "name": v.name})
        uow.add("stations", {"id": stable_id("station", station_code), "code": station_code, "name": station_name,
                             "town_code": town_code,
                             "village_code": village_code, "phone": phone,
                             "supervision_phone": supervision_phone})
        for f, body in parsed:
            _store_catalog(uow, f, body)
        admin = create_staff(uow, username=admin_username, display_name=admin_name, staff_no="001",
                             role=Role.HEAD, post=Post.A, password=admin_password, station_code=station_code)
        uow.audit(staff_id=admin.id, action="station.init", target_type="station", target_id=station_code,
                  detail={"town": town_code, "villages": codes}, at=ctx.now())
        uow.commit()
    ctx.catalog_changed()
    ctx.town_changed()
    remember_station(ctx)  # station.json: which station lives here, even when its database cannot be read
    return station_view(ctx)


def _store_catalog(uow: UnitOfWork, f: CatalogFile, body: str) -> None:
    existing = uow.repos.catalog.by_catalog_id(f.catalog_id)
    values = {"catalog_id": f.catalog_id, "scope": f.scope.value, "version": f.version, "body": body}
    if existing is None:
        uow.add("catalog_files", {"id": stable_id("catalog", f.catalog_id), **values})
    else:
        uow.change("catalog_files", existing["id"], values)


def install_catalog_file(ctx: ServiceContext, *, actor: Actor, path: Path) -> tuple[str, str]:
    """Install or update a town (N) or station-local catalogue file; the standard 47 are locked."""
    f, body = read_catalog_file(path)
    if f.scope is CatalogScope.STANDARD or f.scope is CatalogScope.TOWN:
        actor.require(Permission.TOWN_ADMIN)
    else:
        actor.require(Permission.CATALOG_LOCAL)
    with ctx.uow() as uow:
        current = {r["catalog_id"]: r for r in uow.repos.catalog.files()}
        files = [parse_catalog(json.loads(r["body"]), source=cid) for cid, r in current.items() if cid != f.catalog_id]
        standard = [x for x in [*files, f] if x.scope is CatalogScope.STANDARD]
        others = [x for x in [*files, f] if x.scope is not CatalogScope.STANDARD]
        if len(standard) != 1:
            raise DomainError("catalog.no_standard")
        build_catalog(standard[0], *others)
        _store_catalog(uow, f, body)
        uow.audit(staff_id=actor.staff_id, action="catalog.install", target_type="catalog",
                  target_id=f.catalog_id, detail={"version": f.version}, at=ctx.now())
        uow.commit()
    ctx.catalog_changed()
    return f.catalog_id, f.version


def install_calendar_file(ctx: ServiceContext, *, actor: Actor, path: Path) -> tuple[str, tuple[int, ...]]:
    """Install the working-day calendar the town published (e.g. next year's holidays, from a USB stick).

    Stored in the database like the catalogue, so the town's sync can deliver it too. Due dates
    already promised are not changed; new ones are counted with the new calendar.
    """
    actor.require(Permission.STATION_ADMIN)
    calendar, body = read_calendar_file(path)
    with ctx.uow() as uow:
        values = {"calendar_id": CALENDAR_ID, "version": calendar.version or "-", "body": body}
        existing = uow.repos.calendar.by_calendar_id(CALENDAR_ID)
        if existing is None:
            uow.add("calendar_files", {"id": stable_id("calendar", CALENDAR_ID), **values})
        else:
            uow.change("calendar_files", existing["id"], values)
        uow.audit(staff_id=actor.staff_id, action="calendar.install", target_type="calendar",
                  target_id=CALENDAR_ID, detail={"version": calendar.version, "years": sorted(calendar.years)},
                  at=ctx.now())
        uow.commit()
    ctx.calendar_changed()
    return calendar.version, tuple(sorted(calendar.years))


@dataclass(frozen=True, slots=True)
class CalendarNotice:
    """What the station head is told when the working-day calendar lacks this year or (from December) the next:
    deadlines counted into those years are estimated from the statutory holidays and printed as 预计, until the
    town's calendar file is installed with ``calendar install`` (the only way a station gets one today: the
    town's console has no command to publish a calendar through the sync). The words are the message
    ``code`` with these fields (app/messages/calendar.py)."""

    missing_years: tuple[int, ...]
    version: str  # the calendar in force
    lunar_known: bool  # the estimate has the lunar holidays too (the shipped table holds every missing year)
    this_year: bool  # this year itself is missing: every deadline is an estimate now

    @property
    def code(self) -> str:
        return "calendar.missing_years" if self.lunar_known else "calendar.missing_years_no_lunar"

    @property
    def params(self) -> dict[str, str]:
        return {"years": "、".join(map(str, self.missing_years)), "version": self.version}


def calendar_notice(ctx: ServiceContext) -> CalendarNotice | None:
    """The notice for the header (and ``calendar show``): None while the calendar has this year and, in
    December, next year too."""
    cal = ctx.calendar
    today = ctx.now().date()
    missing = cal.missing_years(today)
    if not missing:
        return None
    return CalendarNotice(missing_years=missing, version=cal.version,
                          lunar_known=all(cal.knows_lunar(y) for y in missing), this_year=today.year in missing)


def station_view(ctx: ServiceContext) -> StationView:
    with ctx.read() as uow:
        town = ctx.town(uow)
        st = ctx.station(uow)
        versions = tuple(sorted((r["catalog_id"], r["version"]) for r in uow.repos.catalog.files()))
    return StationView(town_code=town.code, town_name=town.name, station_code=st.code, station_name=st.name,
                       village_code=st.village_code, villages=tuple(VillageSpec(v.code, v.name) for v in town.villages),
                       phone=st.phone, supervision_phone=st.supervision_phone, catalog_versions=versions)


def is_initialised(ctx: ServiceContext) -> bool:
    with ctx.read() as uow:
        return bool(uow.meta_get("station_code"))


__all__ = ["CalendarNotice", "StaffView", "StationView", "VillageSpec", "calendar_notice", "init_station",
           "install_calendar_file", "install_catalog_file",
           "station_view"]
