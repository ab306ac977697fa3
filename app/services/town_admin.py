"""The town administrator's work on the server: the 47+N catalogue and the points rules published as versions,
staff for any station, and the 好差评 view across stations. Changes go into the server's own database through
a unit of work (audited) and then into the global log (``replication.publish_own``), so every station pulls
them on its next sync."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.domain.catalog import CatalogFile, CatalogScope, build_catalog, parse_catalog, version_key
from app.domain.errors import Conflict, DomainError, NotFound
from app.domain.ids import stable_id
from app.domain.points import RulesScope, parse_rules
from app.domain.ratings import RatingLevel
from app.domain.staff import Actor, Permission, Post, Role
from app.persistence.uow import UnitOfWork
from app.services import replication as rep
from app.services.context import ServiceContext
from app.services.points import load_rules, read_rules_file, shipped_rules
from app.services.staff import StaffView, create_staff
from app.services.station import read_catalog_file, shipped_catalog_files

MAX_VERSION = 20  # the version columns' width
CATALOG_PUBLISHED = "town.catalog_published"
RULES_PUBLISHED = "town.rules_published"


@dataclass(frozen=True, slots=True)
class VersionView:
    """One version of a catalogue file or a rules file as the town sees it."""

    file_id: str  # catalog_id or rules_id
    scope: str
    version: str
    size: int  # items or indicators
    published_at: str  # "" when it did not come from this console (a station brought it)
    by: str
    in_force: bool
    village_code: str = ""
    origin: str = ""


@dataclass(frozen=True, slots=True)
class Publication:
    versions: tuple[VersionView, ...]
    changes: int  # changes that joined the global log for the stations to pull


def _history(uow: UnitOfWork, action: str) -> list[Mapping[str, Any]]:
    out: list[Mapping[str, Any]] = []
    for entry in uow.audit_entries():
        if entry["action"] == action:
            out.append({**json.loads(entry["detail"] or "{}"), "at": entry["at"], "target_id": entry["target_id"]})
    return out


def _check_newer(code: str, file_id: str, version: str, known: Iterable[str]) -> None:
    if len(version) > MAX_VERSION:
        raise DomainError("town_admin.version_too_long", version=version, max=MAX_VERSION)
    newest = max(known, key=version_key, default="")
    if newest and version_key(version) <= version_key(newest):
        raise Conflict(code, file_id=file_id, version=version, newest=newest)


# ---------------------------------------------------------------- the 47+N catalogue


def publish_catalog(ctx: ServiceContext, *, actor: Actor, paths: Sequence[Path]) -> Publication:
    """Publish catalogue files (the town's N items, the standard 47, or both) as new versions: each file
    checked as the station checks it, the whole catalogue they make with what is in force checked too, every
    version newer than any before; all stored or nothing."""
    actor.require(Permission.TOWN_ADMIN)
    files = [read_catalog_file(p) for p in paths]
    ids = [f.catalog_id for f, _ in files]
    for f, _ in files:
        if f.scope is CatalogScope.LOCAL:
            raise DomainError("town_admin.catalog_local", catalog_id=f.catalog_id)
        if ids.count(f.catalog_id) > 1:
            raise DomainError("town_admin.catalog_twice", catalog_id=f.catalog_id)
    shipped = {f.catalog_id: f for f, _ in (read_catalog_file(p) for p in shipped_catalog_files())}
    with ctx.uow() as uow:
        uow.origin = rep.TOWN_SENDER
        current = {r["catalog_id"]: r for r in uow.repos.catalog.files()}
        history = _history(uow, CATALOG_PUBLISHED)
        for f, _ in files:
            known = [r["version"] for cid, r in current.items() if cid == f.catalog_id]
            known += [s.version for cid, s in shipped.items() if cid == f.catalog_id]
            known += [str(h["version"]) for h in history if h["target_id"] == f.catalog_id]
            _check_newer("town_admin.catalog_version_not_newer", f.catalog_id, f.version, known)
        # What the stations will hold: the files they came with, the town's files in force here, the new ones.
        # (A station's own local files use L codes and cannot clash with these.)
        combined: dict[str, CatalogFile] = {cid: s for cid, s in shipped.items() if s.scope is not CatalogScope.LOCAL}
        for cid, row in current.items():
            if row["scope"] != CatalogScope.LOCAL.value:
                combined[cid] = parse_catalog(json.loads(row["body"]), source=cid)
        combined.update({f.catalog_id: f for f, _ in files})
        standard = [f for f in combined.values() if f.scope is CatalogScope.STANDARD]
        if not standard:
            raise DomainError("catalog.no_standard")
        build_catalog(standard[0], *[f for f in combined.values() if f is not standard[0]])
        for f, body in files:
            values = {"catalog_id": f.catalog_id, "scope": f.scope.value, "version": f.version, "body": body}
            held = current.get(f.catalog_id)
            if held is None:
                uow.add("catalog_files", {"id": stable_id("catalog", f.catalog_id), **values})
            else:
                uow.change("catalog_files", held["id"], values)
            uow.audit(staff_id=actor.staff_id, action=CATALOG_PUBLISHED, target_type="catalog",
                      target_id=f.catalog_id, at=ctx.now(),
                      detail={"version": f.version, "scope": f.scope.value,
                              "items": sum(1 for i in f.items if not i.retired),
                              "by": actor.username})
        uow.commit()
    ctx.catalog_changed()
    changes = rep.publish_own(ctx)
    done = {(f.catalog_id, f.version) for f, _ in files}
    return Publication(tuple(v for v in catalog_versions(ctx) if (v.file_id, v.version) in done), changes)


def catalog_versions(ctx: ServiceContext) -> tuple[VersionView, ...]:
    """Every version published from this console (oldest first), and the file in force where it came from
    elsewhere (the program the stations were set up with)."""
    with ctx.read() as uow:
        current = {r["catalog_id"]: r for r in uow.repos.catalog.files()}
        history = _history(uow, CATALOG_PUBLISHED)
    out = [VersionView(file_id=h["target_id"], scope=str(h["scope"]), version=str(h["version"]),
                       size=int(h["items"]), published_at=str(h["at"]), by=str(h.get("by", "")),
                       in_force=h["target_id"] in current and current[h["target_id"]]["version"] == h["version"])
           for h in history]
    seen = {(v.file_id, v.version) for v in out}
    for cid, row in sorted(current.items()):
        if (cid, row["version"]) not in seen:
            parsed = parse_catalog(json.loads(row["body"]), source=cid)
            offered = sum(1 for i in parsed.items if not i.retired)  # retired items are kept, not counted
            out.append(VersionView(file_id=cid, scope=row["scope"], version=row["version"], size=offered,
                                   published_at="", by="", in_force=True, origin=row["origin"]))
    return tuple(out)


# ---------------------------------------------------------------- the points rules


def publish_rules(ctx: ServiceContext, *, actor: Actor, path: Path) -> Publication:
    """Publish a points rules file (the town's, or one village's own indicators) as its next version; the
    rules it makes with the other files in force must hold together."""
    actor.require(Permission.TOWN_ADMIN)
    parsed, body = read_rules_file(path)
    shipped = shipped_rules()
    with ctx.uow() as uow:
        uow.origin = rep.TOWN_SENDER
        if parsed.scope is RulesScope.VILLAGE:
            villages = [v["code"] for v in uow.repos.town.villages()]
            if villages and parsed.village_code not in villages:
                raise DomainError("town.unknown_village", village=parsed.village_code, known="、".join(villages))
        rows = uow.repos.points.rules_files()
        if any(r["rules_id"] == parsed.rules_id and r["version"] == parsed.version for r in rows):
            raise Conflict("points_rules.version_taken", rules_id=parsed.rules_id, version=parsed.version)
        known = [r["version"] for r in rows if r["rules_id"] == parsed.rules_id]
        known += [shipped.version] if shipped.rules_id == parsed.rules_id else []
        _check_newer("town_admin.rules_version_not_newer", parsed.rules_id, parsed.version, known)
        uow.add("points_rules_files", {"id": stable_id("points_rules", parsed.rules_id, parsed.version),
                                       "rules_id": parsed.rules_id, "scope": parsed.scope.value,
                                       "village_code": parsed.village_code, "version": parsed.version,
                                       "body": body})
        rules = load_rules(ctx, uow)  # as every station will merge them: codes unique across the files
        keys = [(i.village_code, i.code) for i in rules.indicators]
        twice = sorted({code for village, code in keys
                        if keys.count((village, code)) > 1 or (village and ("", code) in keys)})
        if twice:
            raise Conflict("points_rules.codes_taken", codes="、".join(twice))
        uow.audit(staff_id=actor.staff_id, action=RULES_PUBLISHED, target_type="points_rules",
                  target_id=f"{parsed.rules_id}@{parsed.version}", at=ctx.now(),
                  detail={"version": parsed.version, "scope": parsed.scope.value, "by": actor.username,
                          "indicators": len(parsed.indicators), "village": parsed.village_code})
        uow.commit()
    changes = rep.publish_own(ctx)
    mine = [v for v in rules_versions(ctx) if (v.file_id, v.version) == (parsed.rules_id, parsed.version)]
    return Publication(tuple(mine), changes)


def rules_versions(ctx: ServiceContext) -> tuple[VersionView, ...]:
    """Every rules file the town holds (published here or by a station for its village), oldest first; the
    newest of each is the one in force, as the stations read them."""
    with ctx.read() as uow:
        rows = uow.repos.points.rules_files()
        history = {str(h["target_id"]): h for h in _history(uow, RULES_PUBLISHED)}
    newest = {r["rules_id"]: r["id"] for r in rows}  # ordered by when made: the last of each is in force
    out = []
    for r in rows:
        h = history.get(f"{r['rules_id']}@{r['version']}", {})
        size = len(parse_rules(json.loads(r["body"]), source=r["rules_id"]).indicators)
        out.append(VersionView(file_id=r["rules_id"], scope=r["scope"], version=r["version"], size=size,
                               published_at=str(h.get("at", "")), by=str(h.get("by", "")),
                               in_force=newest[r["rules_id"]] == r["id"], village_code=r["village_code"],
                               origin=r["origin"]))
    return tuple(out)


# ---------------------------------------------------------------- the town and its villages


@dataclass(frozen=True, slots=True)
class TownView:
    code: str  # "" while the town holds none (its first station brings it)
    name: str
    villages: tuple[tuple[str, str, str], ...]  # (code, name, where it came from: TOWN or a station)
    stations: tuple[tuple[str, str, str, str], ...]  # (code, name, village its record names, village enrolled for)


def town_view(ctx: ServiceContext, *, actor: Actor) -> TownView:
    """The town's reference records as the town holds them, with the village each station was enrolled for."""
    actor.require(Permission.TOWN_ADMIN)
    with ctx.read() as uow:
        town = uow.repos.town.town()
        villages = tuple((v["code"], v["name"], v["origin"]) for v in uow.repos.town.villages())
        records = {r["code"]: r for r in uow.repos.town.stations()}
        enrolled = {r["station_code"]: r for r in uow.repos.replica.server_stations()}
    codes = sorted(set(records) | set(enrolled))
    stations = tuple((c, (records.get(c) or enrolled[c])["name"], (records.get(c) or {}).get("village_code", ""),
                      (enrolled.get(c) or {}).get("village_code", "")) for c in codes)
    return TownView(code=town["code"] if town else "", name=town["name"] if town else "", villages=villages,
                    stations=stations)


def set_town(ctx: ServiceContext, *, actor: Actor, code: str, name: str) -> int:
    """The town's own record: made here when no station has brought it yet, or renamed. Published at once."""
    from app.domain.town import check_code, check_name

    actor.require(Permission.TOWN_ADMIN)
    code, name = check_code("town", code), check_name("town", name)
    with ctx.uow() as uow:
        uow.origin = rep.TOWN_SENDER
        town = uow.repos.town.town()
        if town is None:
            uow.add("towns", {"id": stable_id("town", code), "code": code, "name": name})
        elif town["code"] != code:
            raise Conflict("town_admin.other_town", code=code, ours=town["code"])
        elif town["name"] != name:
            uow.change("towns", town["id"], {"name": name})
        uow.audit(staff_id=actor.staff_id, action="town.town_saved", target_type="town", target_id=code,
                  detail={"name": name, "by": actor.username}, at=ctx.now())
        uow.commit()
    ctx.town_changed()
    return rep.publish_own(ctx)


def save_village(ctx: ServiceContext, *, actor: Actor, code: str, name: str) -> tuple[bool, int]:
    """Add a village to the town, or rename one: the town's records, which stations do not change. Returns
    whether it was new and how many changes were published."""
    from app.domain.town import check_code, check_name

    actor.require(Permission.TOWN_ADMIN)
    code, name = check_code("village", code), check_name("village", name)
    with ctx.uow() as uow:
        uow.origin = rep.TOWN_SENDER
        town = uow.repos.town.town()
        if town is None:
            raise DomainError("town_admin.no_town")
        current = {v["code"]: v for v in uow.repos.town.villages()}
        new = code not in current
        if new:
            uow.add("villages", {"id": stable_id("village", code), "town_code": town["code"], "code": code,
                                 "name": name})
        elif current[code]["name"] != name:
            uow.change("villages", current[code]["id"], {"name": name})
        uow.audit(staff_id=actor.staff_id, action="town.village_saved", target_type="village", target_id=code,
                  detail={"name": name, "new": new, "by": actor.username}, at=ctx.now())
        uow.commit()
    ctx.town_changed()
    return new, rep.publish_own(ctx)


# ---------------------------------------------------------------- staff


def _station(uow: UnitOfWork, code: str) -> str:
    """A station the town knows: one it enrolled, or one whose records reached it."""
    code = code.strip().upper()
    if uow.repos.town.station(code) is None and uow.repos.replica.server_station(code) is None:
        raise NotFound("town_admin.unknown_station", station=code)
    return code


def list_staff(ctx: ServiceContext, *, actor: Actor, station_code: str | None = None) -> tuple[StaffView, ...]:
    """Staff of every station (or one), as the town holds them (what the stations have synced)."""
    actor.require(Permission.TOWN_ADMIN)
    with ctx.read() as uow:
        code = _station(uow, station_code) if station_code else None
        rows = sorted(uow.repos.staff.list(code), key=lambda r: (r["station_code"], r["staff_no"], r["username"]))
    return tuple(StaffView(id=r["id"], username=r["username"], display_name=r["display_name"],
                           staff_no=r["staff_no"], role=Role(r["role"]), post=Post(r["post"]),
                           station_code=r["station_code"], active=bool(r["active"])) for r in rows)


def add_staff(ctx: ServiceContext, *, actor: Actor, station_code: str, username: str, display_name: str,
              role: Role, post: Post, password: str, staff_no: str = "") -> tuple[StaffView, int]:
    """A staff account for a station, made at the town (same checks as the station's own), then published.
    Returns the account and how many changes joined the log. Without a staff number: the next free one."""
    actor.require(Permission.TOWN_ADMIN)
    with ctx.uow() as uow:
        uow.origin = rep.TOWN_SENDER
        code = _station(uow, station_code)
        if not staff_no:
            numbers = [int(r["staff_no"]) for r in uow.repos.staff.list(code) if r["staff_no"].isdigit()]
            staff_no = f"{max(numbers, default=0) + 1:03d}"
        view = create_staff(uow, username=username, display_name=display_name, staff_no=staff_no, role=role,
                            post=post, password=password, station_code=code)
        uow.audit(staff_id=actor.staff_id, action="town.staff_added", target_type="staff", target_id=view.id,
                  at=ctx.now(), detail={"username": view.username, "station": code, "role": role.value,
                                        "post": post.value, "by": actor.username})
        uow.commit()
    return view, rep.publish_own(ctx)


def set_staff_active(ctx: ServiceContext, *, actor: Actor, username: str, active: bool) -> tuple[StaffView, bool]:
    """Disable (or enable again) a staff account at whichever station it is; published, so the station
    refuses (or accepts) the sign-in after its next sync. Returns the account and whether anything changed."""
    actor.require(Permission.TOWN_ADMIN)
    name = username.strip().lower()
    with ctx.uow() as uow:
        uow.origin = rep.TOWN_SENDER
        row = uow.repos.staff.by_username(name)
        if row is None:
            raise NotFound("staff.not_found", staff=name)
        changed = bool(row["active"]) != active
        if changed:
            uow.change("staff", row["id"], {"active": active})
            uow.audit(staff_id=actor.staff_id, action="town.staff_enabled" if active else "town.staff_disabled",
                      target_type="staff", target_id=row["id"], at=ctx.now(),
                      detail={"username": name, "station": row["station_code"], "by": actor.username})
            uow.commit()
    if changed:
        rep.publish_own(ctx)
    view = StaffView(id=row["id"], username=row["username"], display_name=row["display_name"],
                     staff_no=row["staff_no"], role=Role(row["role"]), post=Post(row["post"]),
                     station_code=row["station_code"], active=active)
    return view, changed


# ---------------------------------------------------------------- 好差评 across stations


@dataclass(frozen=True, slots=True)
class StationRatings:
    station_code: str
    counts: tuple[tuple[RatingLevel, int], ...]  # 5 非常满意 … 1 非常不满意
    awaiting: int  # 差评 whose follow-up (整改回访) is still open
    overdue: int  # … and past its due date

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)

    @property
    def bad(self) -> int:
        return sum(n for level, n in self.counts if level.is_bad)

    @property
    def bad_share(self) -> float:
        return self.bad / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class AwaitingFollowUp:
    station_code: str
    case_no: str
    item_name: str
    level: RatingLevel
    comment: str
    due_date: date
    overdue: bool


