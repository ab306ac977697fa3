"""Tests for the form schema, money handling and form validation."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import DomainError, ValidationFailed
from app.domain.forms import (
    FieldKind,
    FieldSpec,
    amount_in_words,
    format_money,
    money_in_words,
    parse_field_spec,
    parse_money,
    validate_form,
)

# ---------------------------------------------------------------- money


@pytest.mark.parametrize(("text", "fen"), [
    ("12", 1200), ("12.5", 1250), ("12.50", 1250), ("¥1,234.56", 123456), ("１２.５０", 1250),
    ("￥１，２３４.５６", 123456), (" 0.01 ", 1), ("0", 0), (".5", 50), ("12元", 1200), ("1 000", 100000),
])
def test_parse_money_reads_yuan_text_as_fen(text: str, fen: int) -> None:
    assert parse_money(text) == fen


@pytest.mark.parametrize("text", ["-1", "12.345", "1.001", "", "abc", "1,23", "1.2.3", "¥", "1e3", "NaN"])
def test_parse_money_rejects_negative_overprecise_and_garbled_text(text: str) -> None:
    with pytest.raises(DomainError) as e:
        parse_money(text)
    assert e.value.code == "money.bad"
    assert e.value.params["text"] == text


def test_format_money_groups_thousands_and_shows_two_decimals() -> None:
    assert format_money(123456) == "¥1,234.56"
    assert format_money(5) == "¥0.05"
    assert format_money(0) == "¥0.00"
    assert format_money(-100) == "-¥1.00"


@given(st.integers(min_value=0, max_value=10**15))
def test_format_money_then_parse_money_gives_back_the_same_fen(fen: int) -> None:
    assert parse_money(format_money(fen)) == fen


@pytest.mark.parametrize(("yuan", "words"), [
    ("0.01", "壹分"),
    ("10.00", "壹拾元整"),
    ("100010.50", "壹拾万零壹拾元伍角"),
    ("1000000.00", "壹佰万元整"),
    ("0", "零元整"),
    ("1.05", "壹元零伍分"),
    # The examples in the 财政部 rules (where they allow two forms, the one we chose).
    ("1409.50", "壹仟肆佰零玖元伍角"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("107000.53", "壹拾万零柒仟元伍角叁分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("0.50", "伍角"),
    ("100000001", "壹亿零壹元整"),
    ("110000000", "壹亿壹仟万元整"),
    ("1000005000", "壹拾亿零伍仟元整"),
])
def test_money_in_words_writes_receipt_capitals(yuan: str, words: str) -> None:
    assert money_in_words(parse_money(yuan)) == words


@pytest.mark.parametrize(("fen", "words"), [
    (0, "人民币零元整"), (100550, "人民币壹仟零伍元伍角"), (5, "人民币伍分"), (100, "人民币壹元整"),
    (-8850, "人民币负捌拾捌元伍角"), (-5, "人民币负伍分"), (-100000000, "人民币负壹佰万元整"),
])
def test_an_amount_on_paper_is_renminbi_then_its_capitals_and_a_negative_one_says_fu(fen: int, words: str) -> None:
    assert amount_in_words(fen) == words


def test_money_in_words_refuses_negative_amounts() -> None:
    with pytest.raises(DomainError) as e:
        money_in_words(-1)
    assert e.value.code == "money.bad"


@given(st.integers(min_value=0, max_value=10**17))
def test_money_in_words_has_no_digits_and_ends_with_zheng_exactly_when_there_are_no_jiao_and_fen(fen: int) -> None:
    # 财政部 rule: 整 follows 元 (no 角 and no 分); never after 分; after 角 it is optional and we omit it.
    words = money_in_words(fen)
    assert not re.search(r"[0-9０-９]", words)
    assert words.endswith("整") == (fen % 100 == 0)
    assert words.endswith("分") == (fen % 10 != 0)
    assert "零零" not in words
    assert not words.startswith("零") or words == "零元整"


# ---------------------------------------------------------------- field specs from JSON


def test_parse_field_spec_reads_money_bounds_in_yuan_as_fen() -> None:
    spec = parse_field_spec({"key": "amount", "label": "缴费金额", "kind": "money", "required": True,
                             "min": "0.01", "max": 5000, "help": "按账单金额"}, path="items[0].fields[0]")
    assert spec == FieldSpec(key="amount", label="缴费金额", kind=FieldKind.MONEY, required=True,
                             min_value=1, max_value=500000, help="按账单金额")


def test_parse_field_spec_reads_every_key() -> None:
    spec = parse_field_spec({"key": "relation", "label": "关系", "kind": "choice", "choices": ["本人", "子女"],
                             "max_length": 4, "pattern": "^.+$", "default": "本人"}, path="f")
    assert spec.kind is FieldKind.CHOICE
    assert spec.choices == ("本人", "子女")
    assert (spec.max_length, spec.pattern, spec.default, spec.required) == (4, "^.+$", "本人", False)


@pytest.mark.parametrize(("data", "code", "where"), [
    ({"label": "户号", "kind": "text"}, "catalog.missing_key", "f.key"),
    ({"key": "Account No", "label": "户号", "kind": "text"}, "catalog.bad_field_key", "f.key"),
    ({"key": "a", "label": "户号", "kind": "colour"}, "catalog.bad_field_kind", "f.kind"),
    ({"key": "a", "label": "户号", "kind": "choice"}, "catalog.no_choices", "f.choices"),
    ({"key": "a", "label": "金额", "kind": "money", "min": "abc"}, "catalog.bad_value", "f.min"),
    ({"key": "a", "label": "数", "kind": "integer", "min": 5, "max": 1}, "catalog.bad_range", "f.max"),
    ({"key": "a", "label": "文", "kind": "text", "pattern": "(["}, "catalog.bad_pattern", "f.pattern"),
    ({"key": "a", "label": "文", "kind": "text", "requried": True}, "catalog.unknown_key", "f.requried"),
    ({"key": "a", "label": "文", "kind": "text", "required": "yes"}, "catalog.bad_value", "f.required"),
])
def test_parse_field_spec_raises_a_coded_problem_with_its_path(data: dict[str, Any], code: str, where: str) -> None:
    with pytest.raises(DomainError) as e:
        parse_field_spec(data, path="f")
    assert e.value.code == code
    assert e.value.params["path"] == where


# ---------------------------------------------------------------- validating a form

TODAY = date(2026, 3, 1)


def _problem(fields: list[FieldSpec], values: dict[str, object]) -> DomainError:
    with pytest.raises(ValidationFailed) as e:
        validate_form(fields, values, today=TODAY)
    assert e.value.code == "form.invalid"
    assert len(e.value.problems) == 1
    (problem,) = e.value.problems.values()
    assert problem.params["label"] == fields[0].label
    return problem


def test_validate_form_cleans_every_kind_to_json_ready_values() -> None:
    fields = [
        FieldSpec("name", "姓名", FieldKind.TEXT, required=True),
        FieldSpec("note", "备注", FieldKind.TEXTAREA),
        FieldSpec("people", "人数", FieldKind.INTEGER),
        FieldSpec("amount", "金额", FieldKind.MONEY),
        FieldSpec("day", "日期", FieldKind.DATE),
        FieldSpec("relation", "关系", FieldKind.CHOICE, choices=("本人", "子女")),
        FieldSpec("id_number", "身份证号", FieldKind.ID_NUMBER),
        FieldSpec("phone", "电话", FieldKind.PHONE),
        FieldSpec("bank", "银行卡号", FieldKind.BANK_ACCOUNT),
        FieldSpec("plate", "车牌号", FieldKind.PLATE),
        FieldSpec("ev_plate", "新能源车牌", FieldKind.PLATE),
        FieldSpec("account", "户号", FieldKind.ACCOUNT_NO),
        FieldSpec("decision", "决定书编号", FieldKind.DECISION_NO),
        FieldSpec("agree", "同意", FieldKind.BOOLEAN),
        FieldSpec("period", "缴费月份", FieldKind.YEAR_MONTH),
    ]
    values: dict[str, object] = {
        "name": "  张三 ", "note": "无", "people": "３", "amount": "¥1,234.50", "day": "2026年2月3日",
        "relation": "子女", "id_number": "11010519491231002x", "phone": "+86 138-0013-8000",
        "bank": "6222 0200 0000 0000 123", "plate": "京a·12345", "ev_plate": "粤BD12345",
        "account": " 0101-2345 ", "decision": "4401 0620 0000 12345", "agree": "是", "period": "2026/2",
        "ignored": "not on the form",
    }
    cleaned = validate_form(fields, values, today=TODAY)
    assert cleaned == {
        "name": "张三", "note": "无", "people": 3, "amount": 123450, "day": "2026-02-03", "relation": "子女",
        "id_number": "11010519491231002X", "phone": "13800138000", "bank": "6222020000000000123",
        "plate": "京A12345", "ev_plate": "粤BD12345", "account": "0101-2345", "decision": "4401062000001234" + "5",
        "agree": True, "period": "2026-02",
    }
    json.dumps(cleaned)
    assert validate_form(fields, cleaned, today=TODAY) == cleaned


def test_validate_form_leaves_out_empty_optional_fields_and_accepts_false() -> None:
    fields = [FieldSpec("note", "备注", FieldKind.TEXT), FieldSpec("agree", "同意", FieldKind.BOOLEAN, required=True)]
    assert validate_form(fields, {"note": "   ", "agree": False}) == {"agree": False}


def test_validate_form_reports_every_problem_at_once_keyed_by_field() -> None:
    fields = [
        FieldSpec("name", "姓名", FieldKind.TEXT, required=True),
        FieldSpec("amount", "金额", FieldKind.MONEY, min_value=1),
        FieldSpec("phone", "电话", FieldKind.PHONE),
    ]
    with pytest.raises(ValidationFailed) as e:
        validate_form(fields, {"name": "", "amount": "0", "phone": "12"})
    assert set(e.value.problems) == {"name", "amount", "phone"}
    assert e.value.params["count"] == 3
    assert [p.params["label"] for p in e.value.problems.values()] == ["姓名", "金额", "电话"]


@pytest.mark.parametrize(("spec", "value", "code", "params"), [
    (FieldSpec("a", "姓名", FieldKind.TEXT, required=True), "  ", "field.required", {}),
    (FieldSpec("a", "人数", FieldKind.INTEGER), "3.5", "field.bad_integer", {"value": "3.5"}),
    (FieldSpec("a", "人数", FieldKind.INTEGER), True, "field.bad_integer", {}),
    (FieldSpec("a", "人数", FieldKind.INTEGER, min_value=1), "0", "field.too_small", {"min": "1"}),
    (FieldSpec("a", "人数", FieldKind.INTEGER, max_value=9), "10", "field.too_large", {"max": "9"}),
    (FieldSpec("a", "金额", FieldKind.MONEY, min_value=1), "0", "field.too_small", {"min": "¥0.01"}),
    (FieldSpec("a", "金额", FieldKind.MONEY, max_value=500000), "5000.01", "field.too_large", {"max": "¥5,000.00"}),
    (FieldSpec("a", "金额", FieldKind.MONEY), "12.345", "money.bad", {"text": "12.345"}),
    (FieldSpec("a", "备注", FieldKind.TEXT, max_length=3), "四个字呀", "field.too_long", {"max_length": 3}),
    (FieldSpec("a", "关系", FieldKind.CHOICE, choices=("本人", "子女")), "邻居", "field.bad_choice",
     {"choices": "本人、子女"}),
    (FieldSpec("a", "日期", FieldKind.DATE), "2026-02-30", "field.bad_date", {}),
    (FieldSpec("a", "日期", FieldKind.DATE), "下周一", "field.bad_date", {}),
    (FieldSpec("a", "编号", FieldKind.TEXT, pattern=r"\d{4}"), "12a4", "field.bad_pattern", {}),
    (FieldSpec("a", "银行卡号", FieldKind.BANK_ACCOUNT), "6222 12", "field.bad_bank_account", {}),
    (FieldSpec("a", "车牌号", FieldKind.PLATE), "京I12345", "field.bad_plate", {}),
    (FieldSpec("a", "车牌号", FieldKind.PLATE), "A12345", "field.bad_plate", {}),
    (FieldSpec("a", "户号", FieldKind.ACCOUNT_NO), "12_3", "field.bad_account_no", {}),
    (FieldSpec("a", "户号", FieldKind.ACCOUNT_NO), "123", "field.bad_account_no", {}),
    (FieldSpec("a", "决定书编号", FieldKind.DECISION_NO), "12345678901234", "field.bad_decision_no", {}),
    (FieldSpec("a", "同意", FieldKind.BOOLEAN), "maybe", "field.bad_boolean", {}),
    (FieldSpec("a", "缴费月份", FieldKind.YEAR_MONTH), "2026-13", "field.bad_year_month", {}),
])
def test_validate_form_gives_each_broken_field_its_code_and_label(
        spec: FieldSpec, value: object, code: str, params: dict[str, object]) -> None:
    problem = _problem([spec], {"a": value})
    assert problem.code == code
    for key, expected in params.items():
        assert problem.params[key] == expected


def test_validate_form_passes_identity_errors_through_with_the_label() -> None:
    spec = FieldSpec("id", "身份证号", FieldKind.ID_NUMBER)
    problem = _problem([spec], {"id": "110105194912310021"})
    assert problem.code == "id.bad_check_char"
    phone = FieldSpec("tel", "联系电话", FieldKind.PHONE)
    problem = _problem([phone], {"tel": "abc"})
    assert problem.code.startswith("phone.")
    assert problem.params["label"] == "联系电话"


def test_validate_form_takes_an_int_money_value_as_fen() -> None:
    assert validate_form([FieldSpec("a", "金额", FieldKind.MONEY)], {"a": 1250}) == {"a": 1250}


@pytest.mark.parametrize("plate", ["京A12345", "沪AD12345", "粤B12345D", "苏E1234学", "浙AFA1234"])
def test_plates_of_every_common_shape_are_accepted(plate: str) -> None:
    assert validate_form([FieldSpec("p", "车牌号", FieldKind.PLATE)], {"p": plate}) == {"p": plate}


@given(st.integers(min_value=0, max_value=10**12))
def test_a_money_field_accepts_its_own_formatted_amount(fen: int) -> None:
    spec = FieldSpec("a", "金额", FieldKind.MONEY)
    assert validate_form([spec], {"a": format_money(fen)}) == {"a": fen}
