"""Cases (办件): accept or give a one-time notice, forward, ask for more, complete — every step an event."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.domain.cases import (
    CaseAction,
    CaseState,
    Outcome,
    Proxy,
    format_case_no,
    is_overdue,
    next_state,
    require_reason,
)
from app.domain.catalog import Material, ServiceItem
from app.domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from app.domain.forms import validate_form
from app.domain.identity import mask_id, mask_phone, normalise_phone, parse_id_number
from app.domain.residents import normalise_name
from app.domain.staff import Actor, Permission
from app.domain.town import Station
from app.persistence.uow import UnitOfWork
from app.services.context import ServiceContext
from app.services.context import iso_time as iso_time  # where the services have always taken it from
from app.services.freeze import check_not_frozen
from app.services.recovery import numbers_safe
from app.services.views import CaseSummary, ResidentSummary, case_summary, resident_summary


@dataclass(frozen=True, slots=True)
class ProxyView:
    name: str
    id_masked: str
    relation: str
    phone_masked: str


@dataclass(frozen=True, slots=True)
class MaterialLine:
    code: str
    name: str
    required: bool
    copies: int
    form: str
    received: bool


@dataclass(frozen=True, slots=True)
class EventView:
    action: str
    from_state: str
    to_state: CaseState
    staff_name: str
    at: str
    note: str


@dataclass(frozen=True, slots=True)
class AttachmentView:
    id: str
    file_name: str
    material_code: str
    sha256: str
    size: int
    stored_path: str
    added_at: str


@dataclass(frozen=True, slots=True)
class CaseView:
    id: str
    case_no: str
    station_code: str
    state: CaseState
    item_code: str
    item_name: str
    catalog_version: str
    applicant: ResidentSummary
    proxy: ProxyView | None
    first_staff: str
    handler: str
    received_at: str
    accepted_at: str | None
    due_date: date | None
    closed_at: str | None
    outcome: str
    reason: str
    overdue: bool
    materials: tuple[MaterialLine, ...]
    form: tuple[tuple[str, str, object], ...]  # (key, label, cleaned value)
    attachments: tuple[AttachmentView, ...]
    events: tuple[EventView, ...]
    # The years the promised date was counted through that the calendar has no holiday arrangement for: the
    # date is then provisional (预计), estimated from the statutory holidays.
    due_unconfirmed: tuple[int, ...] = ()

    @property
    def due_provisional(self) -> bool:
        return bool(self.due_unconfirmed)

    @property
    def missing_required(self) -> tuple[MaterialLine, ...]:
        return tuple(m for m in self.materials if m.required and not m.received)


@dataclass(frozen=True, slots=True)
class OneTimeNotice:
    """一次性告知: everything the resident must bring, and what is missing, in one go."""

    case_no: str
    station_name: str
    station_phone: str
    supervision_phone: str
    applicant_name: str
    applicant_id_masked: str
    item_code: str
    item_name: str
    department: str
    legal_basis: str
    conditions: str
    procedure: str
    time_limit_days: int
    time_limit_note: str
    fee_fen: int
    fee_note: str
    consultation_phone: str
    materials: tuple[MaterialLine, ...]
    missing: tuple[MaterialLine, ...]
    staff_name: str
    staff_no: str
    issued_at: str


@dataclass(frozen=True, slots=True)
class AcceptResult:
    """Either the case was accepted, or (materials missing) a consultation was recorded with its notice."""

    case: CaseView
    accepted: bool
    notice: OneTimeNotice | None
    # The fixed fee the accepted case is to pay, in fen, by the catalogue's fee rule for its form (0: nothing to
    # collect as a fee; a bill's, fine's or top-up's amount is its form value, item.payment.amount_field).
    fee_fen: int = 0

    @property
    def due_provisional(self) -> bool:
        """The promised date runs into a year whose holiday arrangement is not installed: the counter warns
        (``case.due_unconfirmed`` names the years) and the receipt says 预计."""
        return self.case.due_provisional


@dataclass(frozen=True, slots=True)
class ProxyInput:
    name: str
    id_number: str
    relation: str
    phone: str = ""
    resident_id: str = ""  # picked from the applicant's household: name, number and phone come from the register


def _household_proxy(uow: UnitOfWork, proxy: ProxyInput, applicant_id: str) -> ProxyInput:
    """A proxy picked from the applicant's household, with the register's name, full number and phone (the
    screen only ever had them masked). Someone of another household, or the applicant, is refused."""
    member = uow.repos.residents.by_id(proxy.resident_id)
    applicant = uow.repos.residents.by_id(applicant_id)
    if member is None or applicant is None or proxy.resident_id == applicant_id or \
            not member["household_id"] or member["household_id"] != applicant["household_id"]:
        raise ValidationFailed({"proxy_name": DomainError("case.proxy_not_household")})
    return ProxyInput(name=member["name"], id_number=member["id_number"], relation=proxy.relation,
                      phone=proxy.phone if proxy.phone and "*" not in proxy.phone else member["phone"] or "")


def _check_proxy(proxy: ProxyInput, today: date) -> Proxy:
    problems: dict[str, DomainError] = {}
    name = number = phone = ""
    try:
        name = normalise_name(proxy.name)
    except DomainError as e:
        problems["proxy_name"] = e
    try:
        number = parse_id_number(proxy.id_number, today=today).value
    except DomainError as e:
        problems["proxy_id"] = e
    if proxy.phone.strip():
        try:
            phone = normalise_phone(proxy.phone)
        except DomainError as e:
            problems["proxy_phone"] = e
    relation = " ".join(proxy.relation.split())
    if not relation:
        problems["proxy_relation"] = DomainError("case.proxy_relation_required")
    if problems:
        labels = {"proxy_name": "代办人姓名", "proxy_id": "代办人身份证号", "proxy_phone": "代办人电话",
                  "proxy_relation": "与申请人关系"}
        for k, err in problems.items():
            err.params.setdefault("label", labels[k])
        raise ValidationFailed(problems)
    return Proxy(name=name, id_number=number, relation=relation[:20], phone=phone)


def _material_rows(item: ServiceItem, received: Collection[str]) -> list[dict[str, Any]]:
    return [{"material_code": m.code, "name": m.name, "required": m.required, "received": m.code in received,
             "copies": m.copies, "form": m.form.value} for m in item.materials]


def _check_received(item: ServiceItem, received: Collection[str]) -> set[str]:
    known = {m.code for m in item.materials}
    unknown = set(received) - known
    if unknown:
        raise DomainError("case.unknown_material", codes="、".join(sorted(unknown)), item=item.name)
    return set(received)


def record_consultation(
    ctx: ServiceContext,
    *,
    actor: Actor,
    applicant_id: str,
    item_code: str,
    received_materials: Collection[str] = (),
    note: str = "",
) -> AcceptResult:
    """Record a consultation (咨询) and the one-time notice of everything the resident must bring."""
    actor.require(Permission.CASE_HANDLE)
    item = ctx.catalog.offered(item_code)  # a retired item takes no new case
    received = _check_received(item, received_materials)
    with ctx.uow() as uow:
        case_id = _new_case(ctx, uow, actor=actor, item=item, applicant_id=applicant_id, received=received,
                            form={}, proxy=None, state=CaseState.CONSULTATION, note=note or "咨询")
        # Read back inside the same transaction: after commit the next query would take the write lock again.
        view = _view(ctx, uow, case_id)
        notice = _notice(ctx, uow, view, item, actor)
        uow.commit()
    return AcceptResult(case=view, accepted=False, notice=notice)


def accept_case(
    ctx: ServiceContext,
    *,
    actor: Actor,
    applicant_id: str,
    item_code: str,
    received_materials: Collection[str],
    form: Mapping[str, object] | None = None,
    proxy: ProxyInput | None = None,
    first_staff_id: str | None = None,
    consultation_id: str | None = None,
    note: str = "",
) -> AcceptResult:
    """Accept a case (受理) with its due date in working days. Missing required materials never block the
    resident silently: the case is recorded as a consultation and a one-time notice lists all that is missing."""
    actor.require(Permission.CASE_HANDLE)
    item = ctx.catalog.offered(item_code)  # a retired item takes no new case
    received = _check_received(item, received_materials)
    today = ctx.now().date()
    cleaned = validate_form(item.fields, form or {}, today=today)
    checked_proxy = _check_proxy(proxy, today) if proxy and not proxy.resident_id else None
    missing = item.missing_required(received)
    with ctx.uow() as uow:
        check_not_frozen(ctx, uow)  # a station long out of touch with the town takes no new cases
        numbers_safe(uow)  # nor one restored from an older backup, until the town has told it its numbers
        if proxy and proxy.resident_id:
            checked_proxy = _check_proxy(_household_proxy(uow, proxy, applicant_id), today)
        if consultation_id:
            case_id = _accept_consultation(ctx, uow, actor=actor, case_id=consultation_id, applicant_id=applicant_id,
                                           item=item, received=received, form=cleaned, proxy=checked_proxy,
                                           missing=missing)
        else:
            state = CaseState.CONSULTATION if missing else CaseState.ACCEPTED
            case_id = _new_case(ctx, uow, actor=actor, item=item, applicant_id=applicant_id, received=received,
                                form=cleaned, proxy=checked_proxy, state=state, note=note,
                                first_staff_id=first_staff_id)
        view = _view(ctx, uow, case_id)
        notice = _notice(ctx, uow, view, item, actor) if missing else None
        uow.commit()
    fee = item.fee_for(cleaned) if not missing and (item.payment is None or not item.payment.amount_field) else 0
    return AcceptResult(case=view, accepted=not missing, notice=notice, fee_fen=fee)


def _new_case(ctx: ServiceContext, uow: UnitOfWork, *, actor: Actor, item: ServiceItem, applicant_id: str,
              received: set[str], form: Mapping[str, object], proxy: Proxy | None, state: CaseState, note: str,
              first_staff_id: str | None = None) -> str:
    now = ctx.now()
    station = ctx.station(uow)
    applicant = uow.repos.residents.by_id(applicant_id)
    if applicant is None or applicant["deleted"]:
        raise NotFound("resident.not_found", resident=applicant_id)
    if first_staff_id and uow.repos.staff.by_id(first_staff_id) is None:
        raise NotFound("staff.not_found", staff=first_staff_id)
    seq = uow.repos.sequences.next(station.code, "case", f"{now:%Y%m%d}")
    accepted = state is CaseState.ACCEPTED
    case_id = uow.add("cases", {
        "case_no": format_case_no(station.code, now.date(), seq), "station_code": station.code,
        "item_code": item.code, "item_name": item.name, "catalog_version": ctx.catalog.version,
        "applicant_id": applicant_id, "proxy_name": proxy.name if proxy else "",
        "proxy_id_number": proxy.id_number if proxy else "", "proxy_relation": proxy.relation if proxy else "",
        "proxy_phone": proxy.phone if proxy else "", "first_staff_id": first_staff_id or actor.staff_id,
        "handler_id": actor.staff_id, "state": state.value,
        "form_json": json.dumps(dict(form), ensure_ascii=False, sort_keys=True),
        "received_at": iso_time(now), "accepted_at": iso_time(now) if accepted else None,
        "due_date": ctx.calendar.add_working_days(now.date(), item.time_limit_days) if accepted else None,
    })
    uow.add_many("case_materials", [{"case_id": case_id, **m} for m in _material_rows(item, received)])
    record_event(uow, case_id, CaseAction.ACCEPT if accepted else CaseAction.CONSULT, "", state, actor, now, note)
    uow.audit(staff_id=actor.staff_id, action=f"case.{state.value}", target_type="case", target_id=case_id,
              detail={"item": item.code, "proxy": bool(proxy)}, at=now)
    return case_id


def _accept_consultation(ctx: ServiceContext, uow: UnitOfWork, *, actor: Actor, case_id: str, applicant_id: str,
                         item: ServiceItem, received: set[str], form: Mapping[str, object], proxy: Proxy | None,
                         missing: tuple[Material, ...]) -> str:
    """The resident came back with the materials: the consultation becomes the accepted case, same number."""
    row = _own_case(ctx, uow, case_id)
    current = CaseState(row["state"])
    # Only a consultation can become an accepted case; checked before anything is touched, so an accepted or
    # closed case is never edited through here (also when materials are still missing).
    next_state(current, CaseAction.ACCEPT)
    if row["item_code"] != item.code:
        raise Conflict("case.item_mismatch", case_no=row["case_no"], item=row["item_name"])
    if row["applicant_id"] != applicant_id:
        raise Conflict("case.applicant_mismatch", case_no=row["case_no"])
    now = ctx.now()
    for line in uow.repos.cases.materials(case_id):
        got = line["material_code"] in received
        if bool(line["received"]) != got:
            uow.change("case_materials", line["id"], {"received": got})
    values: dict[str, Any] = {"form_json": json.dumps(dict(form), ensure_ascii=False, sort_keys=True),
                              "handler_id": actor.staff_id}
    if proxy:
        values.update(proxy_name=proxy.name, proxy_id_number=proxy.id_number, proxy_relation=proxy.relation,
                      proxy_phone=proxy.phone)
    if not missing:
        values.update(state=next_state(current, CaseAction.ACCEPT).value, accepted_at=iso_time(now),
                      due_date=ctx.calendar.add_working_days(now.date(), item.time_limit_days))
        record_event(uow, case_id, CaseAction.ACCEPT, current.value, CaseState.ACCEPTED, actor, now, "")
        uow.audit(staff_id=actor.staff_id, action="case.accepted", target_type="case", target_id=case_id, at=now)
    uow.change("cases", case_id, values)
    return case_id


def record_event(uow: UnitOfWork, case_id: str, action: CaseAction | str, from_state: str, to_state: CaseState,
           actor: Actor, now: datetime, note: str) -> None:
    uow.add("case_events", {"case_id": case_id, "action": str(action), "from_state": from_state,
                            "to_state": to_state.value, "staff_id": actor.staff_id, "at": iso_time(now),
                            "note": note[:500]})


def _own_case(ctx: ServiceContext, uow: UnitOfWork, case_id: str) -> dict[str, Any]:
    row = uow.repos.cases.by_id(case_id) or uow.repos.cases.by_no(case_id)
    if row is None or row["deleted"]:
        raise NotFound("case.not_found", case=case_id)
    station_code = ctx.station_code(uow)
    if row["station_code"] != station_code:
        raise Conflict("case.other_station", case_no=row["case_no"], station=row["station_code"])
    return dict(row)


def _transition(ctx: ServiceContext, *, actor: Actor, case_id: str, action: CaseAction, note: str,
                values: Mapping[str, Any] | None = None,
                also: Callable[[UnitOfWork, str], None] | None = None) -> CaseView:
    actor.require(Permission.CASE_HANDLE)
    now = ctx.now()
    with ctx.uow() as uow:
        row = _own_case(ctx, uow, case_id)
        current = CaseState(row["state"])
        target = next_state(current, action)
        changes: dict[str, Any] = {"state": target.value, "handler_id": actor.staff_id, **(values or {})}
        if target.is_final:
            changes["closed_at"] = iso_time(now)
        uow.change("cases", row["id"], changes)
        if also is not None:  # more changes that belong to the same step, in the same transaction
            also(uow, row["id"])
        record_event(uow, row["id"], action, current.value, target, actor, now, note)
        uow.audit(staff_id=actor.staff_id, action=f"case.{action.value}", target_type="case", target_id=row["id"],
                  detail={"from": current.value, "to": target.value}, at=now)
        view = _view(ctx, uow, row["id"])
        uow.commit()
        return view


def forward_case(ctx: ServiceContext, *, actor: Actor, case_id: str, to: str = "镇便民服务中心",
                 note: str = "") -> CaseView:
    """Forward an accepted case to the town or a department (转报); the promised date keeps running."""
    target = " ".join(to.split()) or "镇便民服务中心"
    return _transition(ctx, actor=actor, case_id=case_id, action=CaseAction.FORWARD,
                       note=f"转报至{target}" + (f"：{note}" if note else ""))


RETURN_MARK = "（需补正："  # a return's note: the reason, then this and the materials' names joined by 、 and "）"


def return_case(ctx: ServiceContext, *, actor: Actor, case_id: str, reason: str,
                materials: Collection[str] = ()) -> CaseView:
    """Ask for more materials (补正). The promised date stops; it restarts in full when they arrive."""
    text = require_reason(reason)
    with ctx.uow() as uow:
        row = _own_case(ctx, uow, case_id)
    item = ctx.catalog.get(row["item_code"])
    names = [m.name for m in item.materials if m.code in set(materials)] if item else []
    if item and set(materials) - {m.code for m in item.materials}:
        raise DomainError("case.unknown_material", codes="、".join(sorted(set(materials))), item=item.name)
    note = text + (f"{RETURN_MARK}{'、'.join(names)}）" if names else "")
    return _transition(ctx, actor=actor, case_id=case_id, action=CaseAction.RETURN, note=note,
                       values={"due_date": None, "reason": text})


def resubmit_case(ctx: ServiceContext, *, actor: Actor, case_id: str, received_materials: Collection[str] = (),
                  note: str = "") -> CaseView:
    """The missing materials arrived: the case is accepted again, counted from today."""
    with ctx.uow() as uow:
        row = _own_case(ctx, uow, case_id)
    item = ctx.catalog.item(row["item_code"])
    received = _check_received(item, received_materials)
    today = ctx.now().date()

    def mark_received(uow: UnitOfWork, row_id: str) -> None:
        # In the step's own transaction: the case never shows as accepted with its new materials unrecorded.
        for line in uow.repos.cases.materials(row_id):
            if line["material_code"] in received and not line["received"]:
                uow.change("case_materials", line["id"], {"received": True})

    return _transition(ctx, actor=actor, case_id=case_id, action=CaseAction.RESUBMIT, note=note or "材料已补齐",
                       values={"due_date": ctx.calendar.add_working_days(today, item.time_limit_days), "reason": ""},
                       also=mark_received)


def complete_case(ctx: ServiceContext, *, actor: Actor, case_id: str, outcome: Outcome = Outcome.GRANTED,
                  note: str = "") -> CaseView:
    """The result came back (办结)."""
    if outcome is Outcome.REFUSED:
        require_reason(note)
    return _transition(ctx, actor=actor, case_id=case_id, action=CaseAction.COMPLETE, note=note,
                       values={"outcome": outcome.value})


def reject_case(ctx: ServiceContext, *, actor: Actor, case_id: str, reason: str) -> CaseView:
    """Not accepted (不予受理), always with the reason the resident is told."""
    text = require_reason(reason)
    return _transition(ctx, actor=actor, case_id=case_id, action=CaseAction.REJECT, note=text,
                       values={"reason": text})


def withdraw_case(ctx: ServiceContext, *, actor: Actor, case_id: str, reason: str) -> CaseView:
    """The resident withdrew the application (撤回)."""
    text = require_reason(reason)
    return _transition(ctx, actor=actor, case_id=case_id, action=CaseAction.WITHDRAW, note=text,
                       values={"reason": text})


def get_case(ctx: ServiceContext, *, case_id: str) -> CaseView:
    """One case by id or case number, with materials, form, attachments and its full history."""
    with ctx.read() as uow:
        row = uow.repos.cases.by_id(case_id) or uow.repos.cases.by_no(case_id.strip())
        if row is None or row["deleted"]:
            raise NotFound("case.not_found", case=case_id)
        return _view(ctx, uow, row["id"])


def list_cases(ctx: ServiceContext, *, states: Collection[CaseState] = (), day: date | None = None,
               overdue: bool = False, text: str = "", limit: int = 200,
               station_code: str | None = None, all_stations: bool = False) -> tuple[CaseSummary, ...]:
    """This station's cases, newest first; ``overdue`` keeps those past their promised date; ``text`` finds
    a case number (or part of it), an applicant's name, or an item's code or name. At the town server:
    another station's (``station_code``) or every station's (``all_stations``), read only."""
    today = ctx.now().date()
    with ctx.read() as uow:
        station = None if all_stations else (station_code or ctx.station_code(uow))
        rows = uow.repos.cases.search(
            states=[s.value for s in states], station_code=station,
            day_from=day.isoformat() if day else None,
            day_to=date.fromordinal(day.toordinal() + 1).isoformat() if day else None,
            overdue_on=today if overdue else None, text=" ".join(text.split()), limit=limit)
    return tuple(case_summary(r, today) for r in rows)


def _view(ctx: ServiceContext, uow: UnitOfWork, case_id: str) -> CaseView:
    row = uow.repos.cases.by_id(case_id)
    assert row is not None
    today = ctx.now().date()
    applicant = uow.repos.residents.by_id(row["applicant_id"])
    assert applicant is not None
    staff_names = {s["id"]: s["display_name"] for s in uow.repos.staff.list()}
    item = ctx.catalog.get(row["item_code"])
    labels = {f.key: f.label for f in item.fields} if item else {}
    form = json.loads(row["form_json"] or "{}")
    state = CaseState(row["state"])
    unconfirmed: tuple[int, ...] = ()
    if row["due_date"] is not None:
        counted_from = date.fromisoformat((row["accepted_at"] or row["received_at"])[:10])
        unconfirmed = ctx.calendar.unconfirmed_years(counted_from, row["due_date"])
    proxy = None
    if row["proxy_name"]:
        proxy = ProxyView(name=row["proxy_name"], id_masked=mask_id(row["proxy_id_number"]),
                          relation=row["proxy_relation"], phone_masked=mask_phone(row["proxy_phone"]))
    return CaseView(
        id=row["id"], case_no=row["case_no"], station_code=row["station_code"], state=state,
        item_code=row["item_code"], item_name=row["item_name"], catalog_version=row["catalog_version"],
        applicant=resident_summary(applicant, ctx.village_names(uow), today), proxy=proxy,
        first_staff=staff_names.get(row["first_staff_id"], ""), handler=staff_names.get(row["handler_id"], ""),
        received_at=row["received_at"], accepted_at=row["accepted_at"], due_date=row["due_date"],
        closed_at=row["closed_at"], outcome=row["outcome"], reason=row["reason"],
        overdue=is_overdue(state, row["due_date"], today),
        materials=tuple(MaterialLine(code=m["material_code"], name=m["name"], required=bool(m["required"]),
                                     copies=m["copies"], form=m["form"], received=bool(m["received"]))
                        for m in uow.repos.cases.materials(case_id)),
        form=tuple((k, labels.get(k, k), v) for k, v in form.items()),
        attachments=tuple(AttachmentView(id=a["id"], file_name=a["file_name"], material_code=a["material_code"],
                                         sha256=a["sha256"], size=a["size"], stored_path=a["stored_path"],
                                         added_at=a["added_at"]) for a in uow.repos.cases.attachments(case_id)),
        events=tuple(EventView(action=e["action"], from_state=e["from_state"], to_state=CaseState(e["to_state"]),
                               staff_name=staff_names.get(e["staff_id"], ""), at=e["at"], note=e["note"])
                     for e in uow.repos.cases.events(case_id)),
        due_unconfirmed=unconfirmed,
    )


def _notice(ctx: ServiceContext, uow: UnitOfWork, view: CaseView, item: ServiceItem, actor: Actor) -> OneTimeNotice:
    station: Station = ctx.station(uow)
    return OneTimeNotice(
        case_no=view.case_no, station_name=station.name, station_phone=station.phone,
        supervision_phone=station.supervision_phone, applicant_name=view.applicant.name,
        applicant_id_masked=view.applicant.id_masked, item_code=item.code, item_name=item.name,
        department=item.department, legal_basis=item.legal_basis, conditions=item.conditions,
        procedure=item.procedure, time_limit_days=item.time_limit_days, time_limit_note=item.time_limit_note,
        fee_fen=item.fee_fen, fee_note=item.fee_note, consultation_phone=item.phone, materials=view.materials,
        missing=view.missing_required, staff_name=actor.display_name, staff_no=actor.staff_no,
        issued_at=iso_time(ctx.now()),
    )


# -- for the documents service: the same views, read inside its own unit of work ----------------------------
def own_case_view(ctx: ServiceContext, uow: UnitOfWork, case_ref: str) -> CaseView:
    """This station's case by id or number, inside ``uow`` (another station's case is refused)."""
    return _view(ctx, uow, _own_case(ctx, uow, case_ref.strip())["id"])


def notice_for(ctx: ServiceContext, uow: UnitOfWork, view: CaseView, actor: Actor) -> OneTimeNotice:
    """The one-time notice of a case as it stands, told by ``actor``."""
    return _notice(ctx, uow, view, ctx.catalog.item(view.item_code), actor)