@dataclass(frozen=True, slots=True)
class RatingsReport:
    month: str  # YYYY-MM, or "" for every month
    stations: tuple[StationRatings, ...]
    awaiting: tuple[AwaitingFollowUp, ...]  # soonest due first


def ratings_report(ctx: ServiceContext, *, actor: Actor, station_code: str | None = None,
                   month: str | None = None) -> RatingsReport:
    """好差评 across the town's stations, read only: ratings per level per station, the share of 差评, and the
    差评 whose follow-up is still open (with ``month``: of the ratings made that month)."""
    actor.require(Permission.TOWN_ADMIN)
    month = (month or "").strip()
    if month and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise DomainError("town_admin.bad_month", value=month)
    today = ctx.now().date()
    stations, awaiting = [], []
    with ctx.read() as uow:
        if station_code:
            codes = [_station(uow, station_code)]
        else:
            codes = sorted({r["code"] for r in uow.repos.town.stations()}
                           | {r["station_code"] for r in uow.repos.replica.server_stations()})
        for code in codes:
            counts = dict.fromkeys(RatingLevel, 0)
            for level, n in uow.repos.ratings.level_counts(station_code=code, month=month).items():
                counts[RatingLevel(level)] += n
            open_ones = [AwaitingFollowUp(station_code=code, case_no=f["case_no"], item_name=f["item_name"],
                                          level=RatingLevel(f["level"]), comment=f["comment"],
                                          due_date=f["due_date"], overdue=f["due_date"] < today)
                         for f in uow.repos.ratings.follow_ups(station_code=code, open_only=True)
                         if str(f["rating_rated_at"]).startswith(month)]
            stations.append(StationRatings(station_code=code, counts=tuple(sorted(counts.items(), reverse=True)),
                                           awaiting=len(open_ones), overdue=sum(f.overdue for f in open_ones)))
            awaiting += open_ones
    awaiting.sort(key=lambda f: (f.due_date, f.station_code, f.case_no))
    return RatingsReport(month=month, stations=tuple(stations), awaiting=tuple(awaiting))
