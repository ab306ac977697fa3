"""Village points (积分制): declarations, review (评议), public notice (公示), the ledger, the points
supermarket (积分超市), statements and boards.

Every balance is the sum of its account's ledger entries and every stock the sum of its moves: nothing is
edited by hand, a correction is a new entry. Checks that must hold together (stock and spendable points at
a redemption) run inside one write transaction, which SQLite serialises.

Offline across stations (the town's sync exchanges the rows later): accounts, opening entries and expiries
have ids made from what they are (``stable_id``), so two stations making them offline make the same rows; a
station redeeming for another village's account stays within the rules' ``away_allowance`` until the town
has its earlier redemptions; entries arriving from elsewhere are applied once (``apply_entries``), and any
spending that went past the spendable balance is put in a conflict queue for the town to review.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from app.domain.errors import Conflict, DomainError, NotFound
from app.domain.ids import stable_id
from app.domain.points import (
    ENTRY_KINDS,
    AccountKind,
    CapPeriod,
    DeclarationState,
    Entry,
    EntryKind,
    Indicator,
    PointsRules,
    RulesFile,
    RulesScope,
    StarGrade,
    add_months,
    build_rules,
    check_away_room,
    check_redemption,
    due_expiries,
    mask_name,
    overspent,
    parse_hours,
    parse_rules,
    replay,
)
from app.domain.staff import Actor, Permission
from app.paths import resource
from app.persistence.uow import UnitOfWork
from app.services.attachments import store_file, stored_file
from app.services.cases import iso_time
from app.services.context import ServiceContext
from app.services.integrity import chain_entry
from app.services.paper import (
    NoticeRow,
    PointsAward,
    PointsNoticeSheet,
    PointsStatementSheet,
    Redemption,
    RedemptionLine,
    StatementRow,
)

TOWN_RULES_FILE = ("points", "town-standard.json")


# ---------------------------------------------------------------- views (frozen, for every entry point)


@dataclass(frozen=True, slots=True)
class AccountView:
    id: str
    kind: AccountKind
    holder_name: str
    village_code: str
    village_name: str
    group_name: str
    balance: int
    spendable: int
    suspended: bool
    grade: StarGrade | None
    opened: bool  # False: no account yet (shown with the starting balance it will open with)


@dataclass(frozen=True, slots=True)
class DeclarationView:
    id: str
    account_id: str
    holder_name: str
    village_code: str
    village_name: str
    group_name: str
    resident_id: str
    resident_name: str
    indicator_code: str
    indicator_name: str
    category: str
    hours: str
    points: int
    activity_on: date
    note: str
    declared_by: str
    recorded_by: str
    recorded_at: str
    state: str
    state_label: str
    review_body: str
    review_reason: str
    reviewed_by: str
    notice_id: str | None
    objection: str
    has_evidence: bool
    station_code: str  # the station that recorded it: only it reviews, posts and credits it (it owns the row)


@dataclass(frozen=True, slots=True)
class NoticeLine:
    name: str  # masked when the rules say so
    group_name: str
    category: str
    indicator: str
    points: int


@dataclass(frozen=True, slots=True)
class NoticeView:
    id: str
    village_code: str
    village_name: str
    posted_at: str
    ends_on: date
    state: str
    review_body: str
    lines: tuple[NoticeLine, ...]
    declaration_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GoodsView:
    id: str
    code: str
    name: str
    unit: str
    price: int
    stock: int
    active: bool


@dataclass(frozen=True, slots=True)
class RedemptionLineView:
    goods_id: str
    code: str
    name: str
    quantity: int
    price: int


@dataclass(frozen=True, slots=True)
class RedemptionView:
    id: str
    account: AccountView  # after the redemption (or its reversal)
    resident_name: str
    lines: tuple[RedemptionLineView, ...]
    total: int
    balance_before: int
    at: str
    staff_name: str
    state: str  # done | reversed
    reverse_reason: str


class StatementLine(NamedTuple):  # a tuple: a statement may have thousands
    at: str
    kind: EntryKind
    points: int
    balance: int
    reason: str
    approved_by: str
    station_code: str


@dataclass(frozen=True, slots=True)
class Statement:
    account: AccountView
    lines: tuple[StatementLine, ...]
    expiring: tuple[tuple[date, int], ...]  # (last day, points) still to use, soonest first
    pending: int  # points declared and not yet credited (pending, approved, in notice)


@dataclass(frozen=True, slots=True)
class BoardLine:
    rank: int
    account_id: str
    holder_name: str  # masked when the rules say so
    group_name: str
    balance: int
    grade: str


@dataclass(frozen=True, slots=True)
class Board:
    village_code: str
    village_name: str
    lines: tuple[BoardLine, ...]
    grades: tuple[tuple[str, int], ...]  # (grade label, households) best first


@dataclass(frozen=True, slots=True)
class Summary:
    period: str  # 2026-11 or 2026-Q4
    start: date
    end: date  # exclusive
    awarded: int
    deducted: int
    redeemed: int  # net of reversals
    expired: int
    corrected: int
    goods_out: tuple[tuple[str, str, int], ...]  # (name, unit, quantity)


@dataclass(frozen=True, slots=True)
class SettleResult:
    credited: int
    waiting_on_objection: int
    notices_closed: int
    lots_expired: int
    points_expired: int


# ---------------------------------------------------------------- rules


def load_rules(ctx: ServiceContext, uow: UnitOfWork) -> PointsRules:
    """The rules in force: the newest town file published (or the one shipped with the program) and the
    newest file of each village."""
    newest: dict[str, RulesFile] = {}
    for row in uow.repos.points.rules_files():
        newest[row["rules_id"]] = _parsed(row["body"], f"{row['rules_id']}@{row['version']}")
    town = next((f for f in reversed(list(newest.values())) if f.scope is RulesScope.TOWN), None)
    if town is None:
        town = shipped_rules()
    villages = [f for f in newest.values() if f.scope is RulesScope.VILLAGE]
    return build_rules(town, villages)


@lru_cache(maxsize=32)
def _parsed(body: str, source: str) -> RulesFile:
    """A published file read once per process: every points call needs the rules, the files rarely change."""
    return parse_rules(json.loads(body), source=source)


@cache
def shipped_rules() -> RulesFile:
    path = resource(*TOWN_RULES_FILE)
    return _parsed(path.read_text(encoding="utf-8"), path.name)


def points_rules(ctx: ServiceContext) -> PointsRules:
    with ctx.read() as uow:
        return load_rules(ctx, uow)


def read_rules_file(path: Path) -> tuple[RulesFile, str]:
    """A rules file read and checked (its body kept as published); a refusal in words otherwise."""
    try:
        body = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise DomainError("file.not_found", path=str(path)) from e
    except UnicodeDecodeError as e:
        raise DomainError("points_rules.not_utf8", source=path.name) from e
    try:
        data = json.loads(body)
    except json.JSONDecodeError as e:
        raise DomainError("points_rules.not_json", source=path.name, line=e.lineno) from e
    return parse_rules(data, source=path.name), body


def publish_rules(ctx: ServiceContext, *, actor: Actor, path: Path) -> PointsRules:
    """Publish a rules file: the town's (town administrator) or this village's own indicators (station
    head). Checked whole before anything is stored; a version already published is refused."""
    parsed, body = read_rules_file(path)
    with ctx.uow() as uow:
        station = ctx.station(uow)
        if parsed.scope is RulesScope.TOWN:
            actor.require(Permission.TOWN_ADMIN)
        else:
            actor.require(Permission.POINTS_MANAGE)
            if parsed.village_code != station.village_code and not actor.can(Permission.TOWN_ADMIN):
                raise DomainError("points_rules.other_village", village=parsed.village_code,
                                  own=station.village_code)
        if uow.repos.points.rules_file(parsed.rules_id, parsed.version) is not None:
            raise Conflict("points_rules.version_taken", rules_id=parsed.rules_id, version=parsed.version)
        uow.add("points_rules_files", {"id": stable_id("points_rules", parsed.rules_id, parsed.version),
                                       "rules_id": parsed.rules_id, "scope": parsed.scope.value,
                                       "village_code": parsed.village_code, "version": parsed.version,
                                       "body": body})
        rules = load_rules(ctx, uow)  # the merged rules must hold together (codes unique across files)
        keys = [(i.village_code, i.code) for i in rules.indicators]
        twice = sorted({code for village, code in keys if keys.count((village, code)) > 1
                        or (village and ("", code) in keys)})
        if twice:
            raise Conflict("points_rules.codes_taken", codes="、".join(twice))
        uow.audit(staff_id=actor.staff_id, action="points.rules_published", target_type="points_rules",
                  target_id=f"{parsed.rules_id}@{parsed.version}", detail={"scope": parsed.scope.value},
                  at=ctx.now())
        uow.commit()
    return rules


# ---------------------------------------------------------------- accounts


def _holder(rules: PointsRules, uow: UnitOfWork, resident: Mapping[str, Any]) -> tuple[str, str, str]:
    """(account id, holder id, holder name) of the account a resident's points go to."""
    if rules.account_kind is AccountKind.PERSON:
        return stable_id("points-account", "person", resident["id"]), resident["id"], resident["name"]
    household_id = resident["household_id"]
    if not household_id:
        raise DomainError("points.no_household", name=resident["name"])
    household = uow.repos.residents.household(household_id)
    head = (household or {}).get("head_name") or resident["name"]
    return stable_id("points-account", "household", household_id), household_id, head


