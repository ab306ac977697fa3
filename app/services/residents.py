"""Residents and households: register, correct, find as you type, and reveal a full number (audited)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from app.domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from app.domain.identity import IdType, normalise_phone, parse_id_number
from app.domain.residents import (
    ResidentData,
    ResidentField,
    clean_text,
    household_id,
    normalise_name,
    parse_tags,
    validate_resident,
)
from app.domain.staff import Actor, Permission
from app.domain.town import Town
from app.persistence.search_keys import name_initials, reverse
from app.persistence.uow import UnitOfWork
from app.services.context import ServiceContext
from app.services.replication import pending_at_town
from app.services.views import CaseSummary, ResidentSummary, case_summary, resident_summary

SEARCH_LIMIT = 30


class MatchKind(StrEnum):
    """How a search text was understood; shown so staff know why a row matched."""

    ID_EXACT = "id_exact"
    ID_SUFFIX = "id_suffix"
    PHONE = "phone"
    NAME = "name"
    INITIALS = "initials"


@dataclass(frozen=True, slots=True)
class SearchResult:
    # The text as typed (the counter matches it to the newest search). It may be a whole ID or phone
    # number, and a repr ends up in logs and tracebacks, so it stays out of the repr.
    query: str = field(repr=False)
    kinds: tuple[MatchKind, ...]
    residents: tuple[ResidentSummary, ...]
    # How each row matched, in the same order: "4070" finds ID tails and phone tails alike, and the row
    # found by the phone says so (two people may share a surname, an age and the last digits of their ID).
    matched: tuple[MatchKind, ...] = ()


@dataclass(frozen=True, slots=True)
class HouseholdView:
    id: str
    household_no: str
    village_code: str
    head_name: str
    address: str
    members: tuple[ResidentSummary, ...]


@dataclass(frozen=True, slots=True)
class ResidentDetail:
    resident: ResidentSummary
    household: HouseholdView | None
    open_cases: tuple[CaseSummary, ...]
    history: tuple[CaseSummary, ...]
    not_at_town: frozenset[str] = frozenset()  # cases with a change the town has not got yet (enrolled stations)


def search_columns(name: str, id_number: str, phone: str) -> dict[str, str]:
    """The derived columns that make every lookup an index range scan."""
    return {"name_initials": name_initials(name), "id_rev": reverse(id_number), "phone_rev": reverse(phone)}


def resident_row(data: ResidentData, household_id: str | None) -> dict[str, Any]:
    return {
        "name": data.name, "gender": data.gender.value if data.gender else None, "id_type": data.id_type.value,
        "id_number": data.id_number, "birth_date": data.birth_date, "phone": data.phone,
        "village_code": data.village_code, "group_name": data.group, "address": data.address,
        "household_id": household_id, "relation": data.relation, "tags": "、".join(data.tags),
        "ethnicity": data.ethnicity, **search_columns(data.name, data.id_number, data.phone),
    }


def ensure_household(uow: UnitOfWork, *, village_code: str, household_no: str, head_name: str = "",
                     address: str = "") -> str:
    """The household's id, creating the household on first mention."""
    row = uow.repos.residents.household_by_no(village_code, household_no)
    if row is not None:
        # Members are often registered before the head; the head fills in what the household lacked.
        missing = {k: v for k, v in (("head_name", head_name), ("address", address)) if v and not row[k]}
        if missing:
            uow.change("households", str(row["id"]), missing)
        return str(row["id"])
    return uow.add("households", {"id": household_id(village_code, household_no), "village_code": village_code,
                                  "household_no": household_no, "head_name": head_name, "address": address})


# A residence permit's number was recorded as the holder's travel permit before it had a type of its own.
_RECORDED_BEFORE_AS: dict[IdType, tuple[IdType, ...]] = {
    IdType.HMT_RESIDENCE_PERMIT: (IdType.HK_MACAO_PERMIT, IdType.TAIWAN_PERMIT),
}


