"""What a station may change at the town: one rule per record kind, judged on the town's own copy.

A push is a claim, never a fact: for every row a station sends, the town looks up its own copy of the record
(or, for a new one, the records it hangs on) and decides from that — never from what the row says about
itself — whether the sender may make the change. The answer for each row is one of

- ``apply``: the sender's own record (or a change anyone may make), applied under the merge rules;
- ``keep``: nothing the town needs (the same record made again by another node, or no change at all);
- ``wait``: it hangs on a record the town has not got yet (a batch still on its way): sent again later;
- ``refuse``: not the sender's to change, or a value no station writes — answered in words and kept as a
  security event for the town administrator, never applied.

Who owns what:

- a station's records (cases, payments, documents, drawers, closes, chain, settings, points it recorded, goods)
  are its own by their ``station_code``; what hangs on a case (events, materials, scans, ratings, follow-ups)
  is owned through the case, stock moves through their goods;
- residents and households are the town's and every station may correct them field by field (the market-style
  counter), but their identity, village, household, merge pointers and deletion only a station of their own
  village may change;
- staff accounts belong to their station, which may change a password, a name, a post or the role between clerk
  and station head — never the user name, the station, whether the account is enabled (the town's), and never
  to town administrator;
- the town's reference records (the town, villages, stations, the standard and town catalogue, the calendar, the
  town's points rules) only the town changes; a station brings them only while the town holds none of that kind
  made elsewhere (a town set up from its first station); a station's own row in ``stations`` it makes once;
- points accounts and overspending records are made alike by any node (ids made from what they are about) and
  changed by the town alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Literal

from app.domain.catalog import version_key
from app.domain.ids import stable_id
from app.domain.merge import FIELD_MERGED, SYNC_COLUMNS, field_stamps, merged_result, node_of
from app.domain.record_values import Column, bad_value
from app.domain.residents import household_id


class OwnedBy(StrEnum):
    STATION = "station"  # its station_code names its station
    PARENT = "parent"  # the record it hangs on names it (a case's events, a goods item's stock moves)
    OWN_ROW = "own_row"  # a station's own row in ``stations``: made by it once, changed by the town only
    VILLAGE = "village"  # the town's shared records: any station, the home village's stations all of it
    CREATOR = "creator"  # a station's local catalogue: the station that made it
    TOWN = "town"  # the town's reference records
    SHARED = "shared"  # made alike by any node; changed by the town alone


TOWN_OWNER: Final = "town"
SHARED_OWNER: Final = "shared"


@dataclass(frozen=True, slots=True)
class Rule:
    owned_by: OwnedBy
    parent: tuple[str, str] = ("", "")  # PARENT: (column, table)
    by_scope: Mapping[str, OwnedBy] = field(default_factory=dict)  # files whose ``scope`` decides
    append_only: bool = False  # written once, never changed — not by its owner either
    stable_id: bool = False  # its id is made from what it is about: two nodes may make the same record
    fixed: frozenset[str] = frozenset()  # never changed once made
    home_only: frozenset[str] = frozenset()  # VILLAGE: only a station of the record's village changes these
    owner_may: frozenset[str] | None = None  # the only fields its owner may change (None: all but ``fixed``)
    final: Mapping[str, frozenset[str]] = field(default_factory=dict)  # a field that never leaves these values
    new_only: Mapping[str, frozenset[str]] = field(default_factory=dict)  # values a station may make it with


_CASE = ("case_id", "cases")
_CASE_FINAL = frozenset({"completed", "not_accepted", "withdrawn"})

RULES: Final[dict[str, Rule]] = {
    "towns": Rule(OwnedBy.TOWN, stable_id=True),
    "villages": Rule(OwnedBy.TOWN, stable_id=True),
    "stations": Rule(OwnedBy.OWN_ROW, stable_id=True),
    "staff": Rule(OwnedBy.STATION, fixed=frozenset({"username", "station_code", "staff_no"}),
                  owner_may=frozenset({"password_hash", "display_name", "phone", "post", "role"}),
                  new_only={"active": frozenset({"True"})}),
    "households": Rule(OwnedBy.VILLAGE, stable_id=True,
                       home_only=frozenset({"village_code", "household_no", "deleted"})),
    "residents": Rule(OwnedBy.VILLAGE, home_only=frozenset({
        "village_code", "id_type", "id_number", "id_rev", "birth_date", "gender", "household_id", "merged_into",
        "deleted"})),
    "catalog_files": Rule(OwnedBy.TOWN, by_scope={"local": OwnedBy.CREATOR}, stable_id=True,
                          fixed=frozenset({"catalog_id", "scope"})),
    "calendar_files": Rule(OwnedBy.TOWN, stable_id=True),
    "cases": Rule(OwnedBy.STATION, fixed=frozenset({"station_code", "case_no", "received_at"}),
                  final={"state": _CASE_FINAL}),
    "case_events": Rule(OwnedBy.PARENT, parent=_CASE, append_only=True),
    "case_materials": Rule(OwnedBy.PARENT, parent=_CASE, fixed=frozenset({"case_id", "material_code"})),
    "attachments": Rule(OwnedBy.PARENT, parent=_CASE, append_only=True),
    "ratings": Rule(OwnedBy.PARENT, parent=_CASE, append_only=True),
    "follow_ups": Rule(OwnedBy.PARENT, parent=_CASE, fixed=frozenset({"case_id", "rating_id", "due_date"}),
                       final={"state": frozenset({"done"})}),
    "documents": Rule(OwnedBy.STATION, fixed=frozenset({
        "station_code", "kind", "number", "subject_type", "subject_id", "case_id", "paper", "issued_at", "issued_by",
        "content_json"}), final={"state": frozenset({"voided"})}),
    "payments": Rule(OwnedBy.STATION, append_only=True),
    "station_settings": Rule(OwnedBy.STATION, fixed=frozenset({"station_code", "key"})),
    "payment_events": Rule(OwnedBy.STATION, append_only=True),
    "cash_sessions": Rule(OwnedBy.STATION, fixed=frozenset({"station_code", "business_day", "opened_by",
                                                           "opened_at", "float_fen"}),
                          final={"state": frozenset({"closed"})}),
    "cash_moves": Rule(OwnedBy.STATION, append_only=True),
    "day_closes": Rule(OwnedBy.STATION, append_only=True),
    "chain_links": Rule(OwnedBy.STATION, append_only=True),
    "points_rules_files": Rule(OwnedBy.TOWN, by_scope={"village": OwnedBy.VILLAGE}, append_only=True,
                               stable_id=True),
    "points_accounts": Rule(OwnedBy.SHARED, append_only=True, stable_id=True),
    "points_entries": Rule(OwnedBy.STATION, append_only=True, stable_id=True),
    "points_notices": Rule(OwnedBy.STATION, fixed=frozenset({"station_code", "village_code", "posted_at"}),
                           final={"state": frozenset({"closed"})}),
    "points_declarations": Rule(OwnedBy.STATION, fixed=frozenset({"station_code", "account_id", "resident_id",
                                                                 "recorded_by", "recorded_at"}),
                                final={"state": frozenset({"credited", "rejected", "withdrawn"})}),
    "points_goods": Rule(OwnedBy.STATION, fixed=frozenset({"station_code", "code"})),
    "points_redemptions": Rule(OwnedBy.STATION, fixed=frozenset({"station_code", "account_id", "resident_id",
                                                                "lines_json", "total", "at", "staff_id"}),
                               final={"state": frozenset({"reversed"})}),
    "points_stock_moves": Rule(OwnedBy.PARENT, parent=("goods_id", "points_goods"), append_only=True),
    "points_conflicts": Rule(OwnedBy.SHARED, append_only=True, stable_id=True,
                             new_only={"state": frozenset({"open"}), "resolved_by": frozenset({"None"})}),
}


def owned_by(table: str, row: Mapping[str, Any]) -> OwnedBy:
    rule = RULES[table]
    return rule.by_scope.get(str(row.get("scope", "")), rule.owned_by)


@dataclass(frozen=True, slots=True)
class Sender:
    """The station a push comes from, as the town knows it (never as the push says)."""

    station: str
    village: str = ""  # the village its station serves ("" while the town does not know yet)
    town: str = ""  # the town's code ("" while the town holds none)
    # Reference kinds the town holds none of made elsewhere: taken from this station (the town's first)
    adopting: frozenset[str] = frozenset()

    @property
    def me(self) -> str:
        return f"station:{self.station}"

    def is_home(self, owner: str | None) -> bool:
        return owner == self.me or (bool(self.village) and owner == f"village:{self.village}")


Owners = Mapping[tuple[str, str], str | None]  # (table, id) -> the owner of that record at the town, or None


def owner_of(table: str, row: Mapping[str, Any], owners: Owners) -> str | None:
    """Who owns this version of a record: ``station:QX01``, ``village:V01``, ``town`` or ``shared``; None when
    it hangs on a record the town does not hold (yet)."""
    kind = owned_by(table, row)
    if kind is OwnedBy.STATION:
        return f"station:{row.get('station_code', '')}"
    if kind is OwnedBy.OWN_ROW:
        return f"station:{row.get('code', '')}"
    if kind is OwnedBy.CREATOR:
        return f"station:{row.get('origin', '')}"
    if kind is OwnedBy.VILLAGE:
        return f"village:{row.get('village_code', '')}"
    if kind is OwnedBy.PARENT:
        column, parent = RULES[table].parent
        return owners.get((parent, str(row.get(column, ""))))
    return TOWN_OWNER if kind is OwnedBy.TOWN else SHARED_OWNER


# Records two nodes make alike from what they are about, each with its own details (when it was opened, who
# was at the counter): a second making is no change to the town's copy, whatever its details say.
MADE_ALIKE: Final = frozenset({"points_accounts", "points_entries", "points_conflicts"})

# Records a reference may name whatever station made them: the town's shared records and reference data.
ANYONES: Final = frozenset({OwnedBy.VILLAGE, OwnedBy.SHARED, OwnedBy.TOWN})


@dataclass(frozen=True, slots=True)
class Verdict:
    action: Literal["apply", "keep", "wait", "refuse"]
    code: str = ""  # refuse: the message code (app/messages/trust.py)
    params: Mapping[str, str] = field(default_factory=dict)
    fields: tuple[str, ...] = ()  # refuse: the fields it tried to change


APPLY: Final = Verdict("apply")
KEEP: Final = Verdict("keep")
MADE_AGAIN: Final = Verdict("keep", "made_again")  # the same record made by another node: the town's copy stays
WAIT: Final = Verdict("wait")


def refuse(code: str, fields: tuple[str, ...] = (), **params: str) -> Verdict:
    return Verdict("refuse", f"trust.{code}", dict(params), fields)


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _same(a: Any, b: Any) -> bool:
    return _plain(a) == _plain(b) or (a in (None, "") and b in (None, ""))


def _stable_id_of(table: str, row: Mapping[str, Any]) -> str | None:
    """The id a record made from what it is about must have (None: any)."""
    g = row.get
    made = {
        "towns": lambda: stable_id("town", str(g("code"))),
        "villages": lambda: stable_id("village", str(g("code"))),
        "stations": lambda: stable_id("station", str(g("code"))),
        "households": lambda: household_id(str(g("village_code")), str(g("household_no"))),
        "catalog_files": lambda: stable_id("catalog", str(g("catalog_id"))),
        "calendar_files": lambda: stable_id("calendar", str(g("calendar_id"))),
        "points_rules_files": lambda: stable_id("points_rules", str(g("rules_id")), str(g("version"))),
        "points_accounts": lambda: stable_id("points-account", str(g("kind")), str(g("holder_id"))),
    }.get(table)
    return made() if made is not None else None


def result_of(table: str, town: Mapping[str, Any], incoming: Mapping[str, Any]) -> Mapping[str, Any]:
    """What the town would hold after applying ``incoming`` over its copy ``town`` (published files by version)."""
    if table in ("catalog_files", "calendar_files"):
        ours, theirs = version_key(str(town.get("version", ""))), version_key(str(incoming.get("version", "")))
        if ours != theirs:
            return {**town, **incoming} if theirs > ours else town
    return merged_result(table, town, {**town, **incoming})


def changed_fields(table: str, town: Mapping[str, Any], incoming: Mapping[str, Any]) -> tuple[str, ...]:
    """The fields a push tries to change, whatever the clocks say: a stale attempt counts as much as one that
    would win. For a record merged field by field, the fields it stamped as its own sender's changes and those
    the merge would take from it; for the others, every field it holds differently."""
    business = [k for k in incoming if k in town and k not in SYNC_COLUMNS]
    differing = [k for k in business if not _same(town[k], incoming[k])]
    if "deleted" in incoming and bool(incoming["deleted"]) != bool(town.get("deleted")):
        differing.append("deleted")
    if table not in FIELD_MERGED:
        return tuple(differing)
    sender = node_of(str(incoming.get("updated_hlc", "")))
    theirs, ours = field_stamps(incoming), field_stamps(town)
    result = result_of(table, town, incoming)
    tried = {k for k in differing if k in theirs and theirs[k] != ours.get(k) and node_of(theirs[k]) == sender}
    taken = {k for k in business if not _same(town[k], result.get(k))}
    if bool(result.get("deleted")) != bool(town.get("deleted")):
        taken.add("deleted")
    return tuple(k for k in differing if k in tried | taken)


_OWN_REFS: dict[int, tuple[Mapping[str, Column], tuple[tuple[str, str], ...]]] = {}


def own_references(columns: Mapping[str, Column]) -> tuple[tuple[str, str], ...]:
    """(column, table) of the foreign keys that must name the sender's own records (put together once)."""
    cached = _OWN_REFS.get(id(columns))
    if cached is None or cached[0] is not columns:
        refs = tuple((name, c.refers_to) for name, c in columns.items()
                     if c.refers_to in RULES and RULES[c.refers_to].owned_by not in ANYONES)
        cached = _OWN_REFS[id(columns)] = (columns, refs)
    return cached[1]