def _village_name(ctx: ServiceContext, uow: UnitOfWork, code: str) -> str:
    return ctx.village_names(uow).get(code) or code


def _resident(uow: UnitOfWork, resident_id: str) -> Mapping[str, Any]:
    row = uow.repos.residents.by_id(resident_id)
    if row is None or row["deleted"]:
        raise NotFound("resident.not_found", resident=resident_id)
    return row


def _open_account(ctx: ServiceContext, uow: UnitOfWork, rules: PointsRules, resident: Mapping[str, Any],
                  actor: Actor) -> Mapping[str, Any]:
    """The resident's account, opened with its starting balance the first time it is needed."""
    account_id, holder_id, name = _holder(rules, uow, resident)
    row = uow.repos.points.account(account_id)
    if row is not None:
        return row
    now = iso_time(ctx.now())
    uow.add("points_accounts", {"id": account_id, "kind": rules.account_kind.value, "holder_id": holder_id,
                                "village_code": resident["village_code"], "holder_name": name,
                                "group_name": resident["group_name"], "opened_at": now})
    if rules.starting_balance:
        uow.add("points_entries", {"id": stable_id("points-opening", account_id), "account_id": account_id,
                                   "kind": EntryKind.OPENING.value, "points": rules.starting_balance, "at": now,
                                   "reason": "起始分", "operator_id": actor.staff_id,
                                   "station_code": ctx.station_code(uow)})
    found = uow.repos.points.account(account_id)
    assert found is not None
    return found


def _account_view(ctx: ServiceContext, uow: UnitOfWork, rules: PointsRules, row: Mapping[str, Any],
                  balance: int | None = None) -> AccountView:
    bal = uow.repos.points.balance(row["id"]) if balance is None else balance
    return AccountView(id=row["id"], kind=AccountKind(row["kind"]), holder_name=row["holder_name"],
                       village_code=row["village_code"],
                       village_name=_village_name(ctx, uow, row["village_code"]),
                       group_name=row["group_name"], balance=bal, spendable=rules.spendable(bal),
                       suspended=rules.suspended(bal), grade=rules.grade(bal), opened=True)


def account_of(ctx: ServiceContext, *, resident_id: str) -> AccountView:
    """The points account a resident's points go to (their household's, or their own); one not yet opened
    shows the starting balance it will open with."""
    with ctx.read() as uow:
        rules = load_rules(ctx, uow)
        resident = _resident(uow, resident_id)
        account_id, _, name = _holder(rules, uow, resident)
        row = uow.repos.points.account(account_id)
        if row is not None:
            return _account_view(ctx, uow, rules, row)
        bal = rules.starting_balance
        return AccountView(id=account_id, kind=rules.account_kind, holder_name=name,
                           village_code=resident["village_code"],
                           village_name=_village_name(ctx, uow, resident["village_code"]),
                           group_name=resident["group_name"], balance=bal, spendable=rules.spendable(bal),
                           suspended=rules.suspended(bal), grade=rules.grade(bal), opened=False)


def _account(uow: UnitOfWork, account_id: str) -> Mapping[str, Any]:
    row = uow.repos.points.account(account_id)
    if row is None or row["deleted"]:
        raise NotFound("points.no_account", account=account_id)
    return row


# ---------------------------------------------------------------- declarations, review, notice


def _period_bounds(period: CapPeriod, day: date) -> tuple[date, date]:
    if period is CapPeriod.MONTH:
        start = day.replace(day=1)
        return start, add_months(start, 1)
    if period is CapPeriod.QUARTER:
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return start, add_months(start, 3)
    return date(day.year, 1, 1), date(day.year + 1, 1, 1)


def declare(ctx: ServiceContext, *, actor: Actor, resident_id: str, indicator: str, hours: str | None = None,
            activity_on: date | None = None, note: str = "", declared_by: str = "本人",
            evidence: Path | None = None) -> DeclarationView:
    """Record a declaration at the counter (申报): who did what, when, on whose word, with what evidence.
    It waits for review; nothing is credited yet."""
    actor.require(Permission.POINTS_DECLARE)
    today = ctx.now().date()
    day = activity_on or today
    if day > today:
        raise DomainError("points.future_activity", day=day.isoformat())
    who = " ".join(declared_by.split())[:40]
    if not who:
        raise DomainError("points.declared_by_needed")
    counted = parse_hours(hours) if hours not in (None, "") else None
    stored = store_file(ctx, evidence) if evidence is not None else None
    with ctx.uow() as uow:
        rules = load_rules(ctx, uow)
        resident = _resident(uow, resident_id)
        ind = rules.indicator(indicator, resident["village_code"])
        points = ind.points_for(counted)
        account = _open_account(ctx, uow, rules, resident, actor)
        if ind.cap is not None:
            start, end = _period_bounds(ind.cap_period, day)
            already = uow.repos.points.declared_in(account["id"], ind.code, start, end)
            room = ind.cap_room(already) or 0
            if abs(points) > room:
                raise DomainError("points.cap_reached", indicator=ind.name, cap=ind.cap,
                                  period=ind.cap_period.label_zh, already=already, room=room)
        decl_id = uow.add("points_declarations", {
            "account_id": account["id"], "resident_id": resident["id"], "indicator_code": ind.code,
            "rules_version": "+".join(rules.versions), "hours": str(counted) if counted is not None else "",
            "points": points, "activity_on": day, "note": note.strip()[:500],
            "evidence_path": stored[0] if stored else "", "declared_by": who, "recorded_by": actor.staff_id,
            "recorded_at": iso_time(ctx.now()), "station_code": ctx.station_code(uow),
            "state": DeclarationState.PENDING})
        uow.audit(staff_id=actor.staff_id, action="points.declared", target_type="points_declaration",
                  target_id=decl_id, detail={"indicator": ind.code, "points": points}, at=ctx.now())
        view = _declaration_view(ctx, uow, rules, decl_id)
        uow.commit()
        return view


