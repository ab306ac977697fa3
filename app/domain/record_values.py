"""The values a synced record may hold, checked wherever a record arrives from another node (the town
checks every row a station pushes): each column's type and width, and the rules a station's own services
keep — states from their lists, money in whole fen, stored paths inside the data folder, published files
that parse. A value that breaks one is named with its field and what is wrong, in words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from app.domain import files
from app.domain.calendar import parse_calendar
from app.domain.cases import CaseAction, CaseState, Outcome, parse_case_no
from app.domain.catalog import CatalogScope, MaterialForm, PaymentKind, parse_catalog
from app.domain.documents import DocumentKind, Paper
from app.domain.errors import DomainError
from app.domain.identity import Gender, IdType
from app.domain.money import EVENTS, PaymentMethod
from app.domain.points import AccountKind, DeclarationState, EntryKind, RulesScope, parse_rules
from app.domain.ratings import RatingLevel
from app.domain.staff import Post, Role

INT32: Final = 2**31 - 1
INT64: Final = 2**63 - 1
HLC: Final = re.compile(r"^\d{13}\.\d{5}\.[0-9A-Za-z_-]{1,24}$")
_HEX64: Final = re.compile(r"^[0-9a-f]{64}$")
_CODE: Final = re.compile(r"^[0-9A-Za-z]{2,20}$")
_USERNAME: Final = re.compile(r"^[a-z0-9_.-]{2,32}$")


@dataclass(frozen=True, slots=True)
class Column:
    """A column as the schema declares it (handed over by persistence, which owns the schema)."""

    kind: str  # text | int32 | int64 | bool | date
    length: int | None = None  # a text column's width (None: unlimited)
    nullable: bool = True
    has_default: bool = False  # the database fills it in when a row leaves it out
    refers_to: str = ""  # the table a foreign key names


Shapes = Mapping[str, Mapping[str, Column]]  # table -> column -> shape


@dataclass(frozen=True, slots=True)
class BadValue:
    field: str
    reason: str  # a code: type, too_long, not_in_list, negative, not_a_time …
    detail: str = ""


Check = Callable[[Mapping[str, Any]], BadValue | None]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def one_of(name: str, allowed: frozenset[str] | set[str], *, empty: bool = False) -> Check:
    def check(row: Mapping[str, Any]) -> BadValue | None:
        value = row.get(name)
        if value is None or (empty and value == ""):
            return None
        if value not in allowed:
            return BadValue(name, "not_in_list", f"{str(value)[:40]} ∉ {'/'.join(sorted(allowed))[:200]}")
        return None
    return check


def at_least(name: str, low: int, high: int | None = None) -> Check:
    def check(row: Mapping[str, Any]) -> BadValue | None:
        value = row.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and (value < low or (high is not None
                                                                                       and value > high)):
            return BadValue(name, "out_of_range", f"{value} ∉ [{low}, {high if high is not None else '…'}]")
        return None
    return check


def matches(name: str, pattern: re.Pattern[str], *, empty: bool = False) -> Check:
    def check(row: Mapping[str, Any]) -> BadValue | None:
        value = row.get(name)
        if value is None or (empty and value == ""):
            return None
        if not isinstance(value, str) or not pattern.match(value):
            return BadValue(name, "bad_format", str(value)[:60])
        return None
    return check


def reversed_of(name: str, source: str) -> Check:
    """A search column must be its source reversed (the counter finds people by it)."""
    def check(row: Mapping[str, Any]) -> BadValue | None:
        if name in row and source in row and _text(row[name]) != _text(row[source])[::-1]:
            return BadValue(name, "not_derived", source)
        return None
    return check


def stored_path(name: str, sha_field: str | None = None) -> Check:
    def check(row: Mapping[str, Any]) -> BadValue | None:
        value = row.get(name)
        if value in (None, "") and sha_field is None:
            return None
        sha = _text(row.get(sha_field)) if sha_field else None
        problem = files.path_problem(_text(value), sha)
        return BadValue(name, problem, _text(value)[:120]) if problem else None
    return check


def hex64(name: str) -> Check:
    return matches(name, _HEX64)


def json_text(name: str, kind: type = object) -> Check:
    def check(row: Mapping[str, Any]) -> BadValue | None:
        value = row.get(name)
        if value is None:
            return None
        try:
            parsed = json.loads(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if (parsed is None and value != "null") or (kind is not object and not isinstance(parsed, kind)):
            return BadValue(name, "bad_json")
        return None
    return check


def payment_lines(row: Mapping[str, Any]) -> BadValue | None:
    """A payment's lines are [[label, fen], …] in whole fen, and add up to its total."""
    try:
        lines = json.loads(_text(row.get("lines_json")))
        fen = [int(f) for label, f in lines if isinstance(label, str) and isinstance(f, int)
               and not isinstance(f, bool)]
    except (ValueError, TypeError):
        return BadValue("lines_json", "bad_json")
    if len(fen) != len(lines) or any(f < 0 for f in fen):
        return BadValue("lines_json", "bad_lines")
    if sum(fen) != row.get("total_fen"):
        return BadValue("total_fen", "not_the_sum", f"{sum(fen)} ≠ {row.get('total_fen')}")
    return None


