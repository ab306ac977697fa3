"""Identity numbers and phone numbers: parse, check, normalise and mask them (GB 11643, GB 32100)."""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.domain.areas import RESIDENCE_PERMIT_CODES, is_issuing_code
from app.domain.errors import DomainError

__all__ = [
    "Gender",
    "IdType",
    "ParsedId",
    "check_uscc",
    "cross_check",
    "id_check_char",
    "is_mobile",
    "is_residence_permit",
    "mask_id",
    "mask_name",
    "mask_phone",
    "normalise_phone",
    "parse_id_number",
    "validate_document_number",
]


class Gender(StrEnum):
    MALE = "M"
    FEMALE = "F"

    @property
    def label_zh(self) -> str:
        return _GENDER_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _GENDER_LABELS[self][1]


_GENDER_LABELS: dict[Gender, tuple[str, str]] = {
    Gender.MALE: ("男", "male"),
    Gender.FEMALE: ("女", "female"),
}


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"
    HK_MACAO_PERMIT = "hk_macao"
    TAIWAN_PERMIT = "taiwan"
    HMT_RESIDENCE_PERMIT = "hmt_residence"  # 港澳台居民居住证: numbered as a resident ID, from 810000/820000/830000
    PASSPORT = "passport"
    FOREIGN_PERMANENT = "foreign_permanent"
    OTHER = "other"

    @property
    def label_zh(self) -> str:
        return _ID_TYPE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _ID_TYPE_LABELS[self][1]


_ID_TYPE_LABELS: dict[IdType, tuple[str, str]] = {
    IdType.RESIDENT_ID: ("居民身份证", "Resident ID card"),
    IdType.HK_MACAO_PERMIT: ("港澳居民来往内地通行证/居住证", "Hong Kong/Macao resident permit"),
    IdType.TAIWAN_PERMIT: ("台湾居民来往大陆通行证", "Taiwan resident permit"),
    IdType.HMT_RESIDENCE_PERMIT: ("港澳台居民居住证", "Residence permit for Hong Kong, Macao and Taiwan residents"),
    IdType.PASSPORT: ("护照", "Passport"),
    IdType.FOREIGN_PERMANENT: ("外国人永久居留身份证", "Foreign permanent resident ID card"),
    IdType.OTHER: ("其他证件", "Other document"),
}


@dataclass(frozen=True, slots=True)
class ParsedId:
    """A checked resident ID number (or a residence permit's, numbered the same way) and what it says."""

    value: str
    birth_date: date
    gender: Gender
    province_code: str
    upgraded_from_15: bool
    area_code: str = ""  # the first six digits: the county that issued the number (GB/T 2260)
    id_type: IdType = IdType.RESIDENT_ID  # HMT_RESIDENCE_PERMIT for 810000 / 820000 / 830000


# --- resident ID numbers (GB 11643-1999) -------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_PROVINCES = frozenset(
    [f"{n}" for n in range(11, 16)]
    + [f"{n}" for n in range(21, 24)]
    + [f"{n}" for n in range(31, 38)]
    + [f"{n}" for n in range(41, 47)]
    + [f"{n}" for n in range(50, 55)]
    + [f"{n}" for n in range(61, 66)]
    + ["81", "82", "83"]  # 71 (Taiwan) is refused on its own: no resident ID carries it
)
_EARLIEST_BIRTH = date(1880, 1, 1)


_ID_TEXT = re.compile(r"[0-9]*X?")
_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_DIGITS = re.compile(r"[0-9]+")
_PHONE_TEXT = re.compile(r"[0-9+\-() ]+")
_INTERNATIONAL = re.compile(r"(?:\+\s*86|0086)")


def _squeeze(text: str) -> str:
    """Full-width to half-width (NFKC), whitespace removed, upper case: how people type numbers."""
    if text.isascii() and text.isalnum():
        return text.upper()  # the usual case (a roster cell, a card reader): nothing to normalise
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"expected 17 ASCII digits, got {first17!r}")
    total = sum(map(operator.mul, map(int, first17), _ID_WEIGHTS))
    return _ID_CHECK_CHARS[total % 11]