def _declaration_view(ctx: ServiceContext, uow: UnitOfWork, rules: PointsRules, decl_id: str,
                      row: Mapping[str, Any] | None = None,
                      staff: Mapping[str, str] | None = None) -> DeclarationView:
    d = row or uow.repos.points.declaration(decl_id)
    if d is None or d["deleted"]:
        raise NotFound("points.no_declaration", declaration=decl_id)
    account = uow.repos.points.account(d["account_id"]) or {}
    resident = uow.repos.residents.by_id(d["resident_id"]) or {}
    try:
        ind: Indicator | None = rules.indicator(d["indicator_code"], account.get("village_code", ""))
    except NotFound:
        ind = None  # an indicator since removed from the rules: the declaration keeps its code and points
    staff = staff if staff is not None else _staff_names(uow)
    return DeclarationView(
        id=d["id"], account_id=d["account_id"], holder_name=account.get("holder_name", ""),
        village_code=account.get("village_code", ""),
        village_name=_village_name(ctx, uow, account.get("village_code", "")) if account else "",
        group_name=account.get("group_name", ""), resident_id=d["resident_id"],
        resident_name=resident.get("name", ""), indicator_code=d["indicator_code"],
        indicator_name=ind.name if ind else d["indicator_code"], category=ind.category if ind else "",
        hours=d["hours"], points=d["points"], activity_on=d["activity_on"], note=d["note"],
        declared_by=d["declared_by"], recorded_by=staff.get(d["recorded_by"], ""), recorded_at=d["recorded_at"],
        state=d["state"], state_label=DeclarationState(d["state"]).label_zh,
        review_body=d["review_body"], review_reason=d["review_reason"],
        reviewed_by=staff.get(d["reviewed_by"] or "", ""), notice_id=d["notice_id"], objection=d["objection"],
        has_evidence=bool(d["evidence_path"]), station_code=d["station_code"])


def _staff_names(uow: UnitOfWork) -> dict[str, str]:
    return {s["id"]: s["display_name"] for s in uow.repos.staff.list()}


def list_declarations(ctx: ServiceContext, *, states: Sequence[str] = (), village_code: str | None = None,
                      account_id: str | None = None) -> tuple[DeclarationView, ...]:
    with ctx.read() as uow:
        rules = load_rules(ctx, uow)
        rows = uow.repos.points.declarations(states=states, village_code=village_code, account_id=account_id)
        staff = _staff_names(uow)  # once for the list, not once a row
        return tuple(_declaration_view(ctx, uow, rules, r["id"], r, staff) for r in rows)


def indicators_for(ctx: ServiceContext, *, village_code: str) -> tuple[Indicator, ...]:
    """What an account of this village can be given at the counter: the town's list and the village's own."""
    return points_rules(ctx).indicators_for(village_code)


def evidence_file(ctx: ServiceContext, *, declaration_id: str) -> Path:
    """The photo or scan kept with a declaration, for the review to look at."""
    with ctx.read() as uow:
        d = uow.repos.points.declaration(declaration_id)
        if d is None or d["deleted"]:
            raise NotFound("points.no_declaration", declaration=declaration_id)
        stored = str(d["evidence_path"])
    if not stored:
        raise NotFound("points.no_evidence")
    if ctx.data_dir is None:
        raise NotFound("points.evidence_missing", path=stored)
    target = stored_file(ctx.data_dir, stored)
    if not target.is_file():
        raise NotFound("points.evidence_missing", path=stored)
    return target


def _declaration_in(uow: UnitOfWork, decl_id: str, *states: str) -> Mapping[str, Any]:
    """A declaration this station may act on: it exists, is in one of ``states``, and was recorded here (the
    row belongs to the station that recorded it; the town refuses any other station's change to it)."""
    d = uow.repos.points.declaration(decl_id)
    if d is None or d["deleted"]:
        raise NotFound("points.no_declaration", declaration=decl_id)
    here = uow.meta_get("station_code") or ""
    if here and d["station_code"] != here:
        raise DomainError("points.recorded_elsewhere", station=d["station_code"])
    if states and d["state"] not in states:
        raise Conflict("points.bad_state", declaration=decl_id,
                       state=DeclarationState(d["state"]).label_zh)
    return d


def review(ctx: ServiceContext, *, actor: Actor, declaration_id: str, approve: bool, reason: str = "",
           body: str = "村两委会议") -> DeclarationView:
    """The review (评议) of one pending declaration: approved (it goes to the next public notice) or rejected
    with a reason. Nobody approves a declaration they recorded themselves."""
    actor.require(Permission.POINTS_REVIEW)
    text = " ".join(reason.split())
    if not approve and not text:
        raise DomainError("points.reason_needed")
    with ctx.uow() as uow:
        d = _declaration_in(uow, declaration_id, DeclarationState.PENDING)
        if approve and d["recorded_by"] == actor.staff_id:
            raise DomainError("points.own_declaration")
        state = DeclarationState.APPROVED if approve else DeclarationState.REJECTED
        uow.change("points_declarations", d["id"], {
            "state": state, "reviewed_by": actor.staff_id, "review_body": " ".join(body.split())[:40] or "评议",
            "reviewed_at": iso_time(ctx.now()), "review_reason": text[:500]})
        uow.audit(staff_id=actor.staff_id, action="points.approved" if approve else "points.rejected",
                  target_type="points_declaration", target_id=d["id"], detail={"reason": text}, at=ctx.now())
        view = _declaration_view(ctx, uow, load_rules(ctx, uow), d["id"])
        uow.commit()
        return view


def post_notice(ctx: ServiceContext, *, actor: Actor, village_code: str | None = None) -> NoticeView:
    """Post the public notice (公示) of one village's approved declarations recorded at this station (the
    station's own village by default): the points are credited when it ends, unless an objection holds them
    back."""
    actor.require(Permission.POINTS_REVIEW)
    with ctx.uow() as uow:
        rules = load_rules(ctx, uow)
        village = village_code or ctx.station(uow).village_code
        here = ctx.station_code(uow)
        approved = uow.repos.points.declarations(states=[DeclarationState.APPROVED], village_code=village)
        rows = [r for r in approved if r["station_code"] == here]
        if not rows:
            _nothing_to_post(ctx, uow, here, approved, village)
        view = _post(ctx, uow, rules, actor, village, rows)
        uow.commit()
        return view


