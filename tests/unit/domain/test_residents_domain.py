"""Validating what a station records about a resident: names, tags and a whole record at once."""

from __future__ import annotations

import re
from datetime import date

import pytest

import app.messages
from app.domain.errors import DomainError, ValidationFailed
from app.domain.identity import Gender, IdType, id_check_char
from app.domain.residents import (
    MAX_LENGTH,
    ResidentField,
    age_on,
    normalise_name,
    parse_gender,
    parse_tags,
    validate_resident,
)

TODAY = date(2026, 11, 23)
BODY = "33012719850314035"
GOOD_ID = BODY + id_check_char(BODY)


def _bad_id() -> str:
    return BODY + ("0" if GOOD_ID[17] != "0" else "1")


def test_a_valid_record_is_cleaned_and_takes_gender_and_birth_date_from_the_id_number() -> None:
    data = validate_resident(name=" 张　三 ", id_number=GOOD_ID.lower(), village_code="V01", phone="138 1234 5678",
                             group=" 3  组 ", address="青溪村  3组 8号", relation=" 户主 ", tags="低保、残疾",
                             today=TODAY)

    assert (data.name, data.id_number, data.gender, data.birth_date) == ("张三", GOOD_ID, Gender.MALE,
                                                                         date(1985, 3, 14))
    assert (data.phone, data.group, data.address, data.relation, data.tags) == (
        "13812345678", "3 组", "青溪村 3组 8号", "户主", ("低保", "残疾"))


def test_every_problem_of_a_record_is_reported_at_once_with_the_label_a_person_reads() -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        validate_resident(name="", id_number=_bad_id(), village_code="V01", gender="未知", phone="12345",
                          relation="户主的远房表兄弟姐妹之子", today=TODAY)

    problems = excinfo.value.problems
    assert {k: p.code for k, p in problems.items()} == {
        "name": "resident.name_empty", "gender": "resident.bad_gender", "id_number": "id.bad_check_char",
        "phone": "phone.bad", "relation": "resident.too_long",
    }
    assert {k: p.params["label"] for k, p in problems.items()} == {
        "name": "姓名", "gender": "性别", "id_number": "证件号码", "phone": "联系电话", "relation": "与户主关系",
    }
    assert excinfo.value.params["count"] == 5
    text = app.messages.describe(excinfo.value)
    assert text.startswith("有 5 处需要修改")
    for p in problems.values():
        assert not app.messages.render(p.code, p.params).startswith("操作未能完成"), p.code
    assert "· 联系电话：" in text


def test_a_gender_that_contradicts_the_id_number_is_refused() -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        validate_resident(name="张三", id_number=GOOD_ID, village_code="V01", gender="女", today=TODAY)

    assert excinfo.value.problems["id_number"].code == "id.gender_mismatch"


def test_a_birth_date_that_contradicts_the_id_number_is_refused() -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        validate_resident(name="张三", id_number=GOOD_ID, village_code="V01", birth_date=date(1985, 3, 15),
                          today=TODAY)

    assert excinfo.value.problems["id_number"].code == "id.birth_mismatch"


def test_a_passport_holder_keeps_the_gender_given_and_has_no_birth_date_from_the_number() -> None:
    data = validate_resident(name="John Smith", id_number="e 1234 5678", village_code="V01",
                             id_type=IdType.PASSPORT, gender="M", today=TODAY)

    assert (data.name, data.id_number, data.gender, data.birth_date) == ("John Smith", "E12345678", Gender.MALE,
                                                                         None)


def test_an_empty_phone_is_allowed_and_stays_empty() -> None:
    data = validate_resident(name="张三", id_number=GOOD_ID, village_code="V01", phone="  ", today=TODAY)

    assert data.phone == ""


# --- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [
    ("买买提·艾力", "买买提·艾力"),
    ("买买提 · 艾力", "买买提·艾力"),
    ("　买买提·艾力　", "买买提·艾力"),
    ("买买提•艾力", "买买提·艾力"),
    ("买买提・艾力", "买买提·艾力"),
    ("买买提‧艾力", "买买提·艾力"),
    ("买买提．艾力", "买买提·艾力"),
    ("阿依古丽·买买提　", "阿依古丽·买买提"),
    ("张　三", "张三"),
    ("  欧阳 修 ", "欧阳修"),
    ("John  Smith", "John Smith"),
])
def test_names_are_normalised_as_they_are_printed_on_the_id_card(typed: str, stored: str) -> None:
    assert normalise_name(typed) == stored


