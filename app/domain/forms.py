"""A small declarative form schema (fields of a service item), money in fen, and validation of a filled form."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from app.domain.errors import DomainError, ValidationFailed
from app.domain.identity import normalise_phone, parse_id_number
from app.domain.jsonfile import join_path, show, spec_problem


class FieldKind(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    INTEGER = "integer"
    MONEY = "money"  # entered in yuan, stored as integer fen
    DATE = "date"
    CHOICE = "choice"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    BANK_ACCOUNT = "bank_account"
    PLATE = "plate"  # vehicle plate, including 8-character new-energy plates
    ACCOUNT_NO = "account_no"  # water / electricity / gas account
    DECISION_NO = "decision_no"  # traffic penalty decision number
    BOOLEAN = "boolean"
    YEAR_MONTH = "year_month"  # billing period YYYY-MM


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of an item's form. For money, ``min_value``/``max_value`` are in fen."""

    key: str
    label: str
    kind: FieldKind
    required: bool = False
    choices: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    help: str = ""
    default: str = ""  # prefilled by the form; validate_form does not apply it


# ---------------------------------------------------------------- money

_DIGITS_ZH = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_SECTION_UNITS = ("", "万", "亿", "万亿")
_MONEY_TEXT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{0,2})?$|^\.\d{1,2}$")
_MAX_FEN = 10**18  # 万亿 is the largest section unit we write out


def parse_money(text: str) -> int:
    """Yuan as typed ("12", "12.5", "¥1,234.56", "１２.５０") to integer fen; exact, never via float."""
    # NFKC turns full-width digits, "，" and "￥" into their ASCII / half-width forms.
    cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
    cleaned = cleaned.removeprefix("¥").removeprefix("RMB").removesuffix("元")
    if not _MONEY_TEXT.match(cleaned):
        raise DomainError("money.bad", text=text)
    try:
        yuan = Decimal(cleaned.replace(",", ""))
    except InvalidOperation as e:  # pragma: no cover - the pattern already rules this out
        raise DomainError("money.bad", text=text) from e
    return int(yuan * 100)