def post_notices(ctx: ServiceContext, *, actor: Actor) -> tuple[NoticeView, ...]:
    """Post the public notice of every village with declarations approved at this station, one notice (and
    one sheet for its board) per village: the station serves residents of every village of the town (赶集式),
    and each village's notice goes up in that village. The station's own village comes first."""
    actor.require(Permission.POINTS_REVIEW)
    with ctx.uow() as uow:
        rules = load_rules(ctx, uow)
        here = ctx.station_code(uow)
        own = ctx.station(uow).village_code
        approved = uow.repos.points.declarations(states=[DeclarationState.APPROVED])
        by_village: dict[str, list[Mapping[str, Any]]] = {}
        for r in approved:
            if r["station_code"] == here:
                by_village.setdefault(r["village_code"], []).append(r)
        if not by_village:
            _nothing_to_post(ctx, uow, here, approved, None)
        order = sorted(by_village, key=lambda code: (code != own, code))
        views = tuple(_post(ctx, uow, rules, actor, village, by_village[village]) for village in order)
        uow.commit()
        return views


def _nothing_to_post(ctx: ServiceContext, uow: UnitOfWork, here: str, approved: Sequence[Mapping[str, Any]],
                     village: str | None) -> None:
    """Why there is nothing to post, exactly: approved elsewhere (that station posts them), waiting for the
    review, or nothing at all."""
    elsewhere = sorted({r["station_code"] for r in approved if r["station_code"] != here})
    if elsewhere:
        raise DomainError("points.approved_elsewhere", n=len(approved), stations="、".join(elsewhere))
    waiting = [r for r in uow.repos.points.declarations(states=[DeclarationState.PENDING], village_code=village)
               if r["station_code"] == here]
    where = _village_name(ctx, uow, village) if village else ""
    if waiting:
        raise DomainError("points.nothing_approved", n=len(waiting), village=where)
    if village:
        raise DomainError("points.nothing_to_post", village=where)
    raise DomainError("points.nothing_declared")


def _post(ctx: ServiceContext, uow: UnitOfWork, rules: PointsRules, actor: Actor, village: str,
          rows: Sequence[Mapping[str, Any]]) -> NoticeView:
    today = ctx.now().date()
    notice_id = uow.add("points_notices", {
        "station_code": ctx.station_code(uow), "village_code": village, "posted_at": iso_time(ctx.now()),
        "posted_by": actor.staff_id, "ends_on": today + timedelta(days=max(rules.notice_days, 1) - 1),
        "state": "open"})
    for r in rows:
        uow.change("points_declarations", r["id"], {"state": DeclarationState.NOTICED, "notice_id": notice_id})
    uow.audit(staff_id=actor.staff_id, action="points.notice_posted", target_type="points_notice",
              target_id=notice_id, detail={"declarations": len(rows), "village": village}, at=ctx.now())
    return _notice_view(ctx, uow, rules, notice_id)


def _notice_view(ctx: ServiceContext, uow: UnitOfWork, rules: PointsRules, notice_id: str) -> NoticeView:
    n = uow.repos.points.notice(notice_id)
    if n is None:
        raise NotFound("points.no_notice", notice=notice_id)
    rows = [r for r in uow.repos.points.declarations(notice_id=notice_id)
            if r["state"] in (DeclarationState.NOTICED, DeclarationState.CREDITED)]
    lines = []
    for r in rows:
        resident = uow.repos.residents.by_id(r["resident_id"]) or {}
        name = resident.get("name", r["holder_name"])
        try:
            ind: Indicator | None = rules.indicator(r["indicator_code"], r["village_code"])
        except NotFound:
            ind = None
        lines.append(NoticeLine(name=mask_name(name) if rules.mask_names else name, group_name=r["group_name"],
                                category=ind.category if ind else "",
                                indicator=ind.name if ind else r["indicator_code"], points=r["points"]))
    bodies = sorted({r["review_body"] for r in rows if r["review_body"]})
    return NoticeView(id=n["id"], village_code=n["village_code"],
                      village_name=_village_name(ctx, uow, n["village_code"]),
                      posted_at=n["posted_at"], ends_on=n["ends_on"], state=n["state"],
                      review_body="、".join(bodies), lines=tuple(lines), declaration_ids=tuple(r["id"] for r in rows))


def get_notice(ctx: ServiceContext, *, notice_id: str | None = None) -> NoticeView:
    """A public notice; without an id, the newest one still open."""
    with ctx.read() as uow:
        if notice_id is None:
            open_ = uow.repos.points.notices(state="open")
            if not open_:
                raise NotFound("points.no_open_notice")
            notice_id = open_[0]["id"]
        return _notice_view(ctx, uow, load_rules(ctx, uow), notice_id)


def open_notices(ctx: ServiceContext) -> tuple[NoticeView, ...]:
    """The public notices this station posted that are still open (one per village), the newest first."""
    with ctx.read() as uow:
        here = ctx.station_code(uow)
        rules = load_rules(ctx, uow)
        return tuple(_notice_view(ctx, uow, rules, n["id"]) for n in uow.repos.points.notices(state="open")
                     if n["station_code"] == here)


def object_to(ctx: ServiceContext, *, actor: Actor, declaration_id: str, text: str) -> DeclarationView:
    """Record an objection (异议) raised during the public notice: the points wait for the head's decision."""
    actor.require(Permission.POINTS_DECLARE)
    words = " ".join(text.split())
    if not words:
        raise DomainError("points.objection_needed")
    with ctx.uow() as uow:
        d = _declaration_in(uow, declaration_id, DeclarationState.NOTICED)
        stamp = f"{ctx.now():%m-%d %H:%M} {actor.display_name}：{words}"
        uow.change("points_declarations", d["id"], {"objection": "\n".join(filter(None, [d["objection"], stamp]))})
        uow.audit(staff_id=actor.staff_id, action="points.objection", target_type="points_declaration",
                  target_id=d["id"], detail={"text": words}, at=ctx.now())
        view = _declaration_view(ctx, uow, load_rules(ctx, uow), d["id"])
        uow.commit()
        return view


def decide_objection(ctx: ServiceContext, *, actor: Actor, declaration_id: str, uphold: bool,
                     reason: str) -> DeclarationView:
    """The head's decision on an objection: upheld, the declaration is withdrawn; dismissed, it is credited
    when its notice ends (or at the next settling, if it has ended)."""
    actor.require(Permission.POINTS_REVIEW)
    text = " ".join(reason.split())
    if not text:
        raise DomainError("points.reason_needed")
    with ctx.uow() as uow:
        d = _declaration_in(uow, declaration_id, DeclarationState.NOTICED, DeclarationState.APPROVED)
        if uphold:
            changes = {"state": DeclarationState.WITHDRAWN,
                       "review_reason": "\n".join(filter(None, [d["review_reason"], f"撤回：{text}"]))}
        else:
            if not d["objection"]:
                raise DomainError("points.no_objection")
            changes = {"objection": "",
                       "review_reason": "\n".join(filter(None, [d["review_reason"],
                                                                f"异议不成立：{text}（原异议：{d['objection']}）"]))}
        uow.change("points_declarations", d["id"], changes)
        uow.audit(staff_id=actor.staff_id, action="points.withdrawn" if uphold else "points.objection_dismissed",
                  target_type="points_declaration", target_id=d["id"], detail={"reason": text}, at=ctx.now())
        view = _declaration_view(ctx, uow, load_rules(ctx, uow), d["id"])
        uow.commit()
        return view