def parse_id_number(text: str, *, today: date | None = None) -> ParsedId:
    """Check a resident ID number (18 digits, or a legacy 15-digit one, which is upgraded to 18)."""
    number = _squeeze(text)
    if not number:
        raise DomainError("id.empty")
    if not _ID_TEXT.fullmatch(number):
        raise DomainError("id.bad_chars")
    if len(number) not in (15, 18):
        raise DomainError("id.bad_length", length=len(number))
    upgraded = len(number) == 15
    if upgraded:
        if number.endswith("X"):
            raise DomainError("id.bad_chars")
        # Legacy numbers were issued only to people born in the 1900s, so the century is always 19.
        body = number[:6] + "19" + number[6:]
    else:
        body = number[:17]
    province, area_code = body[:2], body[:6]
    if province == "71":
        raise DomainError("id.taiwan_code")
    if province not in _PROVINCES:
        raise DomainError("id.bad_province", code=province)
    permit = area_code in RESIDENCE_PERMIT_CODES
    if permit and upgraded:
        raise DomainError("id.permit_needs_18", code=area_code)
    if not is_issuing_code(area_code):
        raise DomainError("id.bad_area_code", code=area_code)
    raw_date = body[6:14]
    try:
        birth = date(int(raw_date[:4]), int(raw_date[4:6]), int(raw_date[6:8]))
    except ValueError:
        raise DomainError("id.bad_date", date=raw_date) from None
    if birth < _EARLIEST_BIRTH:
        raise DomainError("id.bad_date", date=birth.isoformat())
    if birth > (today or date.today()):
        raise DomainError("id.future_date", date=birth.isoformat())
    expected = id_check_char(body)
    if upgraded:
        value = body + expected
    else:
        if number[17] != expected:
            raise DomainError("id.bad_check_char", expected=expected, given=number[17])
        value = number
    gender = Gender.MALE if int(body[16]) % 2 == 1 else Gender.FEMALE
    return ParsedId(value=value, birth_date=birth, gender=gender, province_code=province, upgraded_from_15=upgraded,
                    area_code=area_code,
                    id_type=IdType.HMT_RESIDENCE_PERMIT if permit else IdType.RESIDENT_ID)


def cross_check(parsed: ParsedId, *, gender: Gender | None, birth_date: date | None) -> None:
    """Refuse a gender or birth date typed at the counter that contradicts the ID number."""
    if gender is not None and gender is not parsed.gender:
        raise DomainError(
            "id.gender_mismatch",
            expected=parsed.gender.label_zh, expected_en=parsed.gender.label_en,
            given=gender.label_zh, given_en=gender.label_en,
        )
    if birth_date is not None and birth_date != parsed.birth_date:
        raise DomainError("id.birth_mismatch", expected=parsed.birth_date.isoformat(), given=birth_date.isoformat())


# --- other identity documents -----------------------------------------------------------------


def is_residence_permit(text: str) -> bool:
    """Whether ``text`` is the number of a residence permit for HK, Macao or Taiwan residents (港澳台居民居住证):
    18 characters from 810000 / 820000 / 830000 with a right check character."""
    return _is_residence_permit(_squeeze(text), tuple(sorted(RESIDENCE_PERMIT_CODES)))


def _is_residence_permit(number: str, prefixes: tuple[str, ...]) -> bool:
    # Residence permits (居住证) for HK/Macao/Taiwan residents carry an 18-character number shaped like
    # a resident ID with address code 810000/820000/830000 and the same check character.
    return (
        _ID18.fullmatch(number) is not None
        and number.startswith(prefixes)
        and id_check_char(number[:17]) == number[17]
    )


_DOCUMENT_PATTERNS: dict[IdType, re.Pattern[str]] = {
    IdType.HK_MACAO_PERMIT: re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?"),
    IdType.TAIWAN_PERMIT: re.compile(r"[0-9]{8}|[0-9A-Z]{10}"),
    IdType.PASSPORT: re.compile(r"[0-9A-Z]{5,17}"),
    IdType.FOREIGN_PERMANENT: re.compile(r"[A-Z]{3}[0-9]{12}|9[0-9]{16}[0-9X]"),
}


def validate_document_number(id_type: IdType, text: str) -> str:
    """Normalise and sanity-check the number of a document other than a resident ID card."""
    if id_type in (IdType.RESIDENT_ID, IdType.HMT_RESIDENCE_PERMIT):
        parsed = parse_id_number(text)
        if id_type is IdType.HMT_RESIDENCE_PERMIT and parsed.id_type is not id_type:
            raise DomainError("doc.bad_format", type=id_type.label_zh, type_en=id_type.label_en)
        return parsed.value
    if id_type is IdType.OTHER:
        # Free-form documents may legitimately contain spaces; keep single ones.
        number = " ".join(unicodedata.normalize("NFKC", text).split()).upper()
        if not number:
            raise DomainError("doc.empty", type=id_type.label_zh, type_en=id_type.label_en)
        if not 4 <= len(number) <= 30 or not number.isprintable():
            raise DomainError("doc.bad_format", type=id_type.label_zh, type_en=id_type.label_en)
        return number
    number = _squeeze(text)
    if not number:
        raise DomainError("doc.empty", type=id_type.label_zh, type_en=id_type.label_en)
    if _DOCUMENT_PATTERNS[id_type].fullmatch(number):
        return number
    if id_type is IdType.HK_MACAO_PERMIT and _is_residence_permit(number, ("810000", "820000")):
        return number
    if id_type is IdType.TAIWAN_PERMIT and _is_residence_permit(number, ("830000",)):
        return number
    raise DomainError("doc.bad_format", type=id_type.label_zh, type_en=id_type.label_en)


# --- phone numbers ------------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE_LOCAL = re.compile(r"[2-9][0-9]{6,7}")
_AREA_CODE = re.compile(r"0[1-9][0-9]{1,2}")


