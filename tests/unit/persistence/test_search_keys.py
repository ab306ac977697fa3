"""Search keys stored beside each resident: pinyin initials read as surnames, and reversed numbers."""

from __future__ import annotations

import pytest

from app.persistence.search_keys import name_initials, prefix_upper_bound, reverse


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
    assert name_initials("王单") == "wd"
    assert name_initials("李曾") == "lc"


@pytest.mark.parametrize(("name", "initials"), [
    ("买买提·艾力", "mmtal"),
    ("John Smith", "johnsmith"),
    ("", ""),
])
def test_minority_and_latin_names_keep_initials_for_han_characters_and_letters_as_they_are(
        name: str, initials: str) -> None:
    assert name_initials(name) == initials


def test_reversed_numbers_turn_last_digits_into_a_prefix() -> None:
    assert reverse("13812345678")[:4] == "8765"
    assert reverse(reverse("11010519491231002X")) == "11010519491231002X"


def test_the_prefix_upper_bound_is_above_every_string_with_that_prefix_and_below_the_next_one() -> None:
    bound = prefix_upper_bound("8765")
    assert "8765" < "87659999" < bound
    assert bound <= "8766"