def settle(ctx: ServiceContext, *, actor: Actor, today: date | None = None) -> SettleResult:
    """What falls due: notices that have ended are closed and their points credited (those with an
    objection wait); lots past their last day expire. Safe to run any number of times."""
    actor.require(Permission.POINTS_DECLARE)
    day = today or ctx.now().date()
    credited = waiting = closed = lots = expired = 0
    with ctx.uow() as uow:
        rules = load_rules(ctx, uow)
        station = ctx.station_code(uow)
        now = iso_time(ctx.now())
        for n in uow.repos.points.notices():
            if n["station_code"] != station or n["ends_on"] >= day:
                continue
            for d in uow.repos.points.declarations(notice_id=n["id"], states=[DeclarationState.NOTICED]):
                if d["objection"]:
                    waiting += 1
                    continue
                _credit(ctx, uow, rules, d, actor, now)
                credited += 1
            if n["state"] == "open":
                uow.change("points_notices", n["id"], {"state": "closed", "closed_at": now})
                closed += 1
        for account_id in uow.repos.points.accounts_with_credits_ending_before(day):  # not every account
            state = replay(_entries(uow, account_id))
            for lot in due_expiries(state, day):
                assert lot.expires_on is not None
                uow.add("points_entries", {
                    "id": stable_id("points-expiry", lot.entry_id), "account_id": account_id,
                    "kind": EntryKind.EXPIRY.value, "points": -lot.remaining,
                    "at": iso_time(datetime.combine(lot.expires_on + timedelta(days=1), datetime.min.time())),
                    "lot_id": lot.entry_id, "reason": f"{lot.expires_on:%Y-%m-%d} 到期", "operator_id": actor.staff_id,
                    "station_code": station})
                lots += 1
                expired += lot.remaining
        if credited or closed or lots:
            uow.audit(staff_id=actor.staff_id, action="points.settled", target_type="points", target_id=station,
                      detail={"credited": credited, "closed": closed, "expired": expired}, at=ctx.now())
        uow.commit()
    return SettleResult(credited=credited, waiting_on_objection=waiting, notices_closed=closed, lots_expired=lots,
                        points_expired=expired)


def _credit(ctx: ServiceContext, uow: UnitOfWork, rules: PointsRules, d: Mapping[str, Any], actor: Actor,
            now: str) -> None:
    kind = EntryKind.AWARD if d["points"] > 0 else EntryKind.DEDUCTION
    reviewer = uow.repos.staff.by_id(d["reviewed_by"]) if d["reviewed_by"] else None
    approved = d["review_body"] + (f"（{reviewer['display_name']}）" if reviewer else "")
    try:
        name = rules.indicator(d["indicator_code"], d["village_code"]).name
    except NotFound:
        name = d["indicator_code"]
    entry_id = stable_id("points-credit", d["id"])
    on = date.fromisoformat(now[:10])
    uow.add("points_entries", {
        "id": entry_id, "account_id": d["account_id"], "kind": kind.value, "points": d["points"], "at": now,
        "expires_on": rules.lot_expires_on(on) if d["points"] > 0 else None, "declaration_id": d["id"],
        "reason": f"{d['indicator_code']} {name}" + (f"（{d['hours']} 小时）" if d["hours"] else ""),
        "approved_by": approved[:80], "operator_id": actor.staff_id, "station_code": ctx.station_code(uow)})
    chain_entry(uow, ctx.station_code(uow), entry_id, kind.value, now)
    uow.change("points_declarations", d["id"], {"state": DeclarationState.CREDITED, "entry_id": entry_id})


def _entry(r: Mapping[str, Any]) -> Entry:
    return Entry(id=r["id"], kind=ENTRY_KINDS[r["kind"]], points=r["points"], at=r["at"], expires_on=r["expires_on"],
                 lot_id=r["lot_id"], hlc=r["created_hlc"])


def _entries(uow: UnitOfWork, account_id: str) -> list[Entry]:
    return [_entry(r) for r in uow.repos.points.entries(account_id)]


def _redemption_index(rows: Sequence[Mapping[str, Any]], redemption_id: str) -> int:
    """Where a redemption's own entry is in an account's entries (in ledger order)."""
    return next(i for i, row in enumerate(rows)
                if row["redemption_id"] == redemption_id and row["kind"] == EntryKind.REDEMPTION.value)


def correct(ctx: ServiceContext, *, actor: Actor, account_id: str, points: int, reason: str) -> AccountView:
    """Put a mistake right (更正) with a new entry, never by editing one (station head, with a reason)."""
    actor.require(Permission.POINTS_MANAGE)
    text = " ".join(reason.split())
    if not text:
        raise DomainError("points.reason_needed")
    if points == 0 or abs(points) > 10_000:
        raise DomainError("points.bad_points", points=points)
    with ctx.uow() as uow:
        rules = load_rules(ctx, uow)
        account = _account(uow, account_id)
        now = ctx.now()
        corrected = uow.add("points_entries", {
            "account_id": account["id"], "kind": EntryKind.CORRECTION.value, "points": points, "at": iso_time(now),
            "expires_on": rules.lot_expires_on(now.date()) if points > 0 else None, "reason": text[:500],
            "approved_by": actor.display_name, "operator_id": actor.staff_id, "station_code": ctx.station_code(uow)})
        chain_entry(uow, ctx.station_code(uow), corrected, EntryKind.CORRECTION.value, iso_time(now))
        uow.audit(staff_id=actor.staff_id, action="points.corrected", target_type="points_account",
                  target_id=account["id"], detail={"points": points, "reason": text}, at=now)
        view = _account_view(ctx, uow, rules, account)
        uow.commit()
        return view


# ---------------------------------------------------------------- the points supermarket


def _goods_view(row: Mapping[str, Any], stock: int) -> GoodsView:
    return GoodsView(id=row["id"], code=row["code"], name=row["name"], unit=row["unit"], price=row["price"],
                     stock=stock, active=row["active"])


def list_goods(ctx: ServiceContext, *, all_goods: bool = False) -> tuple[GoodsView, ...]:
    with ctx.read() as uow:
        rows = uow.repos.points.goods(ctx.station_code(uow), active_only=not all_goods)
        stocks = uow.repos.points.stocks([r["id"] for r in rows]) if rows else {}
        return tuple(_goods_view(r, stocks[r["id"]]) for r in rows)


def save_goods(ctx: ServiceContext, *, actor: Actor, code: str, name: str = "", price: int | None = None,
               unit: str = "", active: bool | None = None) -> GoodsView:
    """Add goods to the supermarket, or change one's name, price, unit or whether it is on offer."""
    actor.require(Permission.POINTS_MANAGE)
    key = code.strip().upper()
    if not key or len(key) > 20:
        raise DomainError("points.bad_goods_code", code=code)
    if price is not None and not 1 <= price <= 100_000:
        raise DomainError("points.bad_price", price=price)
    with ctx.uow() as uow:
        station = ctx.station_code(uow)
        row = uow.repos.points.goods_by_code(station, key)
        if row is None:
            if not name.strip() or price is None:
                raise DomainError("points.goods_needs_name_price", code=key)
            goods_id = uow.add("points_goods", {"station_code": station, "code": key, "name": name.strip()[:40],
                                                "unit": unit.strip()[:10] or "件", "price": price,
                                                "active": True if active is None else active})
        else:
            goods_id = row["id"]
            changes: dict[str, Any] = {}
            if name.strip():
                changes["name"] = name.strip()[:40]
            if price is not None:
                changes["price"] = price
            if unit.strip():
                changes["unit"] = unit.strip()[:10]
            if active is not None:
                changes["active"] = active
            if changes:
                uow.change("points_goods", goods_id, changes)
        uow.audit(staff_id=actor.staff_id, action="points.goods_saved", target_type="points_goods", target_id=key,
                  detail={"name": name, "price": price, "active": active}, at=ctx.now())
        found = uow.repos.points.goods_by_id(goods_id)
        assert found is not None
        view = _goods_view(found, uow.repos.points.stock(goods_id))
        uow.commit()
        return view