def case_number(row: Mapping[str, Any]) -> BadValue | None:
    """A case's number names its own station (``QX01-20261123-0001``)."""
    try:
        station, _day, _seq = parse_case_no(_text(row.get("case_no")))
    except DomainError:
        return BadValue("case_no", "bad_format", _text(row.get("case_no"))[:40])
    return None if station == row.get("station_code") else BadValue("case_no", "other_station", station)


def numbered_by_station(name: str) -> Check:
    """A document's number starts with its station's code (``QX01-SK2026-000003``)."""
    def check(row: Mapping[str, Any]) -> BadValue | None:
        if not _text(row.get(name)).startswith(f"{row.get('station_code')}-"):
            return BadValue(name, "other_station", _text(row.get(name))[:40])
        return None
    return check


def _published(name: str, parse: Callable[[Mapping[str, Any]], tuple[str, ...]], keys: tuple[str, ...]) -> Check:
    """A published file's body parses as such a file, and says what its columns say (id, scope, version)."""
    def check(row: Mapping[str, Any]) -> BadValue | None:
        try:
            data = json.loads(_text(row.get("body")))
            said = parse(data)
        except (DomainError, ValueError, TypeError, AttributeError, KeyError):
            return BadValue("body", "not_a_file_of_its_kind", name)
        for key, value in zip(keys, said, strict=True):
            if key in row and row[key] != value:
                return BadValue(key, "not_what_the_file_says", f"{row[key]} ≠ {value}")
        return None
    return check


def _catalog(data: Mapping[str, Any]) -> tuple[str, ...]:
    f = parse_catalog(data, source="sync")
    return f.catalog_id, f.scope.value, f.version


def _rules(data: Mapping[str, Any]) -> tuple[str, ...]:
    f = parse_rules(data, source="sync")
    return f.rules_id, f.scope.value, f.version, f.village_code


def _calendar(data: Mapping[str, Any]) -> tuple[str, ...]:
    parse_calendar(data, source="sync")
    return ()


def _values(enum: Any) -> frozenset[str]:
    return frozenset(str(m.value) for m in enum)


CASE_STATES: Final = _values(CaseState)

