"""The 47+N catalogue of service items: the entities, the JSON file format, and the merged catalogue."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from app.domain.forms import FieldKind, FieldSpec, read_field_spec
from app.domain.jsonfile import Reader, join_path, read_enum, show, spec_problem

FORMAT = "stationdesk.catalog/1"
STANDARD_COUNT = 47


class CatalogScope(StrEnum):
    STANDARD = "standard"  # the 47: the same at every station, never edited locally
    TOWN = "town"  # the N items the town adds
    LOCAL = "local"  # added by one station, marked local

    @property
    def code_prefix(self) -> str:
        return {"standard": "S", "town": "N", "local": "L"}[self.value]


class HandlingMode(StrEnum):
    IMMEDIATE = "immediate"
    PROMISED = "promised"
    FORWARD = "forward"
    PROXY = "proxy"

    @property
    def label_zh(self) -> str:
        return _MODE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _MODE_LABELS[self][1]


_MODE_LABELS = {
    HandlingMode.IMMEDIATE: ("即办", "On the spot"),
    HandlingMode.PROMISED: ("承诺件", "Promised date"),
    HandlingMode.FORWARD: ("受理转报", "Accept and forward"),
    HandlingMode.PROXY: ("代办", "Proxy handling"),
}


class MaterialForm(StrEnum):
    ORIGINAL = "original"
    COPY = "copy"
    ORIGINAL_AND_COPY = "original_and_copy"
    ORIGINAL_CHECKED = "original_checked"

    @property
    def label_zh(self) -> str:
        return {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件",
                "original_checked": "原件核验后退还"}[self.value]

    @property
    def label_en(self) -> str:
        return {"original": "original", "copy": "copy", "original_and_copy": "original and copy",
                "original_checked": "original, checked and returned"}[self.value]


@dataclass(frozen=True, slots=True)
class Material:
    """One item of the materials checklist (材料清单)."""

    code: str
    name: str
    required: bool
    copies: int
    form: MaterialForm
    source: str = ""  # where the resident gets it
    check: str = ""  # what the staff member must check


class PaymentKind(StrEnum):
    FEE = "fee"
    BILL = "bill"
    FINE = "fine"
    TOPUP = "topup"
    CASH_WITHDRAWAL = "cash_withdrawal"


@dataclass(frozen=True, slots=True)
class PaymentSpec:
    """Money taken at the counter for an item; ``amount_field`` is "" when the item's fixed fee applies."""

    kind: PaymentKind
    payee: str
    amount_field: str = ""


@dataclass(frozen=True, slots=True)
class FeeRule:
    """A fee that depends on the case: the value chosen in one ``choice`` field of the form decides it
    (S07: a first social-security card is free, a replacement costs ¥20). ``values`` gives the fee in fen of
    the values listed; any other value, or none, pays the item's ``fee_fen``."""

    field: str
    values: tuple[tuple[str, int], ...]

    def fee(self, form: Mapping[str, object], default_fen: int) -> int:
        chosen = form.get(self.field)
        return next((fen for value, fen in self.values if value == chosen), default_fen)