def _references(row: Mapping[str, Any], columns: Mapping[str, Column], owners: Owners, sender: Sender,
                only: tuple[str, ...] | None = None) -> Verdict | None:
    """Every record the row names (its foreign keys) must be at the town, and be the sender's own unless it is
    one of the town's shared records (a resident, an account …: anyone's to name; the database checks that it
    exists). Staff named must be the sender's staff."""
    for name, target in own_references(columns):
        value = row.get(name)
        if value in (None, "") or (only is not None and name not in only):
            continue
        owner = owners.get((target, str(value)))
        if owner is None:
            return WAIT
        if owner != sender.me:
            return refuse("names_other", (name,), field=name, table=target, owner=owner)
    return None


def judge(table: str, incoming: Mapping[str, Any], town: Mapping[str, Any] | None, *, sender: Sender,
          owners: Owners, columns: Mapping[str, Column]) -> Verdict:
    """The town's decision on one pushed row (plain JSON values), from its own copy ``town`` (None: it has no such
    record), the owners of the records the row names (``owners``) and the table's columns."""
    rule = RULES.get(table)
    if rule is None:
        return refuse("not_synced", table=table)
    problem = bad_value(table, incoming, columns, new=town is None)
    if problem is not None:
        return refuse("bad_value", (problem.field,), field=problem.field, reason=problem.reason,
                      detail=problem.detail)
    claimed = owner_of(table, incoming, owners)
    if claimed is None:
        return WAIT
    kind = owned_by(table, incoming)
    if town is None:
        return _judge_new(table, rule, kind, incoming, claimed, sender=sender, owners=owners, columns=columns)
    return _judge_change(table, rule, incoming, town, claimed, sender=sender, owners=owners, columns=columns)