# The rules beyond a column's type, per record kind (what the station's own services never write otherwise).
CHECKS: Final[dict[str, tuple[Check, ...]]] = {
    "towns": (matches("code", _CODE),),
    "villages": (matches("code", _CODE), matches("town_code", _CODE)),
    "stations": (matches("code", _CODE), matches("town_code", _CODE), matches("village_code", _CODE)),
    "staff": (one_of("role", {Role.CLERK.value, Role.HEAD.value}), one_of("post", _values(Post)),
              matches("username", _USERNAME), matches("password_hash", re.compile(r"^\$argon2(id|i|d)\$"))),
    "households": (matches("village_code", _CODE),),
    "residents": (one_of("id_type", _values(IdType) | {"merged"}), one_of("gender", _values(Gender), empty=True),
                  matches("village_code", _CODE), reversed_of("id_rev", "id_number"),
                  reversed_of("phone_rev", "phone")),
    "catalog_files": (one_of("scope", _values(CatalogScope)),
                      _published("catalog", _catalog, ("catalog_id", "scope", "version"))),
    "calendar_files": (_published("calendar", _calendar, ()),),
    "cases": (one_of("state", CASE_STATES), one_of("outcome", _values(Outcome), empty=True), case_number),
    "case_events": (one_of("action", _values(CaseAction) | {"handover"}), one_of("to_state", CASE_STATES),
                    one_of("from_state", CASE_STATES, empty=True)),
    "case_materials": (at_least("copies", 0, 99), one_of("form", _values(MaterialForm))),
    "attachments": (hex64("sha256"), stored_path("stored_path", "sha256"), at_least("size", 0)),
    "ratings": (at_least("level", min(RatingLevel), max(RatingLevel)), one_of("stage", CASE_STATES)),
    "follow_ups": (one_of("state", {"open", "done"}),),
    "documents": (one_of("kind", _values(DocumentKind)), one_of("paper", _values(Paper)),
                  one_of("state", {"issued", "voided"}), at_least("reprints", 0),
                  one_of("subject_type", {"case", "event", "payment", "day", "points"}),
                  numbered_by_station("number"), json_text("content_json", list)),
    "payments": (one_of("kind", _values(PaymentKind)), one_of("method", _values(PaymentMethod)),
                 at_least("total_fen", 0), at_least("change_fen", 0), at_least("tendered_fen", 0), payment_lines),
    "payment_events": (one_of("kind", frozenset(EVENTS)), at_least("amount_fen", 0),
                       one_of("method", _values(PaymentMethod), empty=True)),
    "cash_sessions": (one_of("state", {"open", "closed"}), at_least("float_fen", 0), json_text("count_json", dict)),
    "cash_moves": (one_of("kind", {"payment", "refund", "in", "out"}),),
    "day_closes": (json_text("report_json", dict),),
    "chain_links": (at_least("seq", 1), hex64("digest"), hex64("prev_hash"), hex64("hash"),
                    one_of("table_name", {"payments", "payment_events", "cash_moves", "cash_sessions", "documents",
                                          "day_closes", "points_entries"})),
    "station_settings": (matches("key", re.compile(r"^[a-z0-9_.-]{1,60}$")),),
    "points_rules_files": (one_of("scope", _values(RulesScope)),
                           _published("rules", _rules, ("rules_id", "scope", "version", "village_code"))),
    "points_accounts": (one_of("kind", _values(AccountKind)),),
    "points_entries": (one_of("kind", _values(EntryKind)),),
    "points_notices": (one_of("state", {"open", "closed"}),),
    "points_declarations": (one_of("state", _values(DeclarationState)), stored_path("evidence_path")),
    "points_goods": (at_least("price", 0),),
    "points_redemptions": (one_of("state", {"done", "reversed"}), at_least("total", 0), json_text("lines_json", list)),
    "points_stock_moves": (one_of("kind", {"receive", "redeem", "reverse", "adjust"}),),
    "points_conflicts": (one_of("state", {"open", "resolved"}), at_least("overspent", 0)),
}

_TIME_COLUMNS = re.compile(r"^(at|.+_at)$")

ColumnCheck = Callable[[str, Any], "BadValue | None"]


