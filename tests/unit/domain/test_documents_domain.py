"""Document kinds, papers and numbers; free text cleaned of ID and mobile numbers; 大写 read back to its value."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.documents import (
    DocumentKind,
    Paper,
    check_paper,
    format_document_no,
    parse_document_no,
    parse_kind,
    scrub_numbers,
)
from app.domain.errors import DomainError
from app.domain.forms import amount_in_words, money_in_words
from tests.helpers import make_id, make_legacy_id


def test_a_document_number_names_station_kind_year_and_a_six_digit_count() -> None:
    number = format_document_no("QX01", DocumentKind.PAYMENT, 2026, 17)
    assert number == "QX01-SK2026-000017"
    assert parse_document_no(number) == ("QX01", DocumentKind.PAYMENT, 2026, 17)
    with pytest.raises(DomainError):
        parse_document_no("QX01-20261123-0001")  # a case number is not a document number


def test_kinds_are_found_by_name_prefix_or_chinese_title_and_papers_are_checked() -> None:
    assert parse_kind("Receipt") is parse_kind("SL") is parse_kind("受理回执") is DocumentKind.RECEIPT
    assert check_paper(DocumentKind.NOTICE, None) is Paper.A4
    assert check_paper(DocumentKind.RECEIPT, "58MM") is Paper.THERMAL_58
    with pytest.raises(DomainError):
        check_paper(DocumentKind.LEDGER, "80mm")
    with pytest.raises(DomainError):
        parse_kind("invoice")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)), st.booleans(),
       st.integers(0, 499), st.text(max_size=10), st.text(max_size=10))
def test_a_full_id_number_in_free_text_never_survives(birth: date, male: bool, seq: int, before: str,
                                                       after: str) -> None:
    number = make_id(birth, male, seq=seq)
    cleaned = scrub_numbers(f"{before} {number} {after}")
    assert number not in cleaned
    assert number[:6] + "********" + number[-4:] in cleaned


def test_legacy_ids_and_mobiles_are_masked_but_other_numbers_stay() -> None:
    legacy = make_legacy_id(date(1958, 9, 30), male=False, seq=12)
    text = scrub_numbers(f"老证{legacy}，电话 138-1234-5678 或 +86 13912345678，户号 12345678，金额 200")
    assert legacy not in text and "13812345678" not in text.replace("-", "") and "13912345678" not in text
    assert legacy[:6] + "*****" + legacy[-4:] in text
    assert "138****5678" in text and "139****5678" in text and "12345678" in text and "200" in text


_DIGIT = dict(zip("零壹贰叁肆伍陆柒捌玖", range(10), strict=True))
_UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def _read_words(words: str) -> int:
    """The value of a 大写 amount below 1 亿 yuan, read as a cashier reads it, in fen (零 is skipped)."""
    body = words.removesuffix("整")
    yuan_part, _, cents = body.partition("元") if "元" in body else ("", "", body)
    total = section = small = 0
    for ch in yuan_part:
        if ch in _DIGIT:
            small = _DIGIT[ch]
        elif ch in _UNIT:
            section += small * _UNIT[ch]
            small = 0
        elif ch == "万":  # amounts below 1 亿 yuan: one 万 at most
            total = (section + small) * 10_000
            section = small = 0
    yuan = total + section + small
    fen = 0
    if "角" in cents:
        fen += _DIGIT[cents[cents.index("角") - 1]] * 10
    if "分" in cents:
        fen += _DIGIT[cents[cents.index("分") - 1]]
    return yuan * 100 + fen


@given(st.integers(min_value=0, max_value=9_999_999_999))
def test_capital_numerals_read_back_to_the_same_amount(fen: int) -> None:
    assert _read_words(money_in_words(fen)) == fen


@given(st.integers(min_value=-9_999_999_999, max_value=9_999_999_999))
def test_an_amount_on_paper_reads_back_with_its_sign_after_renminbi(fen: int) -> None:
    words = amount_in_words(fen)
    assert words.startswith("人民币")
    body = words.removeprefix("人民币")
    assert body.startswith("负") == (fen < 0)
    assert _read_words(body.removeprefix("负")) * (-1 if fen < 0 else 1) == fen