def _judge_new(table: str, rule: Rule, kind: OwnedBy, row: Mapping[str, Any], claimed: str, *, sender: Sender,
               owners: Owners, columns: Mapping[str, Column]) -> Verdict:
    if row.get("origin") != sender.station:
        return refuse("not_its_origin", ("origin",), origin=str(row.get("origin", ""))[:20])
    expected = _stable_id_of(table, row) if rule.stable_id else None
    if expected is not None and row.get("id") != expected:
        return refuse("bad_value", ("id",), field="id", reason="not_its_id", detail=str(row.get("id"))[:40])
    for name, allowed in rule.new_only.items():
        if name in row and str(row[name]) not in allowed:
            return refuse("bad_value", (name,), field=name, reason="not_for_a_new_record", detail=str(row[name])[:40])
    if kind is OwnedBy.TOWN:
        if table not in sender.adopting:
            return refuse("town_record", table=table)
        if table != "towns" and "town_code" in row and sender.town and row["town_code"] != sender.town:
            return refuse("other_town", ("town_code",), town=str(row["town_code"]))
    elif kind is OwnedBy.VILLAGE:
        village = str(row.get("village_code", ""))
        if owners.get(("villages", village)) is None:
            return refuse("unknown_village", ("village_code",), village=village[:20])
        if table == "points_rules_files" and not sender.is_home(claimed):
            return refuse("home_only", ("village_code",), field="village_code", owner=claimed)
    elif kind is not OwnedBy.SHARED and claimed != sender.me:
        return refuse("not_yours", owner=claimed)
    if kind is OwnedBy.OWN_ROW:
        if sender.town and row.get("town_code") != sender.town:
            return refuse("other_town", ("town_code",), town=str(row.get("town_code")))
        if sender.village and row.get("village_code") != sender.village:
            return refuse("not_its_village", ("village_code",), village=str(row.get("village_code")),
                          enrolled=sender.village)
    return _references(row, columns, owners, sender) or APPLY