def move_stock(ctx: ServiceContext, *, actor: Actor, code: str, quantity: int, note: str = "",
               receive: bool = True) -> GoodsView:
    """Receive stock (入库), or adjust it after a count (盘点, with a note); stock never goes below zero."""
    actor.require(Permission.POINTS_MANAGE)
    if quantity == 0 or abs(quantity) > 100_000 or (receive and quantity < 0):
        raise DomainError("points.bad_quantity", quantity=quantity)
    text = " ".join(note.split())
    if not receive and not text:
        raise DomainError("points.reason_needed")
    with ctx.uow() as uow:
        row = uow.repos.points.goods_by_code(ctx.station_code(uow), code.strip().upper())
        if row is None:
            raise NotFound("points.no_goods", code=code)
        stock = uow.repos.points.stock(row["id"])
        if stock + quantity < 0:
            raise DomainError("points.stock_negative", name=row["name"], stock=stock, quantity=-quantity)
        uow.add("points_stock_moves", {"goods_id": row["id"], "kind": "receive" if receive else "adjust",
                                       "quantity": quantity, "note": text[:200], "staff_id": actor.staff_id,
                                       "at": iso_time(ctx.now())})
        uow.audit(staff_id=actor.staff_id, action="points.stock", target_type="points_goods", target_id=row["code"],
                  detail={"quantity": quantity, "note": text}, at=ctx.now())
        view = _goods_view(row, stock + quantity)
        uow.commit()
        return view


def redeem(ctx: ServiceContext, *, actor: Actor, resident_id: str,
           lines: Sequence[tuple[str, int]]) -> RedemptionView:
    """Goods for points at the counter (兑换): the resident's account pays, only from its spendable part,
    and each goods' stock must cover it. All or nothing, in one transaction."""
    actor.require(Permission.POINTS_DECLARE)
    wanted: dict[str, int] = {}
    for code, qty in lines:
        if qty <= 0 or qty > 1000:
            raise DomainError("points.bad_quantity", quantity=qty)
        wanted[code.strip().upper()] = wanted.get(code.strip().upper(), 0) + qty
    if not wanted:
        raise DomainError("points.nothing_to_redeem")
    with ctx.uow() as uow:
        rules = load_rules(ctx, uow)
        station = ctx.station(uow)
        resident = _resident(uow, resident_id)
        account = _open_account(ctx, uow, rules, resident, actor)
        picked: list[RedemptionLineView] = []
        for code, qty in wanted.items():
            g = uow.repos.points.goods_by_code(station.code, code)
            if g is None or not g["active"]:
                raise NotFound("points.no_goods", code=code)
            stock = uow.repos.points.stock(g["id"])
            if qty > stock:
                raise DomainError("points.stock_short", name=g["name"], stock=stock, quantity=qty, unit=g["unit"])
            picked.append(RedemptionLineView(goods_id=g["id"], code=g["code"], name=g["name"], quantity=qty,
                                             price=g["price"]))
        total = sum(line.quantity * line.price for line in picked)
        balance = uow.repos.points.balance(account["id"])
        check_redemption(rules, balance, total)
        if account["village_code"] != station.village_code:
            check_away_room(rules, total, uow.repos.points.unconfirmed_redeemed(account["id"], station.code))
        now = iso_time(ctx.now())
        red_id = uow.add("points_redemptions", {
            "station_code": station.code, "account_id": account["id"], "resident_id": resident["id"],
            "lines_json": json.dumps([[p.goods_id, p.name, p.quantity, p.price] for p in picked], ensure_ascii=False),
            "total": total, "at": now, "staff_id": actor.staff_id, "state": "done"})
        spent = uow.add("points_entries", {
            "account_id": account["id"], "kind": EntryKind.REDEMPTION.value, "points": -total, "at": now,
            "redemption_id": red_id, "reason": "、".join(f"{p.name}×{p.quantity}" for p in picked)[:500],
            "operator_id": actor.staff_id, "station_code": station.code})
        chain_entry(uow, station.code, spent, EntryKind.REDEMPTION.value, now)
        for p in picked:
            uow.add("points_stock_moves", {"goods_id": p.goods_id, "kind": "redeem", "quantity": -p.quantity,
                                           "redemption_id": red_id, "staff_id": actor.staff_id, "at": now})
        uow.audit(staff_id=actor.staff_id, action="points.redeemed", target_type="points_redemption",
                  target_id=red_id, detail={"account": account["id"], "total": total}, at=ctx.now())
        view = _redemption_view(ctx, uow, rules, red_id, balance_before=balance)
        uow.commit()
        return view


def _redemption_view(ctx: ServiceContext, uow: UnitOfWork, rules: PointsRules, red_id: str,
                     balance_before: int | None = None) -> RedemptionView:
    r = uow.repos.points.redemption(red_id)
    if r is None or r["deleted"]:
        raise NotFound("points.no_redemption", redemption=red_id)
    account = _account(uow, r["account_id"])
    resident = uow.repos.residents.by_id(r["resident_id"]) or {}
    staff = uow.repos.staff.by_id(r["staff_id"])
    codes = {g["id"]: g["code"] for g in uow.repos.points.goods(r["station_code"], active_only=False)}
    lines = tuple(RedemptionLineView(goods_id=g, code=codes.get(g, ""), name=n, quantity=q, price=p)
                  for g, n, q, p in json.loads(r["lines_json"]))
    if balance_before is None:  # the balance just before it: the entries before the redemption's own
        rows = uow.repos.points.entries(account["id"])
        balance_before = sum(e["points"] for e in rows[:_redemption_index(rows, r["id"])])
    return RedemptionView(id=r["id"], account=_account_view(ctx, uow, rules, account), resident_name=resident.get(
        "name", ""), lines=lines, total=r["total"], balance_before=balance_before, at=r["at"],
                          staff_name=staff["display_name"] if staff else "", state=r["state"],
                          reverse_reason=r["reverse_reason"])


def get_redemption(ctx: ServiceContext, *, redemption_id: str) -> RedemptionView:
    with ctx.read() as uow:
        return _redemption_view(ctx, uow, load_rules(ctx, uow), redemption_id)