def register_resident(
    ctx: ServiceContext,
    *,
    actor: Actor,
    name: str,
    id_number: str,
    village: str,
    id_type: IdType = IdType.RESIDENT_ID,
    gender: str = "",
    birth_date: date | None = None,
    phone: str = "",
    group: str = "",
    address: str = "",
    household_no: str = "",
    relation: str = "",
    tags: str = "",
) -> ResidentSummary:
    """Register a resident of any village of the town (the market-style counter serves them all)."""
    actor.require(Permission.RESIDENT_EDIT)
    with ctx.uow() as uow:
        town = ctx.town(uow)
        village_code = _village_code(town, village)
        data = validate_resident(name=name, id_number=id_number, village_code=village_code, id_type=id_type,
                                 gender=gender, birth_date=birth_date, phone=phone, group=group, address=address,
                                 relation=relation, tags=tags, today=ctx.now().date())
        existing = uow.repos.residents.by_number(data.id_type.value, data.id_number)
        for earlier in _RECORDED_BEFORE_AS.get(data.id_type, ()):
            existing = existing or uow.repos.residents.by_number(earlier.value, data.id_number)
        if existing is not None:
            raise Conflict("resident.exists", name=existing["name"],
                           village=ctx.village_names(uow).get(existing["village_code"], existing["village_code"]))
        try:
            household_no = clean_text(ResidentField.HOUSEHOLD_NO, household_no, collapse=False)
        except DomainError as e:
            e.params.setdefault("label", "户号")
            raise ValidationFailed({ResidentField.HOUSEHOLD_NO.value: e}) from None
        household_id = None
        if household_no:
            household_id = ensure_household(uow, village_code=village_code, household_no=household_no,
                                            head_name=data.name if data.relation == "户主" else "",
                                            address=data.address)
        row = resident_row(data, household_id)
        row["id"] = uow.add("residents", row)
        uow.audit(staff_id=actor.staff_id, action="resident.register", target_type="resident", target_id=row["id"],
                  detail={"village": village_code}, at=ctx.now())
        uow.commit()
        row["deleted"] = False
        return resident_summary(row, ctx.village_names(uow), ctx.now().date())


_EDITABLE = ("name", "phone", "group", "address", "relation", "tags", "village")


def update_resident(ctx: ServiceContext, *, actor: Actor, resident_id: str, **changes: str) -> ResidentSummary:
    """Correct what a resident tells the counter (phone, address, group, tags …); the ID number is fixed."""
    actor.require(Permission.RESIDENT_EDIT)
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise DomainError("resident.not_editable", fields="、".join(sorted(unknown)))
    with ctx.uow() as uow:
        row = _live_resident(uow, resident_id)
        values: dict[str, Any] = {}
        problems: dict[str, DomainError] = {}
        for key, raw in changes.items():
            try:
                if key == "name":
                    values["name"] = normalise_name(raw)
                    values["name_initials"] = name_initials(values["name"])
                elif key == "phone":
                    values["phone"] = normalise_phone(raw) if raw.strip() else ""
                    values["phone_rev"] = reverse(values["phone"])
                elif key == "village":
                    values["village_code"] = _village_code(ctx.town(uow), raw)
                    own = ctx.station(uow).village_code
                    if values["village_code"] != row["village_code"] and row["village_code"] != own:
                        # Who lives where is for the resident's own village to record (app.domain.trust): the
                        # town would not take the change from another village's station.
                        names = ctx.village_names(uow)
                        raise DomainError("resident.other_village",
                                          village=names.get(row["village_code"], row["village_code"]))
                elif key == "tags":
                    values["tags"] = "、".join(parse_tags(raw))
                elif key == "group":  # too long is refused, as at registration, never cut
                    values["group_name"] = clean_text(ResidentField.GROUP, raw)
                elif key == "address":
                    values["address"] = clean_text(ResidentField.ADDRESS, raw)
                elif key == "relation":
                    values["relation"] = clean_text(ResidentField.RELATION, raw, collapse=False)
            except DomainError as e:
                e.params.setdefault("label", key)
                problems[key] = e
        if problems:
            raise ValidationFailed(problems)
        changed = {k: v for k, v in values.items() if row.get(k) != v}
        if changed:
            uow.change("residents", resident_id, changed)
            uow.audit(staff_id=actor.staff_id, action="resident.update", target_type="resident",
                      target_id=resident_id, detail={"fields": sorted(changed)}, at=ctx.now())
        uow.commit()
        row = {**row, **changed}
        return resident_summary(row, ctx.village_names(uow), ctx.now().date())


def _village_code(town: Town, village: str) -> str:
    return town.village(village).code


def _live_resident(uow: UnitOfWork, resident_id: str) -> dict[str, Any]:
    row = uow.repos.residents.by_id(resident_id)
    if row is None or row["deleted"]:
        raise NotFound("resident.not_found", resident=resident_id)
    return dict(row)


_DIGITS = re.compile(r"^\d+[Xx]?$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９ＸｘＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＹＺ",
                           "0123456789XxABCDEFGHIJKLMNOPQRSTUVWYZ")