@pytest.mark.parametrize(("typed", "code"), [
    ("", "resident.name_empty"),
    ("　 ", "resident.name_empty"),
    ("张", "resident.bad_name"),
    ("张三3", "resident.bad_name"),
    ("阿" * 21, "resident.too_long"),
])
def test_names_that_cannot_be_a_persons_name_are_refused(typed: str, code: str) -> None:
    with pytest.raises(DomainError) as excinfo:
        normalise_name(typed)

    assert excinfo.value.code == code
    assert not app.messages.render(code, excinfo.value.params).startswith("操作未能完成")


# --- tags, gender, age ----------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "tags"), [
    ("低保、残疾", ("低保", "残疾")),
    ("低保,残疾，高龄", ("低保", "残疾", "高龄")),
    ("低保；残疾;高龄/独居老人", ("低保", "残疾", "高龄", "独居老人")),
    ("低保 残疾　高龄", ("低保", "残疾", "高龄")),
    ("、低保、、低保、", ("低保",)),
    ("", ()),
    ("一二三四五六七八九十", ("一二三四五六七八九十",)),
])
def test_tags_are_split_on_the_separators_people_type_and_kept_once(typed: str, tags: tuple[str, ...]) -> None:
    assert parse_tags(typed) == tags


@pytest.mark.parametrize(("typed", "gender"), [
    ("男", Gender.MALE), (" 女 ", Gender.FEMALE), ("m", Gender.MALE), ("F", Gender.FEMALE), ("1", Gender.MALE),
    ("2", Gender.FEMALE), ("", None),
])
def test_gender_is_read_from_the_ways_rosters_write_it(typed: str, gender: Gender | None) -> None:
    assert parse_gender(typed) is gender


def test_age_counts_a_birthday_only_once_it_has_come() -> None:
    assert age_on(date(1985, 3, 14), date(2026, 3, 13)) == 40
    assert age_on(date(1985, 3, 14), date(2026, 3, 14)) == 41
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25


# --- lengths and characters: refused with the field and the limit, never cut --------------------

_TOO_LONG = [
    ("group", {"group": "组" * 21}, 21, 20),
    ("address", {"address": "址" * 121}, 121, 120),
    ("relation", {"relation": "亲" * 11}, 11, 10),
    ("ethnicity", {"ethnicity": "族" * 11}, 11, 10),
    ("tags", {"tags": "、".join(f"标签{i:02d}" for i in range(41))}, 204, 200),
    ("name", {"name": "阿" * 21}, 21, 20),
    ("phone", {"phone": "1" * 31}, 31, 30),
]


@pytest.mark.parametrize(("field", "given", "length", "limit"), _TOO_LONG, ids=[c[0] for c in _TOO_LONG])
def test_a_field_longer_than_it_may_hold_is_refused_with_its_length_and_limit_not_cut(
        field: str, given: dict[str, str], length: int, limit: int) -> None:
    values = {"name": "张三", "id_number": GOOD_ID, "village_code": "V01", **given}

    with pytest.raises(ValidationFailed) as excinfo:
        validate_resident(**values, today=TODAY)  # type: ignore[arg-type]

    problem = excinfo.value.problems[field]
    assert problem.code == "resident.too_long"
    assert (problem.params["field"], problem.params["length"], problem.params["max"]) == (field, length, limit)
    zh, en = (app.messages.render(problem.code, problem.params, lang) for lang in ("zh", "en"))
    assert f"有 {length} 个字，最多只能 {limit} 个字" in zh
    assert f"{length} characters, at most {limit}" in en
    assert not re.search(r"[\u4e00-\u9fff{}]", en), en


def test_every_field_exactly_at_its_limit_is_kept_whole() -> None:
    data = validate_resident(name="阿" * 20, id_number=GOOD_ID, village_code="V01", group="组" * 20,
                             address="址" * 120, relation="亲" * 10, ethnicity="族" * 10,
                             tags="、".join(f"标签{i:02d}" for i in range(40)), today=TODAY)

    assert (len(data.name), len(data.group), len(data.address), len(data.relation), len(data.ethnicity)) == (
        20, 20, 120, 10, 10)
    assert len("、".join(data.tags)) == 199