def reverse_redemption(ctx: ServiceContext, *, actor: Actor, redemption_id: str, reason: str) -> RedemptionView:
    """Undo a redemption (goods returned, a wrong pick): a new entry gives the points back, new moves return
    the stock; the redemption stays, marked reversed with the reason."""
    actor.require(Permission.POINTS_MANAGE)
    text = " ".join(reason.split())
    if not text:
        raise DomainError("points.reason_needed")
    with ctx.uow() as uow:
        rules = load_rules(ctx, uow)
        r = uow.repos.points.redemption(redemption_id)
        if r is None and len(redemption_id.strip()) >= 6:  # the last characters, as slips and lists show them
            tails = uow.repos.points.redemptions_ending(ctx.station_code(uow), redemption_id.strip().lower())
            r = tails[0] if len(tails) == 1 else None
        if r is None or r["deleted"] or r["station_code"] != ctx.station_code(uow):
            raise NotFound("points.no_redemption", redemption=redemption_id)
        if r["state"] != "done":
            raise Conflict("points.already_reversed", redemption=redemption_id)
        now = ctx.now()
        # The points come back expiring no later than the soonest lot the redemption took them from.
        rows = uow.repos.points.entries(r["account_id"])
        at = _redemption_index(rows, r["id"])
        before, after = replay(map(_entry, rows[:at])), replay(map(_entry, rows[:at + 1]))
        left = {lot.entry_id: lot.remaining for lot in after.lots}
        taken = [lot.expires_on for lot in before.lots if left.get(lot.entry_id, 0) < lot.remaining]
        expires = min((d for d in taken if d is not None), default=None)
        back = uow.add("points_entries", {
            "account_id": r["account_id"], "kind": EntryKind.REVERSAL.value, "points": r["total"],
            "at": iso_time(now), "expires_on": expires, "redemption_id": r["id"], "reason": text[:500],
            "approved_by": actor.display_name, "operator_id": actor.staff_id, "station_code": r["station_code"]})
        if r["station_code"] == ctx.station_code(uow):
            chain_entry(uow, r["station_code"], back, EntryKind.REVERSAL.value, iso_time(now))
        for goods_id, _, qty, _ in json.loads(r["lines_json"]):
            uow.add("points_stock_moves", {"goods_id": goods_id, "kind": "reverse", "quantity": qty,
                                           "redemption_id": r["id"], "note": text[:200], "staff_id": actor.staff_id,
                                           "at": iso_time(now)})
        uow.change("points_redemptions", r["id"], {"state": "reversed", "reversed_at": iso_time(now),
                                                   "reversed_by": actor.staff_id, "reverse_reason": text[:500]})
        uow.audit(staff_id=actor.staff_id, action="points.redemption_reversed", target_type="points_redemption",
                  target_id=r["id"], detail={"reason": text}, at=now)
        view = _redemption_view(ctx, uow, rules, r["id"])
        uow.commit()
        return view


# ---------------------------------------------------------------- statements, boards, summaries


def statement(ctx: ServiceContext, *, account_id: str) -> Statement:
    """A household's (or person's) statement: every entry with the running balance, what is still to be
    credited, and what expires when."""
    with ctx.read() as uow:
        rules = load_rules(ctx, uow)
        account = _account(uow, account_id)
        rows = uow.repos.points.ledger(account_id)
        running = 0
        lines = []
        kinds, line = ENTRY_KINDS, StatementLine
        for _, kind, points, at, _, _, reason, approved_by, station in rows:
            running += points
            lines.append(line(at, kinds[kind], points, running, reason, approved_by, station))
        state = replay(rows, in_order=True)  # the rows as they are: no Entry made of each
        expiring: dict[date, int] = {}
        for lot in state.lots:
            if lot.expires_on is not None:
                expiring[lot.expires_on] = expiring.get(lot.expires_on, 0) + lot.remaining
        pending = sum(d["points"] for d in uow.repos.points.declarations(
            account_id=account_id, states=[DeclarationState.PENDING, DeclarationState.APPROVED,
                                           DeclarationState.NOTICED]))
        return Statement(account=_account_view(ctx, uow, rules, account, balance=running), lines=tuple(lines),
                         expiring=tuple(sorted(expiring.items())), pending=pending)


def board(ctx: ServiceContext, *, village_code: str | None = None) -> Board:
    """The village ranking (积分榜) with star grades, highest first; names masked when the rules say so."""
    with ctx.read() as uow:
        rules = load_rules(ctx, uow)
        village = village_code or ctx.station(uow).village_code
        accounts = uow.repos.points.accounts(village)
        balances = uow.repos.points.balances([a["id"] for a in accounts]) if accounts else {}
        ordered = sorted(accounts, key=lambda a: (-balances.get(a["id"], 0), a["group_name"], a["holder_name"]))
        lines: list[BoardLine] = []
        counts: dict[str, int] = {}
        previous: int | None = None
        rank = 0
        for i, a in enumerate(ordered, start=1):
            bal = balances.get(a["id"], 0)
            if bal != previous:  # equal balances share a rank (1, 2, 2, 4)
                rank, previous = i, bal
            grade = rules.grade(bal)
            label = grade.label if grade else ""
            if label:
                counts[label] = counts.get(label, 0) + 1
            lines.append(BoardLine(rank=rank, account_id=a["id"], holder_name=mask_name(a["holder_name"])
                                   if rules.mask_names else a["holder_name"], group_name=a["group_name"], balance=bal,
                                   grade=label))
        grades = tuple((g.label, counts.get(g.label, 0)) for g in sorted(rules.stars, key=lambda g: -g.threshold))
        return Board(village_code=village, village_name=_village_name(ctx, uow, village),
                     lines=tuple(lines), grades=grades)


def parse_period(text: str) -> tuple[str, date, date]:
    """``2026-11`` (a month) or ``2026-Q4`` (a quarter) → (label, first day, first day after)."""
    value = text.strip().upper()
    try:
        if "-Q" in value:
            year, q = value.split("-Q")
            quarter = int(q)
            if not 1 <= quarter <= 4:
                raise ValueError(value)
            start = date(int(year), (quarter - 1) * 3 + 1, 1)
            return value, start, add_months(start, 3)
        year, month = value.split("-")
        start = date(int(year), int(month), 1)
        return value, start, add_months(start, 1)
    except ValueError as e:
        raise DomainError("points.bad_period", text=text) from e


def summary(ctx: ServiceContext, *, period: str) -> Summary:
    """Points issued, deducted, redeemed and expired, and goods given out, at this station in a month or
    a quarter."""
    label, start, end = parse_period(period)
    with ctx.read() as uow:
        station = ctx.station_code(uow)
        totals = uow.repos.points.totals(start.isoformat(), end.isoformat(), station)
        goods = uow.repos.points.goods_out(start.isoformat(), end.isoformat(), station)
        return Summary(period=label, start=start, end=end, awarded=totals.get("award", 0),
                       deducted=-totals.get("deduction", 0),
                       redeemed=-(totals.get("redemption", 0) + totals.get("reversal", 0)),
                       expired=-totals.get("expiry", 0), corrected=totals.get("correction", 0),
                       goods_out=tuple((g["name"], g["unit"], int(g["quantity"])) for g in goods if g["quantity"]))


# ---------------------------------------------------------------- entries from elsewhere (for the sync)


