"""Residents and households (户): validation of what a station records about a person."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from app.domain.errors import DomainError, ValidationFailed
from app.domain.identity import (
    Gender,
    IdType,
    cross_check,
    is_residence_permit,
    normalise_phone,
    parse_id_number,
    validate_document_number,
)
from app.domain.ids import stable_id

# Tags a town commonly tracks; a town may use others (tags are free text, these are suggestions).
STANDARD_TAGS: tuple[str, ...] = (
    "低保", "特困", "残疾", "高龄", "退役军人", "独居老人", "脱贫户", "监测户", "优抚对象",
)

RELATIONS: tuple[str, ...] = (
    "户主", "配偶", "子", "女", "儿媳", "女婿", "孙子", "孙女", "外孙子", "外孙女",
    "父亲", "母亲", "公公", "婆婆", "岳父", "岳母", "兄弟", "姐妹", "祖父", "祖母", "其他",
)

# 2–20 characters: Han characters, the middle dot used in minority and transliterated names, letters.
_SPACES = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u9fff]")
_TAG_SEPARATORS = re.compile(r"[,，;；、/\s]+")
_NAME = re.compile(r"^[\u3400-\u9fff\U00020000-\U0002ebef·•A-Za-z ]{2,20}$")


class ResidentField(StrEnum):
    NAME = "name"
    ID_NUMBER = "id_number"
    GENDER = "gender"
    BIRTH_DATE = "birth_date"
    PHONE = "phone"
    VILLAGE = "village"
    RELATION = "relation"
    GROUP = "group"
    ADDRESS = "address"
    TAGS = "tags"
    ETHNICITY = "ethnicity"
    HOUSEHOLD_NO = "household_no"
    HEAD_NAME = "head_name"


# The most characters a field may hold: what the station's and the town's columns hold
# (app/persistence/tables.py; a test compares the two), or the domain's own rule where it is stricter (a name
# has 2–20 characters, a village name 1–40). Longer text is refused with the field and the limit, never cut:
# a cut address or household number would be stored as if someone had typed it.
MAX_LENGTH: dict[ResidentField, int] = {
    ResidentField.NAME: 20, ResidentField.PHONE: 30, ResidentField.VILLAGE: 40, ResidentField.GROUP: 20,
    ResidentField.ADDRESS: 120, ResidentField.RELATION: 10, ResidentField.TAGS: 200, ResidentField.ETHNICITY: 10,
    ResidentField.HOUSEHOLD_NO: 40, ResidentField.HEAD_NAME: 40,
}
TAG_MAX_LENGTH = 10  # one tag (低保, 退役军人 …)
# Characters no field may hold: control characters other than whitespace (NUL above all, which the town's
# PostgreSQL cannot store in text, so one such record would stop the station's sync) and lone surrogates
# (a command-line argument that was not valid text). Whitespace is collapsed or trimmed instead.
_UNSTORABLE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")
_SHOWN = 20  # characters of a bad value quoted back in a message (a 300 KB cell is not printed whole)


def excerpt(text: str, limit: int = _SHOWN) -> str:
    """The start of ``text`` for a message that quotes it: a value can be hundreds of kilobytes long."""
    return text if len(text) <= limit else text[:limit] + "…"


def check_length(field: ResidentField, value: str) -> str:
    """``value`` as it is, or refused when it is longer than ``field`` may hold."""
    limit = MAX_LENGTH[field]
    if len(value) > limit:
        raise DomainError("resident.too_long", field=field.value, length=len(value), max=limit)
    return value


def clean_text(field: ResidentField, text: str, *, collapse: bool = True) -> str:
    """Free text of a record (group, address, relation …): runs of spaces collapsed to one (or, with
    ``collapse=False``, only the ends trimmed); refused when too long or holding a character that cannot be kept."""
    value = " ".join(text.split()) if collapse else text.strip()
    check_length(field, value)
    bad = _UNSTORABLE.search(value)
    if bad:
        raise DomainError("resident.control_char", field=field.value, position=bad.start() + 1,
                          char=f"U+{ord(bad.group()):04X}")
    return value


# Dots that input methods and fonts put where the ID card prints "·" (U+00B7) in minority names:
# bullet, katakana middle dot (Japanese IME), hyphenation point, bullet operator, dot operator, full-width stop.
_NAME_DOTS = str.maketrans(dict.fromkeys("•・‧∙⋅．", "·"))


def household_id(village_code: str, household_no: str) -> str:
    """A household's id, made from its village and number (as the town's reference records are): two stations
    registering members of one household offline make the same record, merged field by field at the town,
    not two records that clash on the number."""
    return stable_id("household", village_code, household_no)


def normalise_name(text: str) -> str:
    name = text.replace("\u3000", " ").strip().translate(_NAME_DOTS)
    name = _SPACES.sub("", name) if _HAN.search(name) else " ".join(name.split())
    if not name:
        raise DomainError("resident.name_empty")
    check_length(ResidentField.NAME, name)
    if not _NAME.match(name):
        raise DomainError("resident.bad_name", name=name)
    return name


def parse_gender(text: str) -> Gender | None:
    t = text.strip().upper()
    if not t:
        return None
    if t in ("男", "M", "MALE", "1"):
        return Gender.MALE
    if t in ("女", "F", "FEMALE", "2"):
        return Gender.FEMALE
    raise DomainError("resident.bad_gender", gender=excerpt(text))


def parse_tags(text: str) -> tuple[str, ...]:
    """Tags as people type them (低保、残疾 / 低保,残疾 …), each kept once; a tag longer than 10 characters,
    or more tags than the record holds, is refused."""
    text = text.strip()
    if not text:
        return ()
    bad = _UNSTORABLE.search(text)
    if bad:
        raise DomainError("resident.control_char", field=ResidentField.TAGS.value, position=bad.start() + 1,
                          char=f"U+{ord(bad.group()):04X}")
    seen: dict[str, None] = {}
    for p in _TAG_SEPARATORS.split(text):
        if p:
            seen.setdefault(p, None)
    return check_tags(tuple(seen))


def check_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    """Tags already split: each at most 10 characters, all of them together (as stored, 、-joined) at most 200."""
    for tag in tags:
        if len(tag) > TAG_MAX_LENGTH:
            raise DomainError("resident.tag_too_long", tag=excerpt(tag), length=len(tag), max=TAG_MAX_LENGTH)
    check_length(ResidentField.TAGS, "、".join(tags))
    return tags


@dataclass(frozen=True, slots=True)
class ResidentData:
    """A validated resident record as the station stores it (full numbers; mask when showing)."""

    name: str
    id_type: IdType
    id_number: str
    gender: Gender | None
    birth_date: date | None
    phone: str
    village_code: str
    group: str = ""
    address: str = ""
    relation: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    ethnicity: str = ""


# Documents numbered as a resident ID (GB 11643): checked as one, birth date and gender taken from the number.
_NUMBERED_AS_ID = frozenset({IdType.RESIDENT_ID, IdType.HMT_RESIDENCE_PERMIT})
# A residence permit's number picked as the holder's travel permit is recorded as the residence permit.
_MAY_BE_PERMIT = frozenset({IdType.HK_MACAO_PERMIT, IdType.TAIWAN_PERMIT})


def validate_resident(
    *,
    name: str,
    id_number: str,
    village_code: str,
    id_type: IdType = IdType.RESIDENT_ID,
    gender: str = "",
    birth_date: date | None = None,
    phone: str = "",
    group: str = "",
    address: str = "",
    relation: str = "",
    tags: str | tuple[str, ...] = (),
    ethnicity: str = "",
    today: date | None = None,
) -> ResidentData:
    """Check every field at once; raise ``ValidationFailed`` listing each problem."""
    problems: dict[str, DomainError] = {}
    clean_name = ""
    try:
        clean_name = normalise_name(name)
    except DomainError as e:
        problems[ResidentField.NAME] = e
    given_gender: Gender | None = None
    try:
        given_gender = parse_gender(gender)
    except DomainError as e:
        problems[ResidentField.GENDER] = e
    number = ""
    derived_gender: Gender | None = given_gender
    derived_birth: date | None = birth_date
    try:
        if id_type in _NUMBERED_AS_ID or (id_type in _MAY_BE_PERMIT and is_residence_permit(id_number)):
            parsed = parse_id_number(id_number, today=today)
            if id_type is IdType.HMT_RESIDENCE_PERMIT and parsed.id_type is not id_type:
                raise DomainError("doc.bad_format", type=id_type.label_zh, type_en=id_type.label_en)
            # An 810000 / 820000 / 830000 number typed as an ID card is a residence permit: recorded as one.
            id_type = parsed.id_type
            number = parsed.value
            cross_check(parsed, gender=given_gender, birth_date=birth_date)
            derived_gender, derived_birth = parsed.gender, parsed.birth_date
        else:
            number = validate_document_number(id_type, id_number)
    except DomainError as e:
        problems[ResidentField.ID_NUMBER] = e
    clean_phone = ""
    if phone.strip():
        try:
            clean_phone = normalise_phone(check_length(ResidentField.PHONE, phone.strip()))
        except DomainError as e:
            problems[ResidentField.PHONE] = e
    texts: dict[ResidentField, str] = {}
    for fld, text, collapse in ((ResidentField.RELATION, relation, False), (ResidentField.GROUP, group, True),
                                (ResidentField.ADDRESS, address, True), (ResidentField.ETHNICITY, ethnicity, False)):
        try:
            texts[fld] = clean_text(fld, text, collapse=collapse)
        except DomainError as e:
            problems[fld] = e
    clean_tags: tuple[str, ...] = ()
    try:
        clean_tags = parse_tags(tags) if isinstance(tags, str) else check_tags(tags)
    except DomainError as e:
        problems[ResidentField.TAGS] = e
    if problems:
        labels = {"name": "姓名", "id_number": "证件号码", "gender": "性别", "phone": "联系电话",
                  "relation": "与户主关系", "group": "组", "address": "住址", "tags": "标签", "ethnicity": "民族"}
        for key, err in problems.items():
            err.params.setdefault("label", labels.get(key, key))
        raise ValidationFailed(dict(problems))
    return ResidentData(
        name=clean_name,
        id_type=id_type,
        id_number=number,
        gender=derived_gender,
        birth_date=derived_birth,
        phone=clean_phone,
        village_code=village_code,
        group=texts[ResidentField.GROUP],
        address=texts[ResidentField.ADDRESS],
        relation=texts[ResidentField.RELATION],
        tags=clean_tags,
        ethnicity=texts[ResidentField.ETHNICITY],
    )


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# 与户主关系 of a household member, read from the head's side: how the member is related to the head.
_FROM_THE_HEAD = {"配偶": "配偶", "子": "子女", "女": "子女", "父亲": "父母", "母亲": "父母",
                  "兄弟": "兄弟姐妹", "姐妹": "兄弟姐妹"}
_TO_THE_HEAD = {"配偶": "配偶", "子": "父母", "女": "父母", "父亲": "子女", "母亲": "子女",
                "兄弟": "兄弟姐妹", "姐妹": "兄弟姐妹"}


def proxy_relation(applicant: str, member: str) -> str:
    """The relation a proxy from the household has to the applicant (配偶, 子女, 父母, 兄弟姐妹 or 其他亲属), when
    the register's 与户主关系 of the two says it: one of them is the head. Otherwise "" (the clerk asks)."""
    if applicant == "户主":
        return _FROM_THE_HEAD.get(member, "其他亲属" if member in RELATIONS and member != "其他" else "")
    if member == "户主":
        return _TO_THE_HEAD.get(applicant, "其他亲属" if applicant in RELATIONS and applicant != "其他" else "")
    return ""