def _column_check(name: str, column: Column) -> ColumnCheck:
    """One column's check, chosen once per column (a push is checked row by row, column by column)."""
    if column.kind == "bool":
        return lambda n, v: None if v is True or v is False else BadValue(n, "type", "bool")
    if column.kind in ("int32", "int64"):
        limit = INT32 if column.kind == "int32" else INT64

        def integer(n: str, v: Any) -> BadValue | None:
            if type(v) is not int:
                return BadValue(n, "type", "integer")
            return None if -limit - 1 <= v <= limit else BadValue(n, "out_of_range", str(v)[:30])
        return integer
    width = column.length

    def text_of(n: str, v: Any) -> BadValue | None:
        if type(v) is not str:
            return BadValue(n, "type", "text")
        if width is not None and len(v) > width:
            return BadValue(n, "too_long", f"{len(v)} > {width}")
        return None
    if column.kind == "date":
        def a_date(n: str, v: Any) -> BadValue | None:
            found = text_of(n, v)
            if found is not None:
                return found
            try:
                date.fromisoformat(v)
            except ValueError:
                return BadValue(n, "not_a_date", v[:30])
            return None
        return a_date
    if name in ("created_hlc", "updated_hlc"):
        def a_stamp(n: str, v: Any) -> BadValue | None:
            found = text_of(n, v)
            return found if found is not None else None if HLC.match(v) else BadValue(n, "not_a_clock_reading",
                                                                                        v[:40])
        return a_stamp
    if _TIME_COLUMNS.match(name):
        def a_time(n: str, v: Any) -> BadValue | None:
            found = text_of(n, v)
            if found is not None or not v:
                return found
            try:
                datetime.fromisoformat(v)
            except ValueError:
                return BadValue(n, "not_a_time", v[:32])
            return None
        return a_time
    return text_of


@dataclass(frozen=True, slots=True)
class RecordCheck:
    """Every value rule of one record kind, put together once."""

    table: str
    # name -> (nullable, width of a plain text column or -1 for one with a check of its own, check)
    columns: Mapping[str, tuple[bool, int | None, ColumnCheck]]
    required: tuple[str, ...]  # must be there in a new record (no default)

    @classmethod
    def of(cls, table: str, columns: Mapping[str, Column]) -> RecordCheck:
        def plain(name: str, c: Column) -> bool:
            return c.kind == "text" and name not in ("created_hlc", "updated_hlc") and not _TIME_COLUMNS.match(name)
        return cls(table, {name: (c.nullable, c.length if plain(name, c) else -1, _column_check(name, c))
                           for name, c in columns.items()},
                   tuple(name for name, c in columns.items() if not c.nullable and not c.has_default))

    def bad_value(self, row: Mapping[str, Any], *, new: bool) -> BadValue | None:
        if new:
            for name in self.required:
                if name not in row:
                    return BadValue(name, "missing")
        columns = self.columns
        for name, value in row.items():
            spec = columns.get(name)
            if spec is None:
                continue  # a column this release does not have (a newer release's): left out when applied
            nullable, width, check = spec
            if value is None:
                if not nullable:
                    return BadValue(name, "missing")
                continue
            if width != -1 and type(value) is str:  # plain text, most columns: checked here, no call
                if width is not None and len(value) > width:
                    return BadValue(name, "too_long", f"{len(value)} > {width}")
                continue
            found = check(name, value)
            if found is not None:
                return found
        stamps = row.get("field_hlc")
        if stamps not in (None, ""):
            found = _field_stamps(stamps)
            if found is not None:
                return found
        for rule in CHECKS.get(self.table, ()):
            found = rule(row)
            if found is not None:
                return found
        return None


def _field_stamps(value: Any) -> BadValue | None:
    try:
        stamps = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        stamps = None
    if not isinstance(stamps, dict) or not all(isinstance(k, str) and isinstance(v, str) and HLC.match(v)
                                               for k, v in stamps.items()):
        return BadValue("field_hlc", "bad_json")
    return None


_COMPILED: dict[str, tuple[Mapping[str, Column], RecordCheck]] = {}


def bad_value(table: str, row: Mapping[str, Any], columns: Mapping[str, Column], *, new: bool) -> BadValue | None:
    """The first value of ``row`` (as it travels: plain JSON values) that does not fit the record kind, or None.
    ``new``: the row would be inserted, so every column without a default must be there."""
    cached = _COMPILED.get(table)
    if cached is None or cached[0] is not columns:  # the schema's shapes are made once: this is put together once
        cached = _COMPILED[table] = (columns, RecordCheck.of(table, columns))
    return cached[1].bad_value(row, new=new)
