"""Tests for resident ID numbers, other documents, phone numbers, masking and credit codes."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import app.messages
from app.domain.areas import RESIDENCE_PERMIT_CODES, area_name, is_issuing_code, issuing_codes
from app.domain.errors import DomainError
from app.domain.identity import (
    Gender,
    IdType,
    ParsedId,
    check_uscc,
    cross_check,
    id_check_char,
    is_mobile,
    mask_id,
    mask_name,
    mask_phone,
    normalise_phone,
    parse_id_number,
    validate_document_number,
)

TODAY = date(2026, 6, 1)
COUNTY_CODES = tuple(c for c in issuing_codes() if c not in RESIDENCE_PERMIT_CODES)


def _code(excinfo: pytest.ExceptionInfo[DomainError]) -> str:
    return excinfo.value.code


# --- resident ID numbers -------------------------------------------------------------------------


def test_known_valid_number_parses_with_birth_date_gender_and_province() -> None:
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    assert parsed == ParsedId(
        value="11010519491231002X", birth_date=date(1949, 12, 31), gender=Gender.FEMALE,
        province_code="11", upgraded_from_15=False, area_code="110105", id_type=IdType.RESIDENT_ID,
    )


def test_check_char_follows_gb_11643() -> None:
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("13050319670401001") == "6"


def test_check_char_refuses_anything_but_17_digits() -> None:
    with pytest.raises(ValueError):
        id_check_char("1101051949123100")
    with pytest.raises(ValueError):
        id_check_char("1101051949123100X")


def test_legacy_15_digit_number_is_upgraded_to_18() -> None:
    parsed = parse_id_number("130503670401001", today=TODAY)
    assert parsed.value == "130503196704010016"
    assert parsed.upgraded_from_15 is True
    assert parsed.birth_date == date(1967, 4, 1)
    assert parsed.gender is Gender.MALE


def test_full_width_digits_spaces_and_lower_case_x_are_accepted() -> None:
    assert parse_id_number(" １１０１０５ 1949 1231 002ｘ ", today=TODAY).value == "11010519491231002X"
    assert parse_id_number("11010519491231002x", today=TODAY).value == "11010519491231002X"


def test_odd_17th_digit_means_male_even_means_female() -> None:
    male_body = "11010519491231001"
    assert parse_id_number(male_body + id_check_char(male_body), today=TODAY).gender is Gender.MALE
    female_body = "11010519491231002"
    assert parse_id_number(female_body + id_check_char(female_body), today=TODAY).gender is Gender.FEMALE


@pytest.mark.parametrize("code", ["119999", "123456", "330199", "110000", "330000", "650000"])
def test_an_address_code_no_county_ever_had_is_refused_naming_it(code: str) -> None:
    body = code + "19800101001"
    with pytest.raises(DomainError) as e:
        parse_id_number(body + id_check_char(body), today=TODAY)
    assert _code(e) == "id.bad_area_code"
    assert e.value.params["code"] == code
    zh, en = (app.messages.render("id.bad_area_code", e.value.params, lang) for lang in ("zh", "en"))
    assert f"前 6 位 {code} 不是有效的地区代码" in zh and code in en


@pytest.mark.parametrize(("code", "place"), [
    ("110103", "北京市崇文区"),  # merged into 东城区 in 2010: its people keep their numbers
    ("130503", "河北省邢台市信都区"),  # 桥西区 until 2020, the same code
    ("442000", "广东省中山市"),  # a city with no counties numbers its people itself
    ("460400", "海南省儋州市"),  # new in 2015
    ("110100", "北京市"),  # 市辖区: written on early cards
])
def test_an_address_code_in_use_at_any_time_since_1980_is_accepted(code: str, place: str) -> None:
    body = code + "19800101001"
    parsed = parse_id_number(body + id_check_char(body), today=TODAY)
    assert parsed.area_code == code
    assert parsed.id_type is IdType.RESIDENT_ID
    assert area_name(code) == place


def test_the_legacy_15_digit_number_is_checked_for_its_address_code_too() -> None:
    with pytest.raises(DomainError) as e:
        parse_id_number("123456670401001", today=TODAY)
    assert _code(e) == "id.bad_area_code"


@pytest.mark.parametrize("code", sorted(RESIDENCE_PERMIT_CODES))
def test_a_residence_permit_number_of_hk_macao_or_taiwan_is_taken_as_that_document(code: str) -> None:
    body = code + "19900101001"
    parsed = parse_id_number(body + id_check_char(body), today=TODAY)
    assert parsed.id_type is IdType.HMT_RESIDENCE_PERMIT
    assert parsed.birth_date == date(1990, 1, 1)
    assert IdType.HMT_RESIDENCE_PERMIT.label_zh == "港澳台居民居住证"
    number = body + id_check_char(body)
    assert validate_document_number(IdType.HMT_RESIDENCE_PERMIT, number) == number


def test_a_residence_permit_has_no_15_digit_form() -> None:
    with pytest.raises(DomainError) as e:
        parse_id_number("810000900101001", today=TODAY)
    assert _code(e) == "id.permit_needs_18"


def test_a_resident_id_is_not_a_residence_permit() -> None:
    with pytest.raises(DomainError) as e:
        validate_document_number(IdType.HMT_RESIDENCE_PERMIT, "11010519491231002X")
    assert _code(e) == "doc.bad_format"


@pytest.mark.parametrize("code", ["710000", "710100", "830100", "810101"])
def test_taiwans_region_code_71_and_other_codes_of_hk_macao_taiwan_open_no_id_number(code: str) -> None:
    body = code + "19900101001"
    with pytest.raises(DomainError) as e:
        parse_id_number(body + id_check_char(body), today=TODAY)
    assert _code(e) == ("id.taiwan_code" if code.startswith("71") else "id.bad_area_code")
    zh = app.messages.render(_code(e), e.value.params, "zh")
    assert zh.startswith("身份证号码")


@given(st.from_regex(r"[1-9][0-9]{5}", fullmatch=True))
def test_an_address_code_is_accepted_exactly_when_the_shipped_list_has_it(code: str) -> None:
    body = code + "19800101001"
    number = body + id_check_char(body)
    if code.startswith("71"):
        expected: str | None = "id.taiwan_code"
    elif not is_issuing_code(code):
        expected = "id.bad_province" if code[:2] not in {c[:2] for c in COUNTY_CODES} | {"81", "82", "83"} \
            else "id.bad_area_code"
    else:
        expected = None
    if expected is None:
        assert parse_id_number(number, today=TODAY).area_code == code
    else:
        with pytest.raises(DomainError) as e:
            parse_id_number(number, today=TODAY)
        assert _code(e) == expected


def test_the_area_list_holds_every_province_and_no_province_code_opens_a_number() -> None:
    provinces = {c[:2] for c in COUNTY_CODES}
    assert provinces == {str(n) for n in [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47),
                                          *range(50, 55), *range(61, 66)]}
    assert not any(c.endswith("0000") for c in COUNTY_CODES)
    assert len(COUNTY_CODES) > 6000


@pytest.mark.parametrize("text", ["", "   ", "\u3000"])
def test_empty_id_number_is_rejected(text: str) -> None:
    with pytest.raises(DomainError) as e:
        parse_id_number(text, today=TODAY)
    assert _code(e) == "id.empty"


@pytest.mark.parametrize("text", ["1101051949123100", "1101051949123100211", "12345"])
def test_wrong_length_is_rejected_with_the_length(text: str) -> None:
    with pytest.raises(DomainError) as e:
        parse_id_number(text, today=TODAY)
    assert _code(e) == "id.bad_length"
    assert e.value.params["length"] == len(text)


@pytest.mark.parametrize("text", ["11010519491231002Y", "1101051949X231002X", "11010519491-31002X", "13050367040100X"])
def test_letters_other_than_a_final_x_are_rejected(text: str) -> None:
    with pytest.raises(DomainError) as e:
        parse_id_number(text, today=TODAY)
    assert _code(e) == "id.bad_chars"


@pytest.mark.parametrize(
    "province", ["00", "10", "16", "20", "24", "38", "47", "49", "55", "66", "70", "72", "84", "99"],
)
def test_unknown_province_is_rejected(province: str) -> None:
    body = province + "010519800101001"
    with pytest.raises(DomainError) as e:
        parse_id_number(body + id_check_char(body), today=TODAY)
    assert _code(e) == "id.bad_province"
    assert e.value.params["code"] == province


@pytest.mark.parametrize("birth", ["19810229", "19801301", "19800431", "19800100", "18791231"])
def test_impossible_or_too_early_birth_date_is_rejected(birth: str) -> None:
    body = "110105" + birth + "001"
    with pytest.raises(DomainError) as e:
        parse_id_number(body + id_check_char(body), today=TODAY)
    assert _code(e) == "id.bad_date"


def test_birth_on_1880_01_01_is_accepted() -> None:
    body = "11010518800101001"
    assert parse_id_number(body + id_check_char(body), today=TODAY).birth_date == date(1880, 1, 1)


def test_birth_after_today_is_rejected_and_today_itself_is_accepted() -> None:
    tomorrow = TODAY + timedelta(days=1)
    body = "110105" + tomorrow.strftime("%Y%m%d") + "001"
    with pytest.raises(DomainError) as e:
        parse_id_number(body + id_check_char(body), today=TODAY)
    assert _code(e) == "id.future_date"
    assert e.value.params["date"] == tomorrow.isoformat()
    body = "110105" + TODAY.strftime("%Y%m%d") + "001"
    assert parse_id_number(body + id_check_char(body), today=TODAY).birth_date == TODAY


def test_wrong_check_char_is_rejected_naming_the_expected_one() -> None:
    with pytest.raises(DomainError) as e:
        parse_id_number("110105194912310021", today=TODAY)
    assert _code(e) == "id.bad_check_char"
    assert e.value.params == {"expected": "X", "given": "1"}


def test_cross_check_accepts_matching_or_missing_values() -> None:
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    cross_check(parsed, gender=Gender.FEMALE, birth_date=date(1949, 12, 31))
    cross_check(parsed, gender=None, birth_date=None)


def test_cross_check_rejects_a_contradicting_gender() -> None:
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    with pytest.raises(DomainError) as e:
        cross_check(parsed, gender=Gender.MALE, birth_date=None)
    assert _code(e) == "id.gender_mismatch"
    assert e.value.params["expected"] == "女"


def test_cross_check_rejects_a_contradicting_birth_date() -> None:
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    with pytest.raises(DomainError) as e:
        cross_check(parsed, gender=Gender.FEMALE, birth_date=date(1949, 12, 30))
    assert _code(e) == "id.birth_mismatch"
    assert e.value.params == {"expected": "1949-12-31", "given": "1949-12-30"}


@st.composite
def id_bodies(draw: st.DrawFn) -> str:
    address = draw(st.sampled_from(COUNTY_CODES))
    birth = draw(st.dates(min_value=date(1880, 1, 1), max_value=TODAY))
    sequence = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    return address + birth.strftime("%Y%m%d") + sequence


@given(id_bodies())
def test_any_valid_body_with_its_check_char_parses_and_round_trips(body: str) -> None:
    number = body + id_check_char(body)
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.value == number
    assert parsed.birth_date.strftime("%Y%m%d") == body[6:14]
    assert parsed.province_code == body[:2]
    assert parsed.area_code == body[:6]
    assert (parsed.gender is Gender.MALE) == (int(body[16]) % 2 == 1)
    assert parse_id_number(parsed.value.lower(), today=TODAY) == parsed


@given(id_bodies(), st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=10))
def test_changing_any_single_character_is_always_rejected(body: str, position: int, shift: int) -> None:
    number = body + id_check_char(body)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    old = alphabet.index(number[position])
    new = alphabet[(old + shift) % len(alphabet)]
    if new == number[position]:
        return
    mutated = number[:position] + new + number[position + 1:]
    with pytest.raises(DomainError):
        parse_id_number(mutated, today=TODAY)


@given(id_bodies())
def test_mask_id_never_reveals_the_birth_date_or_sequence(body: str) -> None:
    number = body + id_check_char(body)
    masked = mask_id(number)
    assert len(masked) == 18
    assert masked[:6] == number[:6]
    assert masked[6:14] == "********"
    assert masked[14:] == number[14:]


# --- masking --------------------------------------------------------------------------------------


def test_mask_id_shows_the_first_6_and_last_4_of_an_18_or_15_digit_number_only() -> None:
    assert mask_id("11010519491231002X") == "110105********002X"
    assert mask_id("130503670401001") == "130503*****1001"
    assert mask_id(" 810000199001010012 ") == "810000********0012"


@given(st.from_regex(r"[0-9]{6}[0-9]{6}[0-9]{3}", fullmatch=True))
def test_mask_id_never_reveals_a_legacy_numbers_birth_date(number: str) -> None:
    masked = mask_id(number)
    assert masked == number[:6] + "*****" + number[-4:]
    assert number[6:11] not in masked[6:]


def test_mask_id_of_other_documents_shows_the_end_only() -> None:
    assert mask_id("E12345678") == "*****5678"
    assert mask_id("ABCDE") == "***DE"
    assert mask_id("ABCD") == "****"
    assert mask_id("A") == "*"
    assert mask_id("") == ""


def test_mask_phone_hides_the_middle_of_mobiles_and_landlines() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0571-87654321") == "0571-******21"
    assert mask_phone("010-8765432") == "010-*****32"
    assert mask_phone("") == ""


@pytest.mark.parametrize(("name", "masked"), [
    ("张三", "张*"), ("张小三", "张*三"), ("欧阳小明", "欧**明"), ("李", "李"), ("", ""),
    ("买买提·艾力", "买****力"),
])
def test_mask_name_keeps_only_the_first_and_last_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


# --- other documents -----------------------------------------------------------------------------


@pytest.mark.parametrize(("id_type", "text", "expected"), [
    (IdType.HK_MACAO_PERMIT, "h12345678", "H12345678"),
    (IdType.HK_MACAO_PERMIT, " M1234567890 ", "M1234567890"),
    (IdType.TAIWAN_PERMIT, "12345678", "12345678"),
    (IdType.TAIWAN_PERMIT, "1234567890", "1234567890"),
    (IdType.PASSPORT, "e 1234 5678", "E12345678"),
    (IdType.PASSPORT, "ＥＡ１２３４５６７", "EA1234567"),
    (IdType.FOREIGN_PERMANENT, "usa110079081562", "USA110079081562"),
    (IdType.FOREIGN_PERMANENT, "911840198001010011", "911840198001010011"),
    (IdType.OTHER, "  军官证  第 1234 号 ", "军官证 第 1234 号"),
    (IdType.RESIDENT_ID, "11010519491231002x", "11010519491231002X"),
])
def test_document_numbers_are_normalised(id_type: IdType, text: str, expected: str) -> None:
    assert validate_document_number(id_type, text) == expected


def test_hk_macao_residence_permit_number_is_accepted_when_its_check_char_is_right() -> None:
    body = "81000019900101001"
    assert validate_document_number(IdType.HK_MACAO_PERMIT, body + id_check_char(body)) == body + id_check_char(body)
    wrong = "0" if id_check_char(body) != "0" else "1"
    with pytest.raises(DomainError):
        validate_document_number(IdType.HK_MACAO_PERMIT, body + wrong)


@pytest.mark.parametrize(("id_type", "text"), [
    (IdType.HK_MACAO_PERMIT, "C12345678"),
    (IdType.HK_MACAO_PERMIT, "H123456789"),
    (IdType.TAIWAN_PERMIT, "1234567"),
    (IdType.TAIWAN_PERMIT, "123456789"),
    (IdType.PASSPORT, "E123"),
    (IdType.PASSPORT, "E1234567890123456789"),
    (IdType.PASSPORT, "E1234-5678"),
    (IdType.FOREIGN_PERMANENT, "US1100790815620"),
    (IdType.FOREIGN_PERMANENT, "811840198001010011"),
    (IdType.OTHER, "abc"),
    (IdType.OTHER, "x" * 31),
])
def test_malformed_document_numbers_are_rejected_naming_the_document(id_type: IdType, text: str) -> None:
    with pytest.raises(DomainError) as e:
        validate_document_number(id_type, text)
    assert _code(e) == "doc.bad_format"
    assert e.value.params["type"] == id_type.label_zh


def test_empty_document_number_is_rejected() -> None:
    with pytest.raises(DomainError) as e:
        validate_document_number(IdType.PASSPORT, "  ")
    assert _code(e) == "doc.empty"


def test_every_id_type_and_gender_has_both_labels() -> None:
    for member in [*IdType, *Gender]:
        assert member.label_zh and member.label_en
    assert Gender.MALE.label_zh == "男"
    assert Gender.FEMALE.label_zh == "女"
    assert IdType.RESIDENT_ID.label_zh == "居民身份证"


# --- phone numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("13812345678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("0086-138-1234-5678", "13812345678"),
    ("8613812345678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("0571-87654321", "0571-87654321"),
    ("(0571)87654321", "0571-87654321"),
    ("（0571）8765 4321", "0571-87654321"),
    ("057187654321", "0571-87654321"),
    ("01087654321", "010-87654321"),
    ("021-6543210", "021-6543210"),
    ("+86 10 8765 4321", "010-87654321"),
    ("0086 571 87654321", "0571-87654321"),
])
def test_phone_numbers_are_normalised(text: str, expected: str) -> None:
    assert normalise_phone(text) == expected


@pytest.mark.parametrize("text", [
    "12812345678", "1381234567", "138123456789", "138-1234-567a", "0571-0654321", "0571-876543210",
    "+1 415 555 0100", "00-12345678", "12345",
])
def test_malformed_phone_numbers_are_rejected(text: str) -> None:
    with pytest.raises(DomainError) as e:
        normalise_phone(text)
    assert _code(e) == "phone.bad"
    assert e.value.params["phone"] == text.strip()


@pytest.mark.parametrize("text", ["87654321", "8765-4321", "6543210"])
def test_landline_without_area_code_is_rejected(text: str) -> None:
    with pytest.raises(DomainError) as e:
        normalise_phone(text)
    assert _code(e) == "phone.needs_area_code"


def test_empty_phone_is_rejected() -> None:
    with pytest.raises(DomainError) as e:
        normalise_phone("  ")
    assert _code(e) == "phone.empty"


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@given(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.sampled_from(["", "+86", "+86 ", "0086", "0086-", "86"]),
    st.sampled_from(["", " ", "-"]),
    st.booleans(),
)
def test_any_mobile_with_random_formatting_normalises_to_its_11_digits(
    mobile: str, prefix: str, sep: str, full_width: bool,
) -> None:
    written = prefix + mobile[:3] + sep + mobile[3:7] + sep + mobile[7:]
    if full_width:
        written = written.translate(_FULL_WIDTH)
    result = normalise_phone(written)
    assert result == mobile
    assert is_mobile(result)


def test_is_mobile_only_accepts_normalised_mobiles() -> None:
    assert is_mobile("13812345678")
    assert not is_mobile("138 1234 5678")
    assert not is_mobile("0571-87654321")
    assert not is_mobile("12812345678")


# --- unified social credit code ------------------------------------------------------------------


def test_known_valid_credit_code_is_accepted_and_normalised() -> None:
    assert check_uscc("91350100M000100Y43") == "91350100M000100Y43"
    assert check_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_credit_code_with_wrong_check_char_is_rejected() -> None:
    with pytest.raises(DomainError) as e:
        check_uscc("91350100M000100Y44")
    assert _code(e) == "uscc.bad_check_char"
    assert e.value.params == {"expected": "3", "given": "4"}


@pytest.mark.parametrize("text", ["91350100M000100Y4", "91350100M000100Y433", ""])
def test_credit_code_of_wrong_length_is_rejected(text: str) -> None:
    with pytest.raises(DomainError) as e:
        check_uscc(text)
    assert _code(e) == "uscc.bad_length"


@pytest.mark.parametrize("text", ["91350100M000100I43", "91350100O000100Y43", "9135010-M000100Y43"])
def test_credit_code_with_letters_never_used_is_rejected(text: str) -> None:
    with pytest.raises(DomainError) as e:
        check_uscc(text)
    assert _code(e) == "uscc.bad_chars"


# --- messages ------------------------------------------------------------------------------------

IDENTITY_CODES = [
    "id.empty", "id.bad_length", "id.bad_chars", "id.bad_province", "id.bad_area_code", "id.taiwan_code",
    "id.permit_needs_18", "id.bad_date", "id.future_date",
    "id.bad_check_char", "id.gender_mismatch", "id.birth_mismatch",
    "doc.empty", "doc.bad_format",
    "phone.empty", "phone.bad", "phone.needs_area_code",
    "uscc.bad_length", "uscc.bad_chars", "uscc.bad_check_char",
]


def _raised_params() -> dict[str, dict[str, object]]:
    """The params each code is actually raised with, so templates are checked against real errors."""
    cases = [
        lambda: parse_id_number(""), lambda: parse_id_number("123"), lambda: parse_id_number("A" * 18),
        lambda: parse_id_number("990105194912310021"), lambda: parse_id_number("110105194913310021"),
        lambda: parse_id_number("110105" + "20990101" + "0011", today=TODAY),
        lambda: parse_id_number("110105194912310021"),
        lambda: parse_id_number("123456194912310021"), lambda: parse_id_number("710000194912310021"),
        lambda: parse_id_number("810000491231002"),
        lambda: cross_check(parse_id_number("11010519491231002X"), gender=Gender.MALE, birth_date=None),
        lambda: cross_check(parse_id_number("11010519491231002X"), gender=None, birth_date=date(2000, 1, 1)),
        lambda: validate_document_number(IdType.PASSPORT, ""), lambda: validate_document_number(IdType.PASSPORT, "-"),
        lambda: normalise_phone(""), lambda: normalise_phone("12"), lambda: normalise_phone("87654321"),
        lambda: check_uscc("1"), lambda: check_uscc("I" * 18), lambda: check_uscc("91350100M000100Y44"),
    ]
    found: dict[str, dict[str, object]] = {}
    for case in cases:
        with pytest.raises(DomainError) as e:
            case()
        found[e.value.code] = dict(e.value.params)
    return found


def test_every_identity_error_code_has_a_message_in_both_languages() -> None:
    raised = _raised_params()
    assert sorted(raised) == sorted(IDENTITY_CODES)
    for code, params in raised.items():
        assert code in app.messages.MESSAGES
        for lang in app.messages.LANGS:
            text = app.messages.render(code, params, lang)
            assert not re.search(r"\{\w+\}", text), (code, lang, text)
            assert text != app.messages.render("no.such.code", {}, lang)
        assert re.search(r"[\u4e00-\u9fff]", app.messages.render(code, params, "zh"))
        assert not re.search(r"[\u4e00-\u9fff]", app.messages.render(code, params, "en"))


def test_a_300_kb_phone_cell_is_refused_and_quoted_back_only_in_part() -> None:
    with pytest.raises(DomainError) as e:
        normalise_phone("1" * 300_000 + "号")

    assert e.value.code == "phone.bad"
    assert e.value.params["phone"] == "1" * 30 + "…"
    assert len(app.messages.render("phone.bad", e.value.params, "zh")) < 200