@dataclass(frozen=True, slots=True)
class ServiceItem:
    code: str
    name: str
    short_name: str
    department: str
    category: str
    mode: HandlingMode
    time_limit_days: int  # working days; 0 means done on the spot
    time_limit_note: str = ""
    fee_fen: int = 0
    fee_note: str = ""
    legal_basis: str = ""
    conditions: str = ""
    procedure: str = ""
    phone: str = ""
    keywords: tuple[str, ...] = ()
    application_form: bool = False
    payment: PaymentSpec | None = None
    fee_rule: FeeRule | None = None
    materials: tuple[Material, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    scope: CatalogScope = CatalogScope.STANDARD
    catalog_id: str = ""
    # Where the entry comes from or why it changed (the catalogue's notes, with their sources).
    note: str = ""
    # No longer offered (an abolished certificate, a task moved elsewhere): kept so that the cases made under its
    # code still read their item, never accepted anew, not counted in the 47; its code is never given to another.
    retired: bool = False
    # The ages the item is usually for (高龄津贴: 80 and over), from its conditions; 0 is no limit. The counter
    # warns when the applicant is outside them and still accepts: local rules and exceptions differ.
    min_age: int = 0
    max_age: int = 0

    def age_outside(self, age: int | None) -> tuple[str, int] | None:
        """("under", 80) when the applicant is younger than the item's usual age, ("over", 18) when older;
        None when inside or unknown."""
        if age is None:
            return None
        if self.min_age and age < self.min_age:
            return "under", self.min_age
        if self.max_age and age > self.max_age:
            return "over", self.max_age
        return None

    def fee_for(self, form: Mapping[str, object]) -> int:
        """The fixed fee this case pays, in fen, by the catalogue's fee rule for its form values (``fee_fen``
        without a rule). A bill's, fine's or top-up's amount is a form value instead (``payment.amount_field``)."""
        return self.fee_rule.fee(form, self.fee_fen) if self.fee_rule is not None else self.fee_fen

    @property
    def may_charge(self) -> bool:
        """Whether some case of the item pays a fixed fee (under its rule, a first application may be free)."""
        return self.fee_fen > 0 or (self.fee_rule is not None and any(fen > 0 for _v, fen in self.fee_rule.values))

    @property
    def required_materials(self) -> tuple[Material, ...]:
        return tuple(m for m in self.materials if m.required)

    @property
    def on_the_spot(self) -> bool:
        return self.time_limit_days == 0

    def missing_required(self, received_codes: Collection[str]) -> tuple[Material, ...]:
        """The required materials not received: the list for the one-time notice (一次性告知)."""
        return tuple(m for m in self.required_materials if m.code not in received_codes)


@dataclass(frozen=True, slots=True)
class CatalogFile:
    catalog_id: str
    scope: CatalogScope
    version: str
    title: str
    items: tuple[ServiceItem, ...]


# ---------------------------------------------------------------- reading a catalogue file

_CATALOG_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_FILE_KEYS = frozenset({"format", "catalog_id", "scope", "version", "title", "items"})
_ITEM_REQUIRED = ("code", "name", "short_name", "department", "category", "mode", "time_limit_days")
_ITEM_OPTIONAL = frozenset({"time_limit_note", "fee_fen", "fee_note", "fee_rule", "legal_basis", "conditions",
                            "procedure", "phone", "keywords", "application_form", "payment", "materials", "fields",
                            "note", "retired", "min_age", "max_age"})
_MATERIAL_KEYS = frozenset({"code", "name", "required", "copies", "form", "source", "check"})
_PAYMENT_KEYS = frozenset({"kind", "payee", "amount_field"})
_FEE_RULE_KEYS = frozenset({"field", "values"})


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """A version string as something that orders the way people read versions: 2026.10 after 2026.9 (a
    published catalogue, calendar or rules file: the town's newer version wins over a station's older copy)."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.findall(r"\d+|[^\d\W_]+", version.lower()))


def _read_material(path: str, data: Mapping[str, Any], problems: dict[str, DomainError]) -> Material | None:
    before = len(problems)
    r = Reader(data, path, problems, _MATERIAL_KEYS)
    code, name = r.text("code"), r.text("name")
    required = r.boolean("required")
    copies = r.integer("copies", minimum=1)
    form = read_enum(r, "form", MaterialForm)
    source, check = r.text("source", required=False), r.text("check", required=False)
    if len(problems) > before or form is None:
        return None
    return Material(code=code, name=name, required=required, copies=copies, form=form, source=source, check=check)


def _read_fee_rule(path: str, data: object, fields: tuple[FieldSpec, ...],
                   problems: dict[str, DomainError]) -> FeeRule | None:
    if not isinstance(data, Mapping):
        spec_problem(problems, path, "catalog.bad_value", key="fee_rule", value=show(data))
        return None
    before = len(problems)
    r = Reader(data, path, problems, _FEE_RULE_KEYS)
    key = r.text("field")
    spec = next((f for f in fields if f.key == key), None)
    if key and (spec is None or spec.kind is not FieldKind.CHOICE):
        choice_keys = [f.key for f in fields if f.kind is FieldKind.CHOICE]
        r.problem("field", "catalog.bad_fee_field", value=key, choice_fields="、".join(choice_keys) or "—")
    values = data.get("values")
    pairs: list[tuple[str, int]] = []
    if not isinstance(values, Mapping) or not values:
        r.bad("values", values)
    else:
        for value, fen in values.items():
            where = join_path(join_path(path, "values"), str(value))
            if spec is not None and spec.kind is FieldKind.CHOICE and value not in spec.choices:
                spec_problem(problems, where, "catalog.bad_fee_value", key=str(value), value=show(value),
                             field=key, choices="、".join(spec.choices))
            if isinstance(fen, bool) or not isinstance(fen, int) or fen < 0:
                spec_problem(problems, where, "catalog.bad_value", key=str(value), value=show(fen))
                continue
            pairs.append((str(value), fen))
    if len(problems) > before:
        return None
    return FeeRule(field=key, values=tuple(pairs))


def _read_payment(path: str, data: object, fields: tuple[FieldSpec, ...], fee_fen: int,
                  problems: dict[str, DomainError]) -> PaymentSpec | None:
    if not isinstance(data, Mapping):
        spec_problem(problems, path, "catalog.bad_value", key="payment", value=show(data))
        return None
    before = len(problems)
    r = Reader(data, path, problems, _PAYMENT_KEYS)
    kind = read_enum(r, "kind", PaymentKind)
    payee = r.text("payee")
    amount_field = r.text("amount_field", required=False)
    if amount_field:
        money_keys = {f.key for f in fields if f.kind is FieldKind.MONEY}
        if amount_field not in money_keys:
            r.problem("amount_field", "catalog.bad_payment_field", value=amount_field,
                      money_fields="、".join(sorted(money_keys)) or "—")
    elif kind is not None and (kind is not PaymentKind.FEE or fee_fen <= 0):
        # Bills, fines and top-ups vary per case, and a fixed fee of nothing cannot be collected (``fee_fen``
        # here is the most any case pays, its fee rule counted).
        r.problem("amount_field", "catalog.payment_needs_amount", kind=kind.value)
    if len(problems) > before or kind is None:
        return None
    return PaymentSpec(kind=kind, payee=payee, amount_field=amount_field)


def _read_item(path: str, data: Mapping[str, Any], scope: CatalogScope | None, catalog_id: str,
               problems: dict[str, DomainError]) -> ServiceItem | None:
    before = len(problems)
    r = Reader(data, path, problems, set(_ITEM_REQUIRED) | _ITEM_OPTIONAL)
    code = r.text("code")
    if code and scope is not None and not re.fullmatch(rf"{scope.code_prefix}(?!00)\d{{2}}", code):
        r.problem("code", "catalog.bad_code", value=code, scope=scope.value,
                  expected=f"{scope.code_prefix}01–{scope.code_prefix}99")
    name, short_name = r.text("name"), r.text("short_name")
    department, category = r.text("department"), r.text("category")
    mode = read_enum(r, "mode", HandlingMode, "catalog.bad_mode")
    time_limit_days = r.integer("time_limit_days")
    fee_fen = r.integer("fee_fen", default=0)
    min_age, max_age = r.integer("min_age", default=0), r.integer("max_age", default=0)
    if min_age and max_age and max_age < min_age:
        r.bad("max_age", max_age)
    texts = {k: r.text(k, required=False) for k in
             ("time_limit_note", "fee_note", "legal_basis", "conditions", "procedure", "phone", "note")}
    keywords = r.strings("keywords")
    application_form = r.boolean("application_form", default=False)
    retired = r.boolean("retired", default=False)
    if retired and not texts["note"]:
        r.problem("note", "catalog.retired_needs_note")  # people in the field must learn why it went

    materials: list[Material] = []
    seen_materials: set[str] = set()
    for where, entry in r.objects("materials"):
        material = _read_material(where, entry, problems)
        if material is None:
            continue
        if material.code in seen_materials:
            spec_problem(problems, join_path(where, "code"), "catalog.duplicate_material", key="code",
                         code=material.code)
        seen_materials.add(material.code)
        materials.append(material)

    fields: list[FieldSpec] = []
    seen_fields: set[str] = set()
    for where, entry in r.objects("fields"):
        spec = read_field_spec(entry, path=where, problems=problems)
        if spec is None:
            continue
        if spec.key in seen_fields:
            spec_problem(problems, join_path(where, "key"), "catalog.duplicate_field", key="key", field=spec.key)
        seen_fields.add(spec.key)
        fields.append(spec)

    fee_rule = None
    if data.get("fee_rule") is not None:
        fee_rule = _read_fee_rule(join_path(path, "fee_rule"), data["fee_rule"], tuple(fields), problems)
    most = max([fee_fen, *(fen for _v, fen in (fee_rule.values if fee_rule else ()))])
    payment = None
    if data.get("payment") is not None:
        payment = _read_payment(join_path(path, "payment"), data["payment"], tuple(fields), most, problems)
    if fee_rule is not None and payment is not None and payment.amount_field:
        r.problem("fee_rule", "catalog.fee_rule_with_amount", field=payment.amount_field)
    if len(problems) > before or mode is None or scope is None:
        return None
    return ServiceItem(
        code=code, name=name, short_name=short_name, department=department, category=category, mode=mode,
        time_limit_days=time_limit_days, fee_fen=fee_fen, keywords=keywords, application_form=application_form,
        payment=payment, fee_rule=fee_rule, materials=tuple(materials), fields=tuple(fields), scope=scope,
        catalog_id=catalog_id, retired=retired, min_age=min_age, max_age=max_age,
        **texts,
    )


def parse_catalog(data: Mapping[str, Any], *, source: str) -> CatalogFile:
    """A whole catalogue file, checked completely: ValidationFailed lists every problem with its JSON path."""
    problems: dict[str, DomainError] = {}
    if not isinstance(data, Mapping):
        spec_problem(problems, "$", "catalog.bad_format", value=type(data).__name__, expected=FORMAT)
        raise ValidationFailed(problems, code="catalog.invalid", source=source)
    r = Reader(data, "", problems, _FILE_KEYS)
    fmt = r.text("format")
    if fmt and fmt != FORMAT:
        r.problem("format", "catalog.bad_format", value=fmt, expected=FORMAT)
    catalog_id = r.text("catalog_id")
    if catalog_id and not _CATALOG_ID.match(catalog_id):
        r.bad("catalog_id", catalog_id)
    scope: CatalogScope | None = read_enum(r, "scope", CatalogScope)
    version, title = r.text("version"), r.text("title")
    if "items" not in data:
        r.problem("items", "catalog.missing_key")
    items: list[ServiceItem] = []
    first_seen: dict[str, str] = {}
    for where, entry in r.objects("items"):
        item = _read_item(where, entry, scope, catalog_id, problems)
        code = entry.get("code")
        if isinstance(code, str) and code.strip():
            code = code.strip()
            if code in first_seen:
                spec_problem(problems, join_path(where, "code"), "catalog.duplicate_code", key="code", code=code,
                             first=first_seen[code])
            else:
                first_seen[code] = where
        if item is not None:
            items.append(item)
    if problems or scope is None:
        raise ValidationFailed(problems, code="catalog.invalid", source=source)
    return CatalogFile(catalog_id=catalog_id, scope=scope, version=version, title=title,
                       items=tuple(sorted(items, key=lambda i: i.code)))


# ---------------------------------------------------------------- the merged catalogue

_SCOPE_ORDER = {CatalogScope.STANDARD: 0, CatalogScope.TOWN: 1, CatalogScope.LOCAL: 2}


@dataclass(frozen=True)
class Catalog:
    """The catalogue a station works from: the 47 standard items, then the town's, then local ones."""

    items: tuple[ServiceItem, ...]  # what is offered
    version: str
    retired: tuple[ServiceItem, ...] = ()  # no longer offered; the cases made under them still read them
    _by_code: dict[str, ServiceItem] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {i.code: i for i in (*self.items, *self.retired)})

    def item(self, code: str) -> ServiceItem:
        """The item of a code, retired ones too (a case made under it); :meth:`offered` for a new case."""
        found = self._by_code.get(code)
        if found is None:
            raise NotFound("catalog.unknown_item", code=code)
        return found

    def offered(self, code: str) -> ServiceItem:
        """The item for a new case or consultation: a retired one is refused, naming why it went."""
        found = self.item(code)
        if found.retired:
            raise DomainError("catalog.item_retired", code=found.code, name=found.name, note=found.note)
        return found

    def get(self, code: str) -> ServiceItem | None:
        return self._by_code.get(code)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def standard_count(self) -> int:
        return sum(1 for i in self.items if i.scope is CatalogScope.STANDARD)