def format_money(fen: int) -> str:
    """Integer fen as "¥1,234.56" (a refund shows as "-¥1.00")."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def _section_words(section: int) -> str:
    """0 < section < 10000 in capitals; inner runs of zeros become one 零, trailing zeros vanish."""
    out: list[str] = []
    zero_pending = False
    for power in range(3, -1, -1):
        digit = section // 10**power % 10
        if digit == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_DIGITS_ZH[digit] + _SMALL_UNITS[power])
    return "".join(out)


def money_in_words(fen: int) -> str:
    """Capital numerals (大写) as on receipts, by the 财政部 rules for writing amounts on vouchers.

    Where the rules allow a choice we take one: a zero at the 万 or 亿 digit writes 零 before the next
    non-zero digit group (壹拾万零柒仟元), no 零 between 元 and a non-zero 角
    (壹仟陆佰捌拾元叁角贰分), 零 between 元 and 分 when 角 is zero (壹元零伍分, required), and 整 only
    after 元, i.e. when both 角 and 分 are zero (after 角 it is optional; we leave it out).
    """
    if fen < 0 or fen >= _MAX_FEN:
        raise DomainError("money.bad", text=str(fen))
    yuan, rest = divmod(fen, 100)
    jiao, cent = divmod(rest, 10)
    parts: list[str] = []
    if yuan:
        sections: list[int] = []
        n = yuan
        while n:
            n, sec = divmod(n, 10000)
            sections.append(sec)
        zero_pending = False
        for idx in range(len(sections) - 1, -1, -1):
            sec = sections[idx]
            if sec == 0:
                zero_pending = bool(parts)
                continue
            # A zero just before this group (inside it, or at the 万/亿 digit above it) is read as 零.
            if parts and (zero_pending or sec < 1000 or sections[idx + 1] % 10 == 0):
                parts.append("零")
            zero_pending = False
            parts.append(_section_words(sec) + _SECTION_UNITS[idx])
        parts.append("元")
    if jiao == 0 and cent == 0:
        return "".join(parts) + "整" if yuan else "零元整"
    if jiao:
        parts.append(_DIGITS_ZH[jiao] + "角")
    if cent:
        if yuan and jiao == 0:
            parts.append("零")
        parts.append(_DIGITS_ZH[cent] + "分")
    return "".join(parts)


def amount_in_words(fen: int) -> str:
    """An amount as paper writes it in capitals: 人民币 first (人民币壹仟零伍元伍角), a negative amount as
    人民币负… — the same sign as its figures (a day-close whose refunds exceed its takings says so)."""
    return "人民币" + ("负" if fen < 0 else "") + money_in_words(abs(fen))


# ---------------------------------------------------------------- reading field specs from JSON

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_SPEC_KEYS = frozenset({"key", "label", "kind", "required", "choices", "min", "max", "max_length", "pattern",
                        "help", "default"})


def read_field_spec(data: object, *, path: str, problems: dict[str, DomainError]) -> FieldSpec | None:
    """Read one field spec, adding every problem found to ``problems``; None when it cannot be built."""
    if not isinstance(data, Mapping):
        spec_problem(problems, path, "catalog.bad_value", key=path, value=show(data))
        return None
    before = len(problems)
    for extra in sorted(set(data) - _SPEC_KEYS):
        spec_problem(problems, join_path(path, extra), "catalog.unknown_key", key=extra)

    def text(key: str, *, required: bool) -> str:
        value = data.get(key)
        if value is None:
            if required:
                spec_problem(problems, join_path(path, key), "catalog.missing_key", key=key)
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            spec_problem(problems, join_path(path, key), "catalog.bad_value", key=key, value=show(value))
            return ""
        return value.strip()

    key = text("key", required=True)
    if key and not _KEY.match(key):
        spec_problem(problems, join_path(path, "key"), "catalog.bad_field_key", key="key", value=key)
    label = text("label", required=True)
    kind_text = text("kind", required=True)
    kind: FieldKind | None = None
    if kind_text:
        try:
            kind = FieldKind(kind_text)
        except ValueError:
            spec_problem(problems, join_path(path, "kind"), "catalog.bad_field_kind", key="kind", value=kind_text,
                         kinds="、".join(k.value for k in FieldKind))
    required = data.get("required", False)
    if not isinstance(required, bool):
        spec_problem(problems, join_path(path, "required"), "catalog.bad_value", key="required",
                     value=show(required))
        required = False
    choices_raw = data.get("choices", [])
    choices: tuple[str, ...] = ()
    if not isinstance(choices_raw, list) or not all(isinstance(c, str) and c.strip() for c in choices_raw):
        spec_problem(problems, join_path(path, "choices"), "catalog.bad_value", key="choices",
                     value=show(choices_raw))
    else:
        choices = tuple(c.strip() for c in choices_raw)
    if kind is FieldKind.CHOICE and not choices and join_path(path, "choices") not in problems:
        spec_problem(problems, join_path(path, "choices"), "catalog.no_choices", key="choices")
    min_value = _read_bound(data, "min", kind, path, problems)
    max_value = _read_bound(data, "max", kind, path, problems)
    if min_value is not None and max_value is not None and min_value > max_value:
        spec_problem(problems, join_path(path, "max"), "catalog.bad_range", key="max",
                     min=data.get("min"), max=data.get("max"))
    max_length = data.get("max_length")
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, int)
                                   or max_length < 1):
        spec_problem(problems, join_path(path, "max_length"), "catalog.bad_value", key="max_length",
                     value=show(max_length))
        max_length = None
    pattern = text("pattern", required=False) or None
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as e:
            spec_problem(problems, join_path(path, "pattern"), "catalog.bad_pattern", key="pattern",
                         value=pattern, reason=str(e))
            pattern = None
    help_text = text("help", required=False)
    default = text("default", required=False)
    if len(problems) > before or kind is None:
        return None
    return FieldSpec(key=key, label=label, kind=kind, required=required, choices=choices, min_value=min_value,
                     max_value=max_value, max_length=max_length, pattern=pattern, help=help_text, default=default)


def _read_bound(data: Mapping[str, Any], key: str, kind: FieldKind | None, path: str,
                problems: dict[str, DomainError]) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    where = join_path(path, key)
    if kind is FieldKind.MONEY:
        # Written in yuan in the file (what the town administrator thinks in); kept in fen.
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            spec_problem(problems, where, "catalog.bad_value", key=key, value=show(value))
            return None
        try:
            return parse_money(str(value))
        except DomainError:
            spec_problem(problems, where, "catalog.bad_value", key=key, value=show(value))
            return None
    if isinstance(value, bool) or not isinstance(value, int):
        spec_problem(problems, where, "catalog.bad_value", key=key, value=show(value))
        return None
    return value


def parse_field_spec(data: Mapping[str, Any], *, path: str) -> FieldSpec:
    """One field spec from its JSON object; the first problem found is raised (with ``path``)."""
    problems: dict[str, DomainError] = {}
    spec = read_field_spec(data, path=path, problems=problems)
    if spec is None:
        raise next(iter(problems.values()))
    return spec


# ---------------------------------------------------------------- validating a filled form

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_L = "A-HJ-NP-Z"  # plate letters: I and O are never used (they look like 1 and 0)
_PLATE = re.compile(
    rf"^[{_PROVINCES}][{_L}](?:[{_L}0-9]{{4}}[{_L}0-9挂学警港澳领]"  # ordinary 7-character plate
    rf"|[DF][{_L}0-9]\d{{4}}|\d{{5}}[DF])$"  # new-energy 8-character plate (small car / large vehicle)
)
_ACCOUNT_NO = re.compile(r"^[A-Za-z0-9-]{4,30}$")
_DECISION_NO = re.compile(r"^\d{15,20}$")
# Bank cards are 16-19 digits, passbook accounts vary; no Luhn check, as not every account number carries one.
_BANK_ACCOUNT = re.compile(r"^\d{12,25}$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_YEAR_MONTH = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})月?|(\d{2}))$")
_TRUE = frozenset({"true", "1", "yes", "y", "on", "是", "有"})
_FALSE = frozenset({"false", "0", "no", "n", "off", "否", "无"})


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _squeeze(value: object) -> str:
    """Full-width to half-width and no spaces: what people paste from a phone or a letter."""
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def _clean(spec: FieldSpec, value: object, today: date | None) -> object:
    """The cleaned value of one non-empty field, or a DomainError (without ``label``) raised."""
    kind = spec.kind
    if kind in (FieldKind.TEXT, FieldKind.TEXTAREA):
        text = str(value).strip()
        if spec.max_length is not None and len(text) > spec.max_length:
            raise DomainError("field.too_long", max_length=spec.max_length, length=len(text))
        return text
    if kind is FieldKind.INTEGER:
        if isinstance(value, bool):
            raise DomainError("field.bad_integer", value=str(value))
        if not isinstance(value, int):
            text = _squeeze(value).replace(",", "")
            if not _INTEGER.match(text):
                raise DomainError("field.bad_integer", value=str(value))
            value = int(text)
        _check_range(spec, value, str)
        return value
    if kind is FieldKind.MONEY:
        # An int is already fen (so a cleaned form validates again to itself); text is yuan as typed.
        if isinstance(value, bool):
            raise DomainError("money.bad", text=str(value))
        fen = value if isinstance(value, int) else parse_money(str(value))
        _check_range(spec, fen, format_money)
        return fen
    if kind is FieldKind.DATE:
        return _clean_date(value).isoformat()
    if kind is FieldKind.CHOICE:
        text = str(value).strip()
        if text not in spec.choices:
            raise DomainError("field.bad_choice", value=text, choices="、".join(spec.choices))
        return text
    if kind is FieldKind.ID_NUMBER:
        return parse_id_number(str(value), today=today).value
    if kind is FieldKind.PHONE:
        return normalise_phone(str(value))
    if kind is FieldKind.BANK_ACCOUNT:
        text = _squeeze(value).replace("-", "")
        if not _BANK_ACCOUNT.match(text):
            raise DomainError("field.bad_bank_account", value=str(value))
        return text
    if kind is FieldKind.PLATE:
        text = _squeeze(value).upper().replace("·", "").replace("-", "").replace("•", "")
        if not _PLATE.match(text):
            raise DomainError("field.bad_plate", value=str(value))
        return text
    if kind is FieldKind.ACCOUNT_NO:
        text = _squeeze(value)
        if not _ACCOUNT_NO.match(text):
            raise DomainError("field.bad_account_no", value=str(value))
        return text
    if kind is FieldKind.DECISION_NO:
        text = _squeeze(value)
        if not _DECISION_NO.match(text):
            raise DomainError("field.bad_decision_no", value=str(value))
        return text
    if kind is FieldKind.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = _squeeze(value).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise DomainError("field.bad_boolean", value=str(value))
    if kind is FieldKind.YEAR_MONTH:
        m = _YEAR_MONTH.match(_squeeze(value))
        month = int(m[2] or m[3]) if m else 0
        if not m or not 1 <= month <= 12:
            raise DomainError("field.bad_year_month", value=str(value))
        return f"{int(m[1]):04d}-{month:02d}"
    raise AssertionError(f"unhandled field kind {kind}")  # pragma: no cover


def _clean_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = _DATE.match(_squeeze(value))
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        pass
    raise DomainError("field.bad_date", value=str(value))


def _check_range(spec: FieldSpec, number: int, show: Any) -> None:
    if spec.min_value is not None and number < spec.min_value:
        raise DomainError("field.too_small", min=show(spec.min_value), value=show(number))
    if spec.max_value is not None and number > spec.max_value:
        raise DomainError("field.too_large", max=show(spec.max_value), value=show(number))


def validate_form(fields: Sequence[FieldSpec], values: Mapping[str, object], *,
                  today: date | None = None) -> dict[str, object]:
    """Check every field at once and return cleaned, JSON-ready values; ValidationFailed lists all problems.

    Unknown keys are dropped and empty optional fields are left out, so what is stored on a case is
    exactly what its item's form defines.
    """
    cleaned: dict[str, object] = {}
    problems: dict[str, DomainError] = {}
    for spec in fields:
        value = values.get(spec.key)
        try:
            if _is_empty(value):
                if spec.required:
                    raise DomainError("field.required")
                continue
            result = _clean(spec, value, today)
            if spec.pattern is not None and isinstance(result, str) and not re.fullmatch(spec.pattern, result):
                raise DomainError("field.bad_pattern", value=result)
        except DomainError as e:
            # Identity errors arrive with their own code and params; the label says which field.
            e.params["label"] = spec.label
            problems[spec.key] = e
            continue
        cleaned[spec.key] = result
    if problems:
        raise ValidationFailed(problems)
    return cleaned