def _judge_change(table: str, rule: Rule, row: Mapping[str, Any], town: Mapping[str, Any], claimed: str, *,
                  sender: Sender, owners: Owners, columns: Mapping[str, Column]) -> Verdict:
    changed = changed_fields(table, town, row)
    if not _same(row.get("created_hlc"), town.get("created_hlc")) or \
            ("origin" in row and not _same(row.get("origin"), town.get("origin"))):
        # The same id made a second time. A record made from what it is about may be: the town's first copy
        # stays (a household merges field by field). Any other row claiming an id it was not made with is not
        # that record.
        if not rule.stable_id:
            return refuse("not_that_record", ("id",))
        if table in MADE_ALIKE or (table not in FIELD_MERGED and not changed):
            return MADE_AGAIN
    owner = owner_of(table, town, owners)
    kind = owned_by(table, town)
    if not changed:  # the same record again: its owner's copy goes through (logged once, as every change is)
        return APPLY if owner == sender.me and claimed == owner and kind is not OwnedBy.OWN_ROW else KEEP
    if kind in (OwnedBy.TOWN, OwnedBy.SHARED, OwnedBy.OWN_ROW):
        return refuse("town_record", changed, table=table)
    if kind is OwnedBy.VILLAGE:
        theirs = tuple(f for f in changed if f in rule.home_only)
        if theirs and not sender.is_home(owner):
            return refuse("home_only", theirs, field=theirs[0], owner=str(owner))
    elif owner != sender.me:
        return refuse("not_yours", changed, owner=str(owner))
    if claimed != owner and kind is not OwnedBy.VILLAGE:
        return refuse("not_yours", changed, owner=claimed)
    if rule.append_only:
        return refuse("written_once", changed, table=table)
    fixed = tuple(f for f in changed if f in rule.fixed)
    if fixed:
        return refuse("fixed_field", fixed, field=fixed[0])
    if rule.owner_may is not None:
        other = tuple(f for f in changed if f not in rule.owner_may)
        if other:
            return refuse("fixed_field", other, field=other[0])
    if table == "staff" and "role" in changed and row.get("role") not in ("clerk", "head"):
        return refuse("bad_value", ("role",), field="role", reason="not_in_list", detail=str(row.get("role")))
    for name, ends in rule.final.items():
        if name in changed and str(town.get(name)) in ends:
            return refuse("final_state", (name,), field=name, value=str(town.get(name)))
    return _references(row, columns, owners, sender, only=changed) or APPLY
