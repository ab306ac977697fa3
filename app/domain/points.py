"""Village points (积分制, 道德银行): the rules as data, and the arithmetic of an account's ledger.

Plain Python. The rules file (``stationdesk.points/1``) is published by the town, a village may add its own
indicators in a file of its own; this module reads both, says how many points a declaration is worth,
checks caps, and replays a ledger: the balance is the sum of its entries, spending takes the
soonest-expiring points first, and expiry removes only what is left of a lot.
"""

from __future__ import annotations

import heapq
import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, NamedTuple

from app.domain.errors import DomainError, NotFound, ValidationFailed
from app.domain.jsonfile import Reader, read_enum, spec_problem

FORMAT = "stationdesk.points/1"
MAX_HOURS = Decimal(24)


class RulesScope(StrEnum):
    TOWN = "town"  # the standard set: every village of the town
    VILLAGE = "village"  # one village's own indicators, added to the town's


class AccountKind(StrEnum):
    HOUSEHOLD = "household"  # 一户一档: the household earns and spends together
    PERSON = "person"

    @property
    def label_zh(self) -> str:
        return {"household": "按户", "person": "按人"}[self.value]

    @property
    def label_en(self) -> str:
        return {"household": "per household", "person": "per person"}[self.value]


class CapPeriod(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def label_zh(self) -> str:
        return {"month": "每月", "quarter": "每季度", "year": "每年"}[self.value]

    @property
    def label_en(self) -> str:
        return {"month": "a month", "quarter": "a quarter", "year": "a year"}[self.value]

    def key(self, day: date) -> str:
        """The period a day falls in: ``2026-11``, ``2026-Q4``, ``2026``."""
        if self is CapPeriod.MONTH:
            return f"{day.year}-{day.month:02d}"
        if self is CapPeriod.QUARTER:
            return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
        return str(day.year)


class ExpiryKind(StrEnum):
    NONE = "none"  # points never expire
    YEARLY = "yearly"  # cleared at the end of the year they were earned in
    MONTHS = "months"  # each lot expires N months after it was credited


class EntryKind(StrEnum):
    """The kinds of ledger entry. The ledger is append-only: nothing is edited, a correction is an entry."""

    OPENING = "opening"  # the starting balance (起始分), when the account is opened
    AWARD = "award"  # credited after approval and public notice
    DEDUCTION = "deduction"  # a deduction indicator, credited the same way (negative)
    REDEMPTION = "redemption"  # goods taken at the points supermarket (negative)
    REVERSAL = "reversal"  # a redemption undone (positive), with a reason
    EXPIRY = "expiry"  # what was left of a lot when it expired (negative)
    CORRECTION = "correction"  # a mistake put right by the station head (either sign), with a reason

    @property
    def label_zh(self) -> str:
        return _ENTRY_LABELS[self]

    @property
    def label_en(self) -> str:
        return {"opening": "opening", "award": "award", "deduction": "deduction", "redemption": "redemption",
                "reversal": "redemption undone", "expiry": "expired", "correction": "correction"}[self.value]


ENTRY_KINDS: dict[str, EntryKind] = {k.value: k for k in EntryKind}  # a dict lookup: EntryKind(text) is slow

_ENTRY_LABELS = {
    EntryKind.OPENING: "起始分", EntryKind.AWARD: "加分", EntryKind.DEDUCTION: "扣分", EntryKind.REDEMPTION: "兑换",
    EntryKind.REVERSAL: "兑换撤销", EntryKind.EXPIRY: "到期清零", EntryKind.CORRECTION: "更正",
}


class DeclarationState(StrEnum):
    """A declaration's way: recorded, reviewed (评议), posted (公示), then credited, unless stopped."""

    PENDING = "pending"
    APPROVED = "approved"  # passed the review, waiting for the next public notice
    REJECTED = "rejected"
    NOTICED = "noticed"  # on a public notice
    WITHDRAWN = "withdrawn"  # an objection upheld
    CREDITED = "credited"

    @property
    def label_zh(self) -> str:
        return {"pending": "待评议", "approved": "待公示", "rejected": "未通过", "noticed": "公示中",
                "withdrawn": "已撤回", "credited": "已入账"}[self.value]

    @property
    def label_en(self) -> str:
        return {"pending": "awaiting review", "approved": "awaiting notice", "rejected": "rejected",
                "noticed": "on public notice", "withdrawn": "withdrawn", "credited": "credited"}[self.value]


@dataclass(frozen=True, slots=True)
class Indicator:
    """One line of the indicator list (积分指标): a fixed award or deduction, or hours of volunteering."""

    code: str  # T01 … for the town's, L01 … for a village's own
    category: str  # 移风易俗、尊老爱幼 …
    name: str
    points: int = 0  # fixed points: positive award, negative deduction; 0 for an hours indicator
    per_hour: int = 0  # volunteering: points for each hour (1 h = 1 or 10 points …)
    max_hours: Decimal = Decimal(0)  # volunteering: hours counted per activity at most (e.g. 2)
    cap: int | None = None  # the most points one account can get from it in a period (None: no cap)
    cap_period: CapPeriod = CapPeriod.MONTH
    village_code: str = ""  # a village's own indicator; "" for the town's

    @property
    def hourly(self) -> bool:
        return self.per_hour > 0

    @property
    def deduction(self) -> bool:
        return self.points < 0

    def points_for(self, hours: Decimal | None = None) -> int:
        """What one declaration is worth. Hours count up to ``max_hours``; part-points are dropped."""
        if not self.hourly:
            if hours is not None:
                raise DomainError("points.hours_not_needed", indicator=self.name)
            return self.points
        if hours is None or hours <= 0:
            raise DomainError("points.hours_needed", indicator=self.name)
        counted = min(hours, self.max_hours) if self.max_hours > 0 else hours
        return int((counted * self.per_hour).to_integral_value(rounding=ROUND_FLOOR))

    def cap_room(self, already: int) -> int | None:
        """Points still allowed this period after ``already``; None when uncapped."""
        return None if self.cap is None else max(0, self.cap - already)


@dataclass(frozen=True, slots=True)
class StarGrade:
    stars: int
    threshold: int  # balance needed
    label: str  # 三星文明户 …


@dataclass(frozen=True, slots=True)
class RulesFile:
    """One published file: the town's standard rules, or one village's own indicators."""

    rules_id: str
    scope: RulesScope
    version: str
    title: str
    village_code: str
    indicators: tuple[Indicator, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)  # the town's: everything but the indicators


@dataclass(frozen=True, slots=True)
class PointsRules:
    """The rules in force: the town's settings and indicators, with every village's own indicators."""

    rules_id: str
    version: str
    title: str
    account_kind: AccountKind
    starting_balance: int  # each new account starts with this (e.g. 100)
    spendable_above: int  # only the part of the balance above this can be spent (e.g. 100)
    suspend_below: int  # below this, benefits are suspended (e.g. 70)
    notice_days: int  # 公示 days before approved points are credited
    mask_names: bool  # public notices show 张*三
    away_allowance: int  # points a station may redeem for another village's account until the town confirms
    expiry: ExpiryKind
    expiry_months: int
    stars: tuple[StarGrade, ...]
    indicators: tuple[Indicator, ...]
    versions: tuple[str, ...] = ()  # every file that made these rules, "rules_id@version"

    def indicator(self, code: str, village_code: str = "") -> Indicator:
        """An indicator of the town's list, or of this village's own (village codes L01 … repeat from
        village to village)."""
        key = code.strip().upper()
        for ind in self.indicators:
            if ind.code == key and ind.village_code in ("", village_code):
                return ind
        raise NotFound("points.unknown_indicator", code=code)

    def indicators_for(self, village_code: str) -> tuple[Indicator, ...]:
        """What an account of this village can be given: the town's list and the village's own."""
        return tuple(i for i in self.indicators if i.village_code in ("", village_code))

    def spendable(self, balance: int) -> int:
        return max(0, balance - self.spendable_above)

    def suspended(self, balance: int) -> bool:
        return balance < self.suspend_below

    def grade(self, balance: int) -> StarGrade | None:
        reached = [g for g in self.stars if balance >= g.threshold]
        return max(reached, key=lambda g: g.threshold) if reached else None

    def lot_expires_on(self, credited_on: date) -> date | None:
        """The last day points credited on ``credited_on`` can be used."""
        if self.expiry is ExpiryKind.YEARLY:
            return date(credited_on.year, 12, 31)
        if self.expiry is ExpiryKind.MONTHS:
            return add_months(credited_on, self.expiry_months) - timedelta(days=1)
        return None


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has none (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def parse_hours(text: str | Decimal | float | int) -> Decimal:
    """Hours as staff type them: 2, 1.5, 0.5 (to the half hour at most … to one decimal)."""
    try:
        hours = Decimal(str(text).strip())
    except InvalidOperation as e:
        raise DomainError("points.bad_hours", text=str(text)) from e
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS or hours != hours.quantize(Decimal("0.1")):
        raise DomainError("points.bad_hours", text=str(text))
    return hours


# ---------------------------------------------------------------- the ledger's arithmetic


class Entry(NamedTuple):
    """One ledger entry as the arithmetic needs it (a tuple: a statement makes thousands of them)."""

    id: str
    kind: EntryKind
    points: int
    at: str  # ISO time it took effect
    expires_on: date | None = None  # for credits: the last day the lot can be used
    lot_id: str = ""  # for an expiry: the lot it clears
    hlc: str = ""  # the hybrid clock stamp it was made with: orders entries made in the same second


class Lot(NamedTuple):
    """What is left of one credit."""

    entry_id: str
    points: int  # credited
    remaining: int
    expires_on: date | None
    at: str


_ORDER = operator.attrgetter("at", "hlc", "id")  # ledger order: time, then the clock stamp, then the id


LedgerRow = Sequence[Any]
"""What :func:`replay` reads of an entry: its first six items are id, kind (an EntryKind or its value),
points, at, expires_on and lot_id — an :class:`Entry`, or a database row in that column order. Read by
position: a statement replays 10,000 rows as they come from the database, without making an Entry of each."""


@dataclass(frozen=True, slots=True)
class LedgerState:
    balance: int
    lots: tuple[Lot, ...]  # credits with points left, soonest-expiring first
    debt: int  # points spent or deducted beyond every lot (a deduction may take the balance below 0)


_CREDITS = frozenset({EntryKind.OPENING, EntryKind.AWARD, EntryKind.REVERSAL, EntryKind.CORRECTION})


def _expiry_key(lot: Lot) -> tuple[date, str, str]:
    return (lot.expires_on or date.max, lot.at, lot.entry_id)


def replay(entries: Iterable[LedgerRow], *, in_order: bool = False) -> LedgerState:
    """The account after its entries, in time order. Spending takes the soonest-expiring points that are
    still valid at that moment; an expiry clears what is left of its own lot; a debit with nothing left to
    take from becomes debt that the next credit pays first.

    Each lot enters a heap (soonest expiry first) once and leaves it once, so a ledger of n entries replays
    in O(n log n). ``in_order``: the entries already come in ledger order (time, clock stamp, id), as the
    database gives them, and are not sorted again (rows without a clock stamp must come in order)."""
    remaining: dict[str, int] = {}
    credits: dict[str, tuple[int, date | None, str]] = {}  # lot id → (points, last day, at); Lots made at the end
    heap: list[tuple[date, str, str]] = []  # (last day, at, id) of lots that may still be spent
    debt = 0
    balance = 0
    day_of: dict[str, date] = {}  # debits on the same day share one parsed date
    for e in entries if in_order else sorted(entries, key=_ORDER):
        points = e[2]
        balance += points
        kind = e[1]
        if kind == EntryKind.EXPIRY:
            lot_id = e[5]
            if lot_id in remaining:
                remaining[lot_id] = max(0, remaining[lot_id] + points)
            continue
        if points > 0 and kind in _CREDITS:
            paid = min(debt, points)
            debt -= paid
            entry_id, at, expires_on = e[0], e[3], e[4]
            credits[entry_id] = (points, expires_on, at)
            remaining[entry_id] = points - paid
            if points - paid:
                heapq.heappush(heap, (expires_on or date.max, at, entry_id))
            continue
        need = -points
        if not heap:
            debt += need
            continue
        key = e[3][:10]
        on = day_of.get(key)
        if on is None:
            on = day_of[key] = date.fromisoformat(key)
        while need and heap:
            last_day, _, lot_id = heap[0]
            if last_day < on or remaining[lot_id] <= 0:  # expired (it stays for its expiry entry) or used up
                heapq.heappop(heap)
                continue
            took = min(need, remaining[lot_id])
            remaining[lot_id] -= took
            need -= took
        debt += need
    left = sorted((Lot(lot_id, points, remaining[lot_id], expires_on, at)
                   for lot_id, (points, expires_on, at) in credits.items() if remaining[lot_id] > 0),
                  key=_expiry_key)
    return LedgerState(balance=balance, lots=tuple(left), debt=debt)


def due_expiries(state: LedgerState, today: date) -> tuple[Lot, ...]:
    """Lots whose last day has passed with points left: each gets one expiry entry of what is left."""
    return tuple(lot for lot in state.lots if lot.expires_on is not None and lot.expires_on < today)


def check_redemption(rules: PointsRules, balance: int, total: int) -> None:
    """A redemption may take only the spendable part of the balance."""
    if total <= 0:
        raise DomainError("points.nothing_to_redeem")
    room = rules.spendable(balance)
    if total > room:
        raise DomainError("points.not_enough", total=total, spendable=room, balance=balance,
                          floor=rules.spendable_above)


def check_away_room(rules: PointsRules, total: int, unconfirmed: int) -> None:
    """A station redeeming for another village's account, before the town has confirmed what it already
    redeemed for it, stays within the allowance: the balance it sees may be out of date."""
    room = max(0, rules.away_allowance - unconfirmed)
    if total > room:
        raise DomainError("points.away_limit", total=total, room=room, allowance=rules.away_allowance)


def overspent(rules: PointsRules, entries: Iterable[Entry]) -> int:
    """Points redeemed beyond what could be spent, once entries made offline at two stations meet: the
    shortfalls of redemptions replayed in time order, but never more than the balance now lies below the
    spendable floor (later credits may have covered them). Always 0 for entries made at one station, and
    for a deduction that takes a balance below the floor (a penalty is not overspending)."""
    balance = short = 0
    for e in sorted(entries, key=_ORDER):
        if e.kind is EntryKind.REDEMPTION:
            short += max(0, -e.points - rules.spendable(balance))
        balance += e.points
    return min(short, max(0, rules.spendable_above - balance))


# ---------------------------------------------------------------- reading the rules files


_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_TOWN_KEYS = frozenset({"format", "rules_id", "scope", "version", "title", "account_kind", "starting_balance",
                        "spendable_above", "suspend_below", "notice_days", "mask_names", "away_allowance",
                        "expiry", "stars", "indicators"})
_VILLAGE_KEYS = frozenset({"format", "rules_id", "scope", "version", "title", "village_code", "indicators"})
_INDICATOR_KEYS = frozenset({"code", "category", "name", "points", "per_hour", "max_hours", "cap", "cap_period"})
_EXPIRY_KEYS = frozenset({"kind", "months"})
_STAR_KEYS = frozenset({"stars", "threshold", "label"})
_FAMILY = "points_rules"


def parse_rules(data: Mapping[str, Any], *, source: str) -> RulesFile:
    """Read one rules file, collecting every problem; raises ``points_rules.invalid`` listing them all."""
    problems: dict[str, DomainError] = {}
    if not isinstance(data, Mapping):
        spec_problem(problems, "format", "points_rules.bad_format", key="format", value="?", expected=FORMAT)
        raise ValidationFailed(problems, code="points_rules.invalid", source=source)
    scope_text = data.get("scope")
    allowed = _VILLAGE_KEYS if scope_text == RulesScope.VILLAGE.value else _TOWN_KEYS
    r = Reader(data, "", problems, allowed, family=_FAMILY)
    if data.get("format") != FORMAT:
        r.problem("format", "points_rules.bad_format", value=str(data.get("format")), expected=FORMAT)
    rules_id = r.text("rules_id")
    if rules_id and not _ID.match(rules_id):
        r.bad("rules_id", rules_id)
    scope: RulesScope | None = read_enum(r, "scope", RulesScope)
    version, title = r.text("version"), r.text("title")
    village_code = r.text("village_code") if scope is RulesScope.VILLAGE else ""
    prefix = "L" if scope is RulesScope.VILLAGE else "T"
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for path, raw in r.objects("indicators"):
        code = str(raw.get("code", "")).strip().upper()
        if code and code in seen:  # a repeat, whether or not the first one had problems of its own
            spec_problem(problems, f"{path}.code", "points_rules.code_taken", key="code", value=code)
        seen.add(code)
        ind = _read_indicator(path, raw, problems, prefix, village_code)
        if ind is not None:
            indicators.append(ind)
    settings: dict[str, Any] = {}
    if scope is RulesScope.TOWN:
        settings = _read_settings(r, problems)
        if not indicators:
            r.problem("indicators", "points_rules.missing_key")
    if problems:
        raise ValidationFailed(problems, code="points_rules.invalid", source=source)
    assert scope is not None
    return RulesFile(rules_id=rules_id, scope=scope, version=version, title=title, village_code=village_code,
                     indicators=tuple(indicators), settings=settings)


def _read_settings(r: Reader, problems: dict[str, DomainError]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "account_kind": read_enum(r, "account_kind", AccountKind) or AccountKind.HOUSEHOLD,
        "starting_balance": r.integer("starting_balance", default=0),
        "spendable_above": r.integer("spendable_above", default=0),
        "suspend_below": r.integer("suspend_below", default=0),
        "notice_days": r.integer("notice_days", default=7),
        "mask_names": r.boolean("mask_names", default=True),
        "away_allowance": r.integer("away_allowance", default=0),
        "expiry": ExpiryKind.NONE, "expiry_months": 0,
    }
    if out["notice_days"] > 90:
        r.bad("notice_days", out["notice_days"])
    raw = r.data.get("expiry")
    if raw is not None:
        if isinstance(raw, Mapping):
            e = Reader(raw, "expiry", problems, _EXPIRY_KEYS, family=_FAMILY)
            out["expiry"] = read_enum(e, "kind", ExpiryKind) or ExpiryKind.NONE
            if out["expiry"] is ExpiryKind.MONTHS:
                out["expiry_months"] = e.integer("months", minimum=1)
        else:
            r.bad("expiry", raw)
    stars: list[StarGrade] = []
    for path, raw_star in r.objects("stars"):
        s = Reader(raw_star, path, problems, _STAR_KEYS, family=_FAMILY)
        stars.append(StarGrade(stars=s.integer("stars", minimum=1), threshold=s.integer("threshold"),
                               label=s.text("label")))
    thresholds = [g.threshold for g in sorted(stars, key=lambda g: g.stars)]
    if thresholds != sorted(thresholds) or len(set(thresholds)) != len(thresholds):
        r.problem("stars", "points_rules.stars_order")
    out["stars"] = tuple(sorted(stars, key=lambda g: g.threshold))
    return out


def _read_indicator(path: str, data: Mapping[str, Any], problems: dict[str, DomainError], prefix: str,
                    village_code: str) -> Indicator | None:
    r = Reader(data, path, problems, _INDICATOR_KEYS, family=_FAMILY)
    before = len(problems)
    code = r.text("code").upper()
    if code and not re.fullmatch(rf"{prefix}\d{{2,3}}", code):
        r.problem("code", "points_rules.bad_code", value=code, prefix=prefix)
    category, name = r.text("category"), r.text("name")
    per_hour = r.integer("per_hour", default=0)
    points = 0
    if "points" in data:
        value = data["points"]
        if isinstance(value, bool) or not isinstance(value, int) or value == 0 or abs(value) > 10_000:
            r.bad("points", value)
        else:
            points = value
    if (points == 0) == (per_hour == 0):
        r.problem("points", "points_rules.points_or_hours")
    max_hours = Decimal(0)
    if "max_hours" in data:
        try:
            max_hours = parse_hours(str(data["max_hours"]))
        except DomainError:
            r.bad("max_hours", data["max_hours"])
    cap = r.integer("cap", default=0) or None
    period = read_enum(r, "cap_period", CapPeriod) if "cap_period" in data else CapPeriod.MONTH
    if len(problems) > before:
        return None
    return Indicator(code=code, category=category, name=name, points=points, per_hour=per_hour,
                     max_hours=max_hours, cap=cap, cap_period=period or CapPeriod.MONTH, village_code=village_code)


def build_rules(town: RulesFile, villages: Sequence[RulesFile] = ()) -> PointsRules:
    """The rules in force: the town's file and each village's own indicators."""
    if town.scope is not RulesScope.TOWN:
        raise DomainError("points_rules.not_town", rules_id=town.rules_id)
    indicators = list(town.indicators)
    for v in villages:
        if v.scope is not RulesScope.VILLAGE:
            raise DomainError("points_rules.not_village", rules_id=v.rules_id)
        indicators.extend(v.indicators)
    s = town.settings
    return PointsRules(
        rules_id=town.rules_id, version=town.version, title=town.title, account_kind=s["account_kind"],
        starting_balance=s["starting_balance"], spendable_above=s["spendable_above"],
        suspend_below=s["suspend_below"], notice_days=s["notice_days"], mask_names=s["mask_names"],
        away_allowance=s["away_allowance"], expiry=s["expiry"], expiry_months=s["expiry_months"],
        stars=s["stars"], indicators=tuple(indicators),
        versions=tuple(f"{f.rules_id}@{f.version}" for f in (town, *villages)))


def mask_name(name: str) -> str:
    """张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明: a public notice never shows a whole name unless told to."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