def apply_entries(ctx: ServiceContext, *, accounts: Iterable[Mapping[str, Any]] = (),
                  entries: Iterable[Mapping[str, Any]]) -> int:
    """Apply ledger rows made at another station (as the sync delivers them): a row whose id is already
    here changes nothing, so applying the same delivery twice counts nothing twice. Accounts that now
    show spending past their spendable balance get an open conflict for the town. Returns rows applied."""
    applied = 0
    touched: set[str] = set()
    with ctx.uow() as uow:
        rules = load_rules(ctx, uow)
        for a in accounts:
            if uow.repos.points.account(a["id"]) is None:
                uow.add("points_accounts", {k: a[k] for k in ("id", "kind", "holder_id", "village_code",
                                                              "holder_name", "group_name", "opened_at")})
        for e in entries:
            if uow.repos.points.entry(e["id"]) is not None:
                continue
            row = {k: e[k] for k in ("id", "account_id", "kind", "points", "at", "station_code")}
            for k in ("expires_on", "lot_id", "declaration_id", "redemption_id", "reason", "approved_by", "operator_id",
                      "origin"):
                if k in e and e[k] is not None:
                    row[k] = e[k]
            EntryKind(row["kind"])  # an unknown kind is refused before anything is written
            uow.add("points_entries", row)
            touched.add(row["account_id"])
            applied += 1
        flag_overspending(ctx, uow, touched, rules=rules)
        uow.commit()
    return applied


def flag_overspending(ctx: ServiceContext, uow: UnitOfWork, account_ids: Iterable[str], *,
                      rules: PointsRules | None = None) -> int:
    """Accounts whose entries, met from several stations, spent past the spendable part get an open conflict
    for the town administrator. Its id is made from the account and the amount, so every node that finds the
    same overspending makes the same record. Returns how many were opened."""
    ids = set(account_ids)
    if not ids:
        return 0
    rules = rules or load_rules(ctx, uow)
    known = {c["id"] for c in uow.repos.points.conflicts(state=None)}
    open_for = {c["account_id"] for c in uow.repos.points.conflicts()}
    opened = 0
    for account_id in sorted(ids - open_for):
        over = overspent(rules, _entries(uow, account_id))
        conflict_id = stable_id("points_overspent", account_id, str(over))
        if over and conflict_id not in known:
            uow.add("points_conflicts", {"id": conflict_id, "account_id": account_id, "found_at": iso_time(ctx.now()),
                                         "overspent": over, "state": "open"})
            opened += 1
    return opened


@dataclass(frozen=True, slots=True)
class ConflictView:
    id: str
    account_id: str
    holder_name: str
    found_at: str
    overspent: int
    state: str
    note: str


def list_conflicts(ctx: ServiceContext, *, state: str | None = "open") -> tuple[ConflictView, ...]:
    with ctx.read() as uow:
        out = []
        for c in uow.repos.points.conflicts(state=state):
            account = uow.repos.points.account(c["account_id"]) or {}
            out.append(ConflictView(id=c["id"], account_id=c["account_id"], holder_name=account.get("holder_name", ""),
                                    found_at=c["found_at"], overspent=c["overspent"], state=c["state"],
                                    note=c["note"]))
        return tuple(out)


def resolve_conflict(ctx: ServiceContext, *, actor: Actor, conflict_id: str, note: str,
                     correction: int = 0) -> ConflictView:
    """The town's decision on overspending: accepted as it is, or put right with a correction entry."""
    actor.require(Permission.TOWN_ADMIN)
    text = " ".join(note.split())
    if not text:
        raise DomainError("points.reason_needed")
    with ctx.uow() as uow:
        found = [c for c in uow.repos.points.conflicts(state=None) if c["id"] == conflict_id]
        if not found:
            raise NotFound("points.no_conflict", conflict=conflict_id)
        c = found[0]
        if c["state"] != "open":
            raise Conflict("points.conflict_closed", conflict=conflict_id)
        if correction:
            uow.add("points_entries", {
                "account_id": c["account_id"], "kind": EntryKind.CORRECTION.value, "points": correction,
                "at": iso_time(ctx.now()), "reason": f"超额兑换处理：{text}"[:500], "approved_by": actor.display_name,
                "operator_id": actor.staff_id, "station_code": ctx.station_code(uow)})
        uow.change("points_conflicts", c["id"], {"state": "resolved", "note": text[:500],
                                                 "resolved_by": actor.staff_id, "resolved_at": iso_time(ctx.now())})
        uow.audit(staff_id=actor.staff_id, action="points.conflict_resolved", target_type="points_conflict",
                  target_id=c["id"], detail={"correction": correction, "note": text}, at=ctx.now())
        uow.commit()
    return next(v for v in list_conflicts(ctx, state=None) if v.id == conflict_id)


# ---------------------------------------------------------------- what the paper says (app.printing draws it)


def award_slip(ctx: ServiceContext, *, declaration_id: str) -> PointsAward:
    """积分奖励（扣减）通知 for a credited declaration: masked name, never an ID."""
    with ctx.read() as uow:
        rules = load_rules(ctx, uow)
        d = _declaration_in(uow, declaration_id, DeclarationState.CREDITED)
        view = _declaration_view(ctx, uow, rules, d["id"])
        rows = uow.repos.points.entries(d["account_id"])
        upto = next((i for i, r in enumerate(rows) if r["id"] == d["entry_id"]), len(rows) - 1)
        reviewed_on = date.fromisoformat((d["reviewed_at"] or d["recorded_at"])[:10])  # the day of the review (评议)
        return PointsAward(award_id=d["id"], name=mask_name(view.resident_name) if rules.mask_names
                           else view.resident_name, village=_village_name(ctx, uow, view.village_code),
                           group=view.group_name, category=view.category,
                           reason=view.indicator_name + (f"（{view.hours} 小时）" if view.hours else ""),
                           points=view.points, balance=sum(r["points"] for r in rows[:upto + 1]),
                           approved_by=view.review_body, approved_on=reviewed_on, staff_name=view.reviewed_by)


def redemption_slip(ctx: ServiceContext, view: RedemptionView) -> Redemption:
    """积分兑换单 of a redemption as it was made."""
    rules = points_rules(ctx)
    name = view.resident_name or view.account.holder_name
    return Redemption(redemption_id=view.id, name=mask_name(name) if rules.mask_names else name,
                      village=view.account.village_name, group=view.account.group_name,
                      lines=tuple(RedemptionLine(goods=x.name, quantity=x.quantity, unit_points=x.price)
                                  for x in view.lines),
                      balance_before=view.balance_before, staff_name=view.staff_name, redeemed_at=view.at)


def notice_sheet(ctx: ServiceContext, *, notice_id: str | None = None) -> PointsNoticeSheet:
    n = get_notice(ctx, notice_id=notice_id)
    return PointsNoticeSheet(notice_id=n.id, village=n.village_name, posted_on=date.fromisoformat(n.posted_at[:10]),
                             ends_on=n.ends_on, review_body=n.review_body,
                             rows=tuple(NoticeRow(name=x.name, group=x.group_name, category=x.category,
                                                  indicator=x.indicator, points=x.points) for x in n.lines))


def statement_sheet(ctx: ServiceContext, *, account_id: str) -> PointsStatementSheet:
    s = statement(ctx, account_id=account_id)
    rules = points_rules(ctx)
    a = s.account
    return PointsStatementSheet(
        account_id=a.id, holder=a.holder_name, village=a.village_name, group=a.group_name, kind=a.kind.label_zh,
        balance=a.balance, spendable=a.spendable, grade=a.grade.label if a.grade else "",
        suspended_below=rules.suspend_below if a.suspended else None, pending=s.pending, expiring=s.expiring,
        rows=tuple(StatementRow(at=x.at, kind=x.kind.label_zh, points=x.points, balance=x.balance, reason=x.reason)
                   for x in s.lines), printed_at=iso_time(ctx.now()))