def classify_query(query: str) -> tuple[str, tuple[MatchKind, ...]]:
    """Decide what a search text is: an ID number or its tail, a phone, a name, or pinyin initials."""
    text = query.translate(_FULLWIDTH).strip().replace(" ", "").replace("-", "")
    if not text:
        return "", ()
    if _DIGITS.match(text):
        text = text.upper()
        if len(text) in (15, 18):
            return text, (MatchKind.ID_EXACT,)
        if text.endswith("X") or 4 <= len(text) <= 6:
            kinds = (MatchKind.ID_SUFFIX,) if text.endswith("X") else (MatchKind.ID_SUFFIX, MatchKind.PHONE)
            return text, kinds
        if len(text) >= 7:
            return text, (MatchKind.PHONE,)
        return text, ()  # 1–3 digits: too short to mean anything, wait for more
    if text.isascii() and text.isalpha():
        return text.lower(), (MatchKind.INITIALS,)
    return text, (MatchKind.NAME,)


# How each kind of search text is looked up (app/persistence/lookup.py).
_LOOKUP_KIND = {MatchKind.ID_EXACT: "id_exact", MatchKind.ID_SUFFIX: "id_suffix", MatchKind.PHONE: "phone_suffix",
                MatchKind.NAME: "name_prefix", MatchKind.INITIALS: "initials"}


def lookup_plan(ctx: ServiceContext, query: str) -> tuple[tuple[MatchKind, ...], list[tuple[str, str]]]:
    """How ``find_residents`` understands ``query``: the match kinds, and the lookups it runs, in order."""
    text, kinds = classify_query(query)
    searches = []
    for kind in kinds:
        key = text
        if kind is MatchKind.ID_EXACT:
            with contextlib.suppress(DomainError):  # a 15-digit number is stored as 18; a bad one finds nobody
                key = parse_id_number(text, today=ctx.now().date()).value
        searches.append((_LOOKUP_KIND[kind], key))
        if kind is MatchKind.INITIALS:  # a name read two ways is found by either reading
            searches.append(("initials_alt", key))
    return kinds, searches


def find_residents(ctx: ServiceContext, *, query: str, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Find as you type: exact ID, last 4–6 ID digits, phone (suffix), name prefix or pinyin initials."""
    kinds, searches = lookup_plan(ctx, query)
    rows = ctx.db.resident_lookup.find(searches, limit) if searches else []
    names = ctx.village_names()
    today = ctx.now().date()
    key = searches[0][1] if searches else ""
    return SearchResult(query=query, kinds=kinds, residents=tuple(resident_summary(r, names, today) for r in rows),
                        matched=tuple(_matched_by(r, kinds, key) for r in rows))


def _matched_by(row: Mapping[str, Any], kinds: tuple[MatchKind, ...], key: str) -> MatchKind:
    """Which of the query's meanings found this row: digits may be an ID tail or a phone tail."""
    if MatchKind.ID_SUFFIX in kinds and MatchKind.PHONE in kinds:
        return MatchKind.ID_SUFFIX if str(row["id_number"]).upper().endswith(key) else MatchKind.PHONE
    return kinds[0]


def get_resident(ctx: ServiceContext, *, resident_id: str) -> ResidentDetail:
    """A resident with household members, open cases and case history (every station's, as synced)."""
    today = ctx.now().date()
    with ctx.read() as uow:
        row = _live_resident(uow, resident_id)
        names = ctx.village_names(uow)
        household = None
        if row["household_id"]:
            h = uow.repos.residents.household(row["household_id"])
            if h is not None:
                members = tuple(resident_summary(m, names, today) for m in uow.repos.residents.members(h["id"]))
                household = HouseholdView(id=h["id"], household_no=h["household_no"], village_code=h["village_code"],
                                          head_name=h["head_name"], address=h["address"], members=members)
        cases = [case_summary({**c, "applicant_name": row["name"], "applicant_id_number": row["id_number"]}, today)
                 for c in uow.repos.cases.for_applicant(resident_id)]
        waiting = pending_at_town(uow, table="cases", row_ids=[c.id for c in cases])
    summary = resident_summary(row, names, today)
    return ResidentDetail(resident=summary, household=household,
                          open_cases=tuple(c for c in cases if not c.state.is_final),
                          history=tuple(c for c in cases if c.state.is_final),
                          not_at_town=waiting)


def reveal_id_number(ctx: ServiceContext, *, actor: Actor, resident_id: str, purpose: str) -> str:
    """The full ID number, for a staff member allowed to see it; every reveal is audited with its purpose."""
    actor.require(Permission.RESIDENT_UNMASK)
    purpose = " ".join(purpose.split())
    if len(purpose) < 2:
        raise DomainError("resident.reveal_purpose")
    with ctx.uow() as uow:
        row = _live_resident(uow, resident_id)
        uow.audit(staff_id=actor.staff_id, action="id.reveal", target_type="resident", target_id=resident_id,
                  detail={"purpose": purpose[:100]}, at=ctx.now())
        uow.commit()
    return str(row["id_number"])