def is_mobile(phone: str) -> bool:
    """True for a normalised mainland mobile number (11 digits, 13x–19x)."""
    return _MOBILE.fullmatch(phone) is not None


def _split_landline(groups: list[str]) -> tuple[str, str]:
    """Area code and local number; trust where the person put a separator, else the numbering plan."""
    if len(groups) >= 2 and _AREA_CODE.fullmatch(groups[0]):
        return groups[0], "".join(groups[1:])
    digits = "".join(groups)
    # Only Beijing (010) and the 02x cities have two-digit area codes after the 0; all others have three.
    cut = 3 if digits[:2] in ("01", "02") else 4
    return digits[:cut], digits[cut:]


def _shown(text: str) -> str:
    """The typed number as a message quotes it: its start only, since a roster cell can be 300 KB long."""
    s = text.strip()
    return s if len(s) <= 30 else s[:30] + "…"


def normalise_phone(text: str) -> str:
    """A mobile as 11 digits (``13812345678``) or a landline as ``0571-87654321``."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        raise DomainError("phone.empty")
    if not _PHONE_TEXT.fullmatch(s):
        raise DomainError("phone.bad", phone=_shown(text))
    international = False
    match = _INTERNATIONAL.match(s)
    if match:
        international = True
        s = s[match.end():]
    if "+" in s:
        raise DomainError("phone.bad", phone=_shown(text))
    groups = _DIGITS.findall(s)
    digits = "".join(groups)
    if not digits:
        raise DomainError("phone.bad", phone=_shown(text))
    if international and not digits.startswith(("0", "1")):
        # From abroad a landline is dialled without its leading 0: +86 571 87654321.
        groups[0] = "0" + groups[0]
        digits = "0" + digits
    elif international and digits.startswith("1") and len(digits) != 11:
        # +86 10 8765 4321 is Beijing, not a mobile.
        groups[0] = "0" + groups[0]
        digits = "0" + digits
    elif not international and len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]
    if digits.startswith("1"):
        if _MOBILE.fullmatch(digits):
            return digits
        raise DomainError("phone.bad", phone=_shown(text))
    if digits.startswith("0"):
        area, local = _split_landline(groups)
        if _AREA_CODE.fullmatch(area) and _LANDLINE_LOCAL.fullmatch(local):
            return f"{area}-{local}"
        raise DomainError("phone.bad", phone=_shown(text))
    if _LANDLINE_LOCAL.fullmatch(digits):
        raise DomainError("phone.needs_area_code", phone=_shown(text))
    raise DomainError("phone.bad", phone=_shown(text))


# --- masking for screens, printouts and public notices (GB/T 35273) -----------------------------


def mask_id(number: str) -> str:
    """``110105********002X``: the first 6 and the last 4 only, so the birth date and sequence never show.

    The one masking of an ID number for screens, paper, the CLI and logs: an 18-character number (a resident
    ID, a residence permit, a foreign permanent resident card) and a 15-digit first-generation one
    (``130503*****0011``) alike. Another document's number shows its last 4 at most, fewer when short."""
    s = number.strip()
    n = len(s)
    if n in (15, 18):
        return s[:6] + "*" * (n - 10) + s[-4:]
    if n > 8:
        return "*" * (n - 4) + s[-4:]
    if n > 4:
        return "*" * (n - 2) + s[-2:]
    # Too short to show any of it without giving the whole thing away.
    return "*" * n


def mask_phone(phone: str) -> str:
    """``138****5678`` for mobiles, ``0571-******21`` for landlines."""
    s = phone.strip()
    if not s:
        return ""
    if is_mobile(s):
        return s[:3] + "****" + s[-4:]
    if "-" in s:
        area, _, local = s.partition("-")
        return f"{area}-" + "*" * max(1, len(local) - 2) + local[-2:]
    if len(s) > 2:
        return "*" * (len(s) - 2) + s[-2:]
    return "*" * len(s)


def mask_name(name: str) -> str:
    """``张*``, ``张*三``, ``欧**明``: enough for a villager to recognise, not enough to identify."""
    s = name.strip()
    if len(s) <= 1:
        return s
    if len(s) == 2:
        return s[0] + "*"
    return s[0] + "*" * (len(s) - 2) + s[-1]


# --- unified social credit code (GB 32100-2015) -------------------------------------------------

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {c: i for i, c in enumerate(_USCC_CHARS)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_uscc(text: str) -> str:
    """Check an organisation's unified social credit code; return it normalised (upper case, no spaces)."""
    code = _squeeze(text)
    if len(code) != 18:
        raise DomainError("uscc.bad_length", length=len(code))
    if any(c not in _USCC_VALUES for c in code):
        raise DomainError("uscc.bad_chars")
    total = sum(_USCC_VALUES[c] * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    expected = _USCC_CHARS[(31 - total % 31) % 31]
    if code[17] != expected:
        raise DomainError("uscc.bad_check_char", expected=expected, given=code[17])
    return code