def build_catalog(standard: CatalogFile, *others: CatalogFile) -> Catalog:
    """Merge the standard file with town and local files; a code may belong to one item only."""
    if standard.scope is not CatalogScope.STANDARD:
        raise DomainError("catalog.not_standard", catalog=standard.catalog_id, scope=standard.scope.value)
    offered = [i for i in standard.items if not i.retired]
    if len(offered) != STANDARD_COUNT:
        raise DomainError("catalog.standard_count", count=len(offered), expected=STANDARD_COUNT)
    owner = {i.code: standard.catalog_id for i in standard.items}
    items = list(standard.items)
    for other in others:
        if other.scope is CatalogScope.STANDARD:
            raise DomainError("catalog.second_standard", catalog=other.catalog_id)
        for item in other.items:
            if item.code in owner:
                raise Conflict("catalog.code_taken", code=item.code, catalog=other.catalog_id, owner=owner[item.code])
            owner[item.code] = other.catalog_id
            items.append(item)
    items.sort(key=lambda i: (_SCOPE_ORDER[i.scope], i.code))
    version = "+".join(f"{f.catalog_id}@{f.version}" for f in (standard, *others))
    return Catalog(items=tuple(i for i in items if not i.retired), version=version,
                   retired=tuple(i for i in items if i.retired))
