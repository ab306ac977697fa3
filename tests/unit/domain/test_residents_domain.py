"""Validating what a station records about a resident: names, tags and a whole record at once."""

from __future__ import annotations

from datetime import date

import pytest

import app.messages
from app.domain.errors import DomainError, ValidationFailed
from app.domain.identity import Gender, IdType, id_check_char
from app.domain.residents import age_on, normalise_name, parse_gender, parse_tags, validate_resident

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
        "phone": "phone.bad", "relation": "resident.bad_relation",
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
    ("阿" * 21, "resident.bad_name"),
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
    ("一二三四五六七八九十十一", ("一二三四五六七八九十",)),
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