def test_a_tag_longer_than_ten_characters_is_refused_naming_the_tag() -> None:
    with pytest.raises(DomainError) as excinfo:
        parse_tags("低保、一二三四五六七八九十十一")

    assert excinfo.value.code == "resident.tag_too_long"
    assert (excinfo.value.params["tag"], excinfo.value.params["length"]) == ("一二三四五六七八九十十一", 12)
    assert "“一二三四五六七八九十十一”太长：有 12 个字，每个标签最多只能 10 个字" in app.messages.render(
        "resident.tag_too_long", excinfo.value.params)


def test_a_300_kb_value_is_refused_and_quoted_back_only_in_part() -> None:
    huge = "王" * 300_000

    with pytest.raises(ValidationFailed) as excinfo:
        validate_resident(name=huge, id_number=huge, village_code="V01", gender=huge, phone=huge, group=huge,
                          address=huge, relation=huge, tags=huge, ethnicity=huge, today=TODAY)

    problems = excinfo.value.problems
    assert set(problems) == {"name", "id_number", "gender", "phone", "group", "address", "relation", "tags",
                             "ethnicity"}
    for lang in ("zh", "en"):
        text = app.messages.describe(excinfo.value, lang)
        assert len(text) < 3000, text[:200]
        assert "300000" in text


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\udcff"])
def test_a_field_holding_a_control_character_is_refused_with_its_position(char: str) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        validate_resident(name="张三", id_number=GOOD_ID, village_code="V01", address=f"青溪村{char}3组",
                          today=TODAY)

    problem = excinfo.value.problems["address"]
    assert problem.code == "resident.control_char"
    assert (problem.params["position"], problem.params["char"]) == (4, f"U+{ord(char):04X}")
    assert "住址的第 4 个字是不能保存的控制字符" in app.messages.render(problem.code, problem.params)


def test_line_breaks_and_tabs_in_an_address_are_spaces_not_control_characters() -> None:
    data = validate_resident(name="张三", id_number=GOOD_ID, village_code="V01", address="青溪村3组\r\n8号\t老屋",
                             today=TODAY)

    assert data.address == "青溪村3组 8号 老屋"


def test_the_length_limits_are_no_longer_than_the_columns_that_store_them() -> None:
    from app.persistence.tables import households, residents, villages

    columns = {ResidentField.NAME: residents.c.name, ResidentField.PHONE: residents.c.phone,
               ResidentField.VILLAGE: villages.c.name, ResidentField.GROUP: residents.c.group_name,
               ResidentField.ADDRESS: residents.c.address, ResidentField.RELATION: residents.c.relation,
               ResidentField.TAGS: residents.c.tags, ResidentField.ETHNICITY: residents.c.ethnicity,
               ResidentField.HOUSEHOLD_NO: households.c.household_no, ResidentField.HEAD_NAME: households.c.head_name}

    assert set(columns) == set(MAX_LENGTH)
    for field_, column in columns.items():
        assert MAX_LENGTH[field_] <= column.type.length, field_  # type: ignore[attr-defined]
    assert MAX_LENGTH[ResidentField.ADDRESS] <= households.c.address.type.length  # the household keeps it too


def test_every_field_the_length_and_character_rules_name_reads_in_both_languages() -> None:
    for field_ in ResidentField:
        if field_ not in MAX_LENGTH:
            continue
        for code, params in (("resident.too_long", {"field": field_.value, "length": 99, "max": 9}),
                             ("resident.control_char", {"field": field_.value, "position": 1, "char": "U+0000"})):
            zh, en = (app.messages.render(code, params, lang) for lang in ("zh", "en"))
            assert re.search(r"[\u4e00-\u9fff]", zh) and not re.search(r"[\u4e00-\u9fff{}]", en), (code, field_)
            assert field_.value not in zh, (code, field_)  # spelled as a word, not the key


def test_a_proxy_from_the_household_gets_the_relation_the_register_says_when_one_of_the_two_is_the_head():
    from app.domain.residents import proxy_relation

    assert proxy_relation("户主", "配偶") == "配偶"
    assert proxy_relation("户主", "女") == "子女"
    assert proxy_relation("子", "户主") == "父母"
    assert proxy_relation("母亲", "户主") == "子女"
    assert proxy_relation("户主", "孙子") == "其他亲属"
    assert proxy_relation("子", "女") == ""  # neither is the head: the clerk asks
    assert proxy_relation("户主", "其他") == ""
