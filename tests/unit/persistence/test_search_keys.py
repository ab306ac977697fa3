"""Search keys stored beside each resident: pinyin initials read as surnames, and reversed numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.persistence.search_keys import (
    GIVEN_NAME_INITIALS,
    GIVEN_NAME_READINGS,
    KEY_CHARS,
    KEY_LENGTH,
    SEPARATOR,
    SURNAME_ALTERNATIVES,
    SURNAME_INITIALS,
    name_initials,
    name_keys,
    prefix_upper_bound,
    reverse,
    text_initials,
)


@pytest.mark.parametrize(("name", "initials"), [
    ("张三", "zs"),
    ("王秀英", "wxy"),
    ("欧阳修", "oyx"),
    ("欧阳娜娜", "oynn"),
    ("司马光", "smg"),
    ("诸葛亮", "zgl"),
    ("上官婉儿", "sgwe"),
    ("单于丽", "cyl"),
])
def test_compound_surnames_give_one_initial_per_character_read_as_a_surname(name: str, initials: str) -> None:
    assert name_initials(name) == initials


@pytest.mark.parametrize(("name", "initials"), [
    ("单雄信", "sxx"), ("曾国藩", "zgf"), ("解缙", "xj"), ("仇英", "qy"), ("朴正", "pz"), ("查良镛", "zly"),
    ("区国强", "ogq"), ("覃海", "qh"), ("翟光", "zg"),
])
def test_surnames_with_a_special_reading_use_the_surname_reading(name: str, initials: str) -> None:
    assert name_initials(name) == initials


def test_the_special_reading_is_only_for_the_surname_not_the_same_character_in_a_given_name() -> None:
    assert name_keys("王单")[0] == "wd"
    assert name_keys("李曾")[0] == "lc"
    assert name_initials("尉迟恭") == "ycg" and name_initials("王单")[:2] == "wd"


@pytest.mark.parametrize(("name", "initials"), [
    ("李长青", "lcq"), ("王重阳", "wcy"), ("贾平凹", "jpw"), ("李长顺", "lcs"), ("张重山", "zcs"),
])
def test_a_given_name_takes_its_name_reading(name: str, initials: str) -> None:
    assert name_initials(name) == initials
    assert name_keys(name) == (initials,)


@pytest.mark.parametrize(("name", "initials"), [
    ("尉缭", "wl"), ("尉迟恭", "ycg"), ("阚泽", "kz"), ("句芒", "gm"), ("郇建", "hj"), ("祭仲", "zz"),
    ("蕃华", "ph"), ("粘罕", "nh"), ("乜先", "nx"), ("颉利", "xl"), ("佴明", "nm"), ("单雄信", "sxx"),
    ("解缙", "xj"), ("仇英", "qy"), ("区国强", "ogq"), ("查良镛", "zly"), ("朴正", "pz"), ("盖勋", "gx"),
    ("曾国藩", "zgf"), ("缪斌", "mb"), ("种师道", "csd"), ("覃海", "qh"), ("召忽", "sh"), ("繁钦", "pq"),
    ("员半千", "ybq"), ("隗嚣", "wx"), ("秘丽", "bl"), ("长孙无忌", "zswj"), ("万俟卨", "mqx"),
    ("澹台灭明", "ttmm"), ("令狐冲", "lhc"), ("盛宣怀", "sxh"), ("车胤", "cy"),
])
def test_uncommon_surnames_take_their_surname_reading(name: str, initials: str) -> None:
    assert name_keys(name)[0] == initials


@pytest.mark.parametrize(("name", "keys"), [
    ("王乐天", ("wlt", "wyt")), ("刘朝阳", ("lzy", "lcy")), ("张行健", ("zxj", "zhj")),
    ("乐嘉", ("yj", "lj")), ("谌龙", ("cl", "sl")),
])
def test_a_name_read_two_ways_keeps_both_initials_and_stores_them_apart(name: str, keys: tuple[str, str]) -> None:
    assert name_keys(name) == keys
    assert name_initials(name) == keys[0] + SEPARATOR + keys[1]


_GIVEN = st.text(alphabet=st.sampled_from("长重凹乐行朝曾晟茜秀英国强明华建军平丽娟伟芳敏静"), min_size=1, max_size=3)
_SURNAMES = st.sampled_from([*sorted(SURNAME_INITIALS), "王", "李", "张", "刘", "陈", "杨"])


@given(_SURNAMES, _GIVEN)
def test_every_key_has_one_initial_per_character_and_fits_the_column(surname: str, given_name: str) -> None:
    name = surname + given_name
    keys = name_keys(name)
    assert 1 <= len(keys) <= 2
    for key in keys:
        assert len(key) == len(name) and set(key) <= set(KEY_CHARS)
    stored = name_initials(name)
    assert len(stored) <= KEY_LENGTH and stored.split(SEPARATOR) == list(keys)


@given(_SURNAMES, _GIVEN)
def test_the_surname_is_read_by_the_table_and_a_settled_given_name_character_by_its_name_reading(
        surname: str, given_name: str) -> None:
    first = name_keys(surname + given_name)[0]
    if surname in SURNAME_INITIALS:
        assert first[:len(surname)] == SURNAME_INITIALS[surname]
    for i, ch in enumerate(given_name):
        letter = first[len(surname) + i]
        if ch in GIVEN_NAME_INITIALS:
            assert letter == GIVEN_NAME_INITIALS[ch]
        if ch in GIVEN_NAME_READINGS:
            assert letter in GIVEN_NAME_READINGS[ch]


@given(_SURNAMES, _GIVEN)
def test_a_second_key_exists_exactly_when_a_character_is_read_two_ways(surname: str, given_name: str) -> None:
    two_ways = surname in SURNAME_ALTERNATIVES or any(c in GIVEN_NAME_READINGS for c in given_name)
    assert (len(name_keys(surname + given_name)) == 2) == two_ways


@given(st.text(alphabet=st.sampled_from("长乐行朝曾晟茜莘靓参藏解单率"), min_size=18, max_size=18))
def test_a_long_name_read_two_ways_is_cut_to_the_column_keeping_the_first_reading_whole(given_name: str) -> None:
    stored = name_initials("王" + given_name)
    assert len(stored) <= KEY_LENGTH
    assert stored.startswith(name_keys("王" + given_name)[0])


@pytest.mark.parametrize(("name", "initials"), [
    ("买买提·艾力", "mmtal"),
    ("John Smith", "johnsmith"),
    ("", ""),
])
def test_minority_and_latin_names_keep_initials_for_han_characters_and_letters_as_they_are(
        name: str, initials: str) -> None:
    assert name_initials(name) == initials


def test_ordinary_words_are_read_as_words_not_as_a_name() -> None:
    assert text_initials("重度残疾人护理补贴") == "zdcjrhlbt"  # 重度 zhòngdù, not the surname Chóng
    assert text_initials("社会保障卡") == "shbzk"


def test_reversed_numbers_turn_last_digits_into_a_prefix() -> None:
    assert reverse("13812345678")[:4] == "8765"
    assert reverse(reverse("11010519491231002X")) == "11010519491231002X"


def test_the_prefix_upper_bound_is_above_every_string_with_that_prefix_and_below_the_next_one() -> None:
    bound = prefix_upper_bound("8765")
    assert "8765" < "87659999" < bound
    assert bound <= "8766"
