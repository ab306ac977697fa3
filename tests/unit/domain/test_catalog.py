"""Tests for the 47+N catalogue: entities, the JSON file format, merging, and the shipped files."""

from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

import app.domain.catalog as catalog_module
import app.domain.forms as forms_module
from app.domain.catalog import (
    Catalog,
    CatalogFile,
    CatalogScope,
    HandlingMode,
    Material,
    MaterialForm,
    PaymentKind,
    build_catalog,
    parse_catalog,
)
from app.domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from app.domain.forms import FieldKind
from app.messages import MESSAGES, describe
from app.paths import resource


def _item(code: str, **over: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "code": code, "name": f"事项{code}", "short_name": code, "department": "人社", "category": "社保",
        "mode": "proxy", "time_limit_days": 30,
        "materials": [{"code": "M01", "name": "居民身份证", "required": True, "copies": 1,
                       "form": "original_checked", "source": "申请人自备", "check": "核对人证一致"}],
    }
    item.update(over)
    return item


def _file(scope: str, codes: list[str], catalog_id: str | None = None, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "stationdesk.catalog/1", "catalog_id": catalog_id or f"{scope}-test", "scope": scope,
        "version": "2026.1", "title": "测试目录", "items": [_item(c) for c in codes],
    }
    data.update(over)
    return data


def _standard() -> CatalogFile:
    return parse_catalog(_file("standard", [f"S{n:02d}" for n in range(1, 48)], "standard-47"), source="s.json")


def _problems(data: dict[str, Any]) -> dict[str, DomainError]:
    with pytest.raises(ValidationFailed) as e:
        parse_catalog(data, source="test.json")
    assert e.value.code == "catalog.invalid"
    assert e.value.params["source"] == "test.json"
    assert e.value.params["count"] == len(e.value.problems)
    for path, problem in e.value.problems.items():
        assert problem.params["label"] == path
    return e.value.problems


# ---------------------------------------------------------------- entities


def test_handling_modes_and_material_forms_have_chinese_labels() -> None:
    assert [m.label_zh for m in HandlingMode] == ["即办", "承诺件", "受理转报", "代办"]
    assert all(m.label_en for m in HandlingMode)
    assert MaterialForm.ORIGINAL_CHECKED.label_zh == "原件核验后退还"
    assert [f.label_zh for f in MaterialForm] == ["原件", "复印件", "原件及复印件", "原件核验后退还"]


def test_an_item_lists_the_required_materials_not_yet_received() -> None:
    data = _item("S07", materials=[
        {"code": "M01", "name": "身份证", "required": True, "copies": 1, "form": "original_checked"},
        {"code": "M02", "name": "照片", "required": True, "copies": 2, "form": "original"},
        {"code": "M03", "name": "户口簿", "required": False, "copies": 1, "form": "copy"},
    ])
    item = parse_catalog(_file("standard", [], items=[data]), source="t").items[0]
    assert [m.code for m in item.required_materials] == ["M01", "M02"]
    assert [m.code for m in item.missing_required({"M01"})] == ["M02"]
    assert item.missing_required({"M01", "M02"}) == ()
    assert item.materials[1] == Material("M02", "照片", True, 2, MaterialForm.ORIGINAL, "", "")
    assert not item.on_the_spot


# ---------------------------------------------------------------- parsing


def test_parse_catalog_reads_the_documented_example() -> None:
    data = _file("standard", [], items=[{
        "code": "S07", "name": "社会保障卡申领/补换", "short_name": "社保卡申领补换", "department": "人社",
        "category": "社会保障卡", "mode": "proxy", "time_limit_days": 30, "time_limit_note": "",
        "fee_fen": 2000, "fee_note": "补换卡工本费20元，首次申领免费", "legal_basis": "《社会保障卡管理办法》",
        "conditions": "本人", "procedure": "受理—转报—领卡", "phone": "12333", "keywords": ["社保卡", "补卡"],
        "application_form": True, "payment": {"kind": "fee", "payee": "人社局", "amount_field": ""},
        "materials": [{"code": "M01", "name": "居民身份证", "required": True, "copies": 1,
                       "form": "original_checked", "source": "申请人自备", "check": "核对人证一致、在有效期内"}],
        "fields": [{"key": "bank_account", "label": "银行卡号", "kind": "bank_account", "required": True,
                    "help": ""}],
    }])
    parsed = parse_catalog(data, source="t")
    item = parsed.items[0]
    assert (parsed.catalog_id, parsed.scope, parsed.version) == ("standard-test", CatalogScope.STANDARD, "2026.1")
    assert item.mode is HandlingMode.PROXY
    assert item.fee_fen == 2000
    assert item.keywords == ("社保卡", "补卡")
    assert item.payment is not None and item.payment.kind is PaymentKind.FEE
    assert item.fields[0].kind is FieldKind.BANK_ACCOUNT
    assert (item.scope, item.catalog_id, item.application_form) == (CatalogScope.STANDARD, "standard-test", True)


def test_parse_catalog_fills_defaults_for_optional_keys() -> None:
    data = _file("town", [], items=[{"code": "N01", "name": "政策咨询", "short_name": "咨询", "department": "综合",
                                     "category": "咨询", "mode": "immediate", "time_limit_days": 0}])
    item = parse_catalog(data, source="t").items[0]
    assert (item.fee_fen, item.keywords, item.payment, item.materials, item.fields) == (0, (), None, (), ())
    assert item.on_the_spot and not item.application_form


def test_a_catalogue_with_several_broken_items_reports_every_problem_with_its_path() -> None:
    data = _file("town", ["N01", "N02", "N03", "N04"], version="")
    items = data["items"]
    items[0]["mode"] = "soon"
    items[1]["materials"][0]["copies"] = 0
    items[1]["fields"] = [{"key": "amount", "label": "金额", "kind": "money"},
                          {"key": "amount", "label": "金额2", "kind": "money"}]
    del items[2]["name"]
    items[3]["code"] = "N01"
    items[3]["payment"] = {"kind": "bill", "payee": "水厂", "amount_field": "total"}
    problems = _problems(data)
    assert {path: p.code for path, p in problems.items()} == {
        "version": "catalog.bad_value",
        "items[0].mode": "catalog.bad_mode",
        "items[1].materials[0].copies": "catalog.bad_value",
        "items[1].fields[1].key": "catalog.duplicate_field",
        "items[2].name": "catalog.missing_key",
        "items[3].code": "catalog.duplicate_code",
        "items[3].payment.amount_field": "catalog.bad_payment_field",
    }
    text = describe(ValidationFailed(problems, code="catalog.invalid", source="test.json"))
    assert text.splitlines()[0] == "目录文件 test.json 有 7 处错误，请改正后重新发布："
    assert "  · items[0].mode：办理方式“soon”不对" in text


@pytest.mark.parametrize(("change", "path", "code"), [
    (lambda d: d.update(format="stationdesk.catalog/2"), "format", "catalog.bad_format"),
    (lambda d: d.pop("catalog_id"), "catalog_id", "catalog.missing_key"),
    (lambda d: d.update(scope="county"), "scope", "catalog.bad_option"),
    (lambda d: d.update(extra=1), "extra", "catalog.unknown_key"),
    (lambda d: d["items"][0].update(code="S01"), "items[0].code", "catalog.bad_code"),
    (lambda d: d["items"][0].update(code="N00"), "items[0].code", "catalog.bad_code"),
    (lambda d: d["items"][1].update(code="N01"), "items[1].code", "catalog.duplicate_code"),
    (lambda d: d["items"][0].update(mode="later"), "items[0].mode", "catalog.bad_mode"),
    (lambda d: d["items"][0].update(time_limit_days=-1), "items[0].time_limit_days", "catalog.bad_value"),
    (lambda d: d["items"][0].update(fee_fen=1.5), "items[0].fee_fen", "catalog.bad_value"),
    (lambda d: d["items"][0].update(keywords="水费"), "items[0].keywords", "catalog.bad_value"),
    (lambda d: d["items"][0]["materials"][0].update(form="scan"), "items[0].materials[0].form",
     "catalog.bad_option"),
    (lambda d: d["items"][0]["materials"].append(dict(d["items"][0]["materials"][0])),
     "items[0].materials[1].code", "catalog.duplicate_material"),
    (lambda d: d["items"][0].update(fields=[{"key": "a", "label": "甲", "kind": "text"},
                                            {"key": "a", "label": "乙", "kind": "text"}]),
     "items[0].fields[1].key", "catalog.duplicate_field"),
    (lambda d: d["items"][0].update(fields=[{"key": "a", "label": "甲", "kind": "colour"}]),
     "items[0].fields[0].kind", "catalog.bad_field_kind"),
    (lambda d: d["items"][0].update(payment={"kind": "fine", "payee": "交警", "amount_field": "plate"},
                                    fields=[{"key": "plate", "label": "车牌", "kind": "plate"}]),
     "items[0].payment.amount_field", "catalog.bad_payment_field"),
    (lambda d: d["items"][0].update(payment={"kind": "topup", "payee": "移动", "amount_field": ""}),
     "items[0].payment.amount_field", "catalog.payment_needs_amount"),
    (lambda d: d["items"][0].update(payment={"kind": "cheque", "payee": "移动", "amount_field": ""}),
     "items[0].payment.kind", "catalog.bad_option"),
])
def test_parse_catalog_reports_each_rule_at_its_path(change: Any, path: str, code: str) -> None:
    data = _file("town", ["N01", "N02"])
    change(data)
    problems = _problems(data)
    assert path in problems, problems
    assert problems[path].code == code


def test_codes_must_match_the_scope_of_the_file() -> None:
    assert _problems(_file("local", ["N01"]))["items[0].code"].params["expected"] == "L01–L99"
    assert parse_catalog(_file("local", ["L01"]), source="t").items[0].scope is CatalogScope.LOCAL


def test_a_payment_may_name_a_money_field_of_its_item() -> None:
    data = _file("town", [], items=[_item("N01", payment={"kind": "bill", "payee": "水厂", "amount_field": "amount"},
                                          fields=[{"key": "amount", "label": "金额", "kind": "money",
                                                   "min": "0.01", "max": "5000"}])])
    item = parse_catalog(data, source="t").items[0]
    assert item.payment is not None and item.payment.amount_field == "amount"
    assert (item.fields[0].min_value, item.fields[0].max_value) == (1, 500000)


def test_a_file_that_is_not_an_object_is_reported() -> None:
    with pytest.raises(ValidationFailed) as e:
        parse_catalog([], source="t")  # type: ignore[arg-type]
    assert e.value.problems["$"].code == "catalog.bad_format"


# ---------------------------------------------------------------- merging


def test_build_catalog_puts_standard_items_first_then_town_then_local() -> None:
    town = parse_catalog(_file("town", ["N02", "N01"], "town-n"), source="t")
    local = parse_catalog(_file("local", ["L01"], "local-x"), source="l")
    merged = build_catalog(_standard(), local, town)
    codes = [i.code for i in merged.items]
    assert codes[:2] == ["S01", "S02"]
    assert codes[47:] == ["N01", "N02", "L01"]
    assert len(merged) == 50 and merged.standard_count == 47
    assert merged.version == "standard-47@2026.1+local-x@2026.1+town-n@2026.1"
    assert merged.item("N02").catalog_id == "town-n"
    assert merged.get("N99") is None


def test_asking_for_an_unknown_item_raises_not_found() -> None:
    with pytest.raises(NotFound) as e:
        build_catalog(_standard()).item("N01")
    assert (e.value.code, e.value.params["code"]) == ("catalog.unknown_item", "N01")


def test_build_catalog_needs_exactly_47_standard_items() -> None:
    short = parse_catalog(_file("standard", ["S01", "S02"]), source="s")
    with pytest.raises(DomainError) as e:
        build_catalog(short)
    assert (e.value.code, e.value.params["count"]) == ("catalog.standard_count", 2)


def test_build_catalog_refuses_a_town_file_as_the_standard() -> None:
    with pytest.raises(DomainError) as e:
        build_catalog(parse_catalog(_file("town", ["N01"]), source="t"))
    assert e.value.code == "catalog.not_standard"


def test_build_catalog_refuses_a_second_standard_file() -> None:
    with pytest.raises(DomainError) as e:
        build_catalog(_standard(), _standard())
    assert e.value.code == "catalog.second_standard"


def test_build_catalog_refuses_a_code_another_file_already_uses() -> None:
    first = parse_catalog(_file("town", ["N01"], "town-a"), source="a")
    second = parse_catalog(_file("town", ["N02", "N01"], "town-b"), source="b")
    with pytest.raises(Conflict) as e:
        build_catalog(_standard(), first, second)
    assert e.value.code == "catalog.code_taken"
    assert e.value.params == {"code": "N01", "catalog": "town-b", "owner": "town-a"}


def test_a_catalog_is_immutable() -> None:
    merged = build_catalog(_standard())
    with pytest.raises(AttributeError):
        merged.version = "x"  # type: ignore[misc]
    assert isinstance(merged, Catalog)


# ---------------------------------------------------------------- shipped files


def _load(name: str) -> CatalogFile:
    path = resource("catalog", name)
    return parse_catalog(json.loads(path.read_text(encoding="utf-8")), source=name)


def test_shipped_catalogues_load() -> None:
    standard, town = _load("standard-47.json"), _load("town-n.json")
    merged = build_catalog(standard, town)
    assert merged.standard_count == 47
    assert town.scope is CatalogScope.TOWN

    def paid_by(word: str) -> bool:
        for item in town.items:
            if word in item.name and item.payment is not None and item.payment.amount_field:
                money = {f.key for f in item.fields if f.kind is FieldKind.MONEY}
                if item.payment.amount_field in money:
                    return True
        return False

    for word in ("水费", "电费", "燃气", "罚款", "话费"):
        assert paid_by(word), f"no town item for {word} with a money amount field"
    for item in merged.items:
        # Only consultations and a phone top-up (the number is all it needs) may list no documents.
        needs_nothing = "咨询" in item.name or (item.payment is not None and item.payment.kind.value == "topup")
        assert item.materials or needs_nothing, f"{item.code} {item.name} lists no materials"


# ---------------------------------------------------------------- messages


def _raised_codes(module: Any) -> set[str]:
    """Every string literal in a module shaped like one of our codes (catalog.*, field.*, money.*)."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    shape = re.compile(r"^(catalog|field|money)\.[a-z_]+$")
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and shape.match(node.value)}


def test_every_code_the_catalogue_and_forms_raise_has_a_message() -> None:
    # The file reader's own codes are made from its family ("catalog") and a problem's name.
    reader = {f"catalog.{name}" for name in ("unknown_key", "missing_key", "bad_value", "bad_option")}
    codes = _raised_codes(catalog_module) | _raised_codes(forms_module) | reader
    assert {"catalog.invalid", "catalog.code_taken", "catalog.bad_mode", "field.required", "money.bad"} <= codes
    missing = sorted(c for c in codes if c not in MESSAGES)
    assert missing == []
    for code in codes:
        zh, en = MESSAGES[code]
        assert zh and en


def test_problem_codes_seen_in_parsing_all_have_messages() -> None:
    data = _file("town", ["N01"])
    broken = copy.deepcopy(data)
    broken["items"][0]["fields"] = [{"key": "X", "label": "甲", "kind": "choice", "pattern": "(", "min": 2, "max": 1}]
    for problem in _problems(broken).values():
        assert problem.code in MESSAGES


# ---------------------------------------------------------------- fees that depend on the case

_REASON = {"key": "reason", "label": "办理原因", "kind": "choice", "required": True,
           "choices": ["首次申领", "遗失", "损坏"]}


def _fee_item(**over: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"fee_fen": 2000, "fields": [_REASON], "payment": {"kind": "fee", "payee": "合作银行"},
                            "fee_rule": {"field": "reason", "values": {"首次申领": 0}}}
    return _item("S07", **{**spec, **over})


def test_a_fee_rule_makes_a_first_application_free_and_a_replacement_pay_the_fee() -> None:
    item = parse_catalog(_file("standard", [], items=[_fee_item()]), source="t").items[0]
    assert item.fee_for({"reason": "首次申领"}) == 0
    assert item.fee_for({"reason": "遗失"}) == item.fee_for({"reason": "损坏"}) == 2000
    assert item.fee_for({}) == 2000 and item.may_charge  # not chosen yet: the item's fee
    plain = parse_catalog(_file("standard", ["S01"]), source="t").items[0]
    assert plain.fee_rule is None and plain.fee_for({"reason": "首次申领"}) == 0 and not plain.may_charge


def test_a_fee_rule_may_charge_only_some_values_of_a_free_item() -> None:
    item = parse_catalog(_file("standard", [], items=[_fee_item(fee_fen=0, fee_rule={
        "field": "reason", "values": {"遗失": 2000}})]), source="t").items[0]
    assert (item.fee_for({"reason": "遗失"}), item.fee_for({"reason": "首次申领"})) == (2000, 0)
    assert item.may_charge  # so a payment of kind fee is allowed with fee_fen 0


@pytest.mark.parametrize(("rule", "path", "code"), [
    ({"field": "bank", "values": {"首次申领": 0}}, "items[0].fee_rule.field", "catalog.bad_fee_field"),
    ({"field": "reason", "values": {"首次": 0}}, "items[0].fee_rule.values.首次", "catalog.bad_fee_value"),
    ({"field": "reason", "values": {"遗失": -1}}, "items[0].fee_rule.values.遗失", "catalog.bad_value"),
    ({"field": "reason", "values": {"遗失": "20元"}}, "items[0].fee_rule.values.遗失", "catalog.bad_value"),
    ({"field": "reason", "values": {}}, "items[0].fee_rule.values", "catalog.bad_value"),
    ({"field": "reason", "values": {"遗失": 0}, "when": "x"}, "items[0].fee_rule.when", "catalog.unknown_key"),
    ("20元", "items[0].fee_rule", "catalog.bad_value"),
])
def test_a_fee_rule_names_a_choice_field_of_the_item_and_fees_for_its_choices(rule: Any, path: str,
                                                                             code: str) -> None:
    fields = [_REASON, {"key": "bank", "label": "合作银行", "kind": "text"}]
    problems = _problems(_file("standard", [], items=[_fee_item(fields=fields, fee_rule=rule)]))
    assert problems[path].code == code, problems
    assert "{" + "value" not in describe(problems[path]) and "{" + "key" not in describe(problems[path])


def test_a_bill_whose_amount_is_a_form_value_cannot_have_a_fee_rule() -> None:
    money = {"key": "amount", "label": "金额", "kind": "money", "required": True}
    problems = _problems(_file("town", [], items=[_item(
        "N01", fields=[_REASON, money], fee_rule={"field": "reason", "values": {"遗失": 100}},
        payment={"kind": "bill", "payee": "水厂", "amount_field": "amount"})]))
    assert problems["items[0].fee_rule"].code == "catalog.fee_rule_with_amount"


def test_the_shipped_s07_charges_a_replacement_and_not_a_first_card() -> None:
    s07 = build_catalog(_load("standard-47.json"), _load("town-n.json")).item("S07")
    assert s07.fee_rule is not None and s07.fee_rule.field == "reason"
    assert s07.fee_for({"reason": "首次申领"}) == 0
    assert {s07.fee_for({"reason": r}) for r in ("遗失", "损坏", "信息变更")} == {2000}


def test_a_standard_list_of_46_or_48_items_is_refused() -> None:
    data = json.loads(resource("catalog", "standard-47.json").read_text(encoding="utf-8"))
    short = copy.deepcopy(data)
    short["items"].pop()
    extra = copy.deepcopy(data)
    extra["items"].append({**copy.deepcopy(data["items"][0]), "code": "S99"})
    for changed, count in ((short, 46), (extra, 48)):
        with pytest.raises(DomainError) as e:
            build_catalog(parse_catalog(changed, source="standard-47.json"))
        assert (e.value.code, e.value.params["count"]) == ("catalog.standard_count", count)
        assert "47" in describe(e.value)


# ---------------------------------------------------------------- retired items and the 47

def test_a_retired_item_is_not_counted_in_the_47_but_still_found_by_its_code() -> None:
    data = _file("standard", [f"S{n:02d}" for n in range(1, 48)], "standard-47")
    data["items"].append(_item("S48", retired=True, note="停办：证明已取消（依据……）"))
    merged = build_catalog(parse_catalog(data, source="s"))
    assert merged.standard_count == 47 and "S48" not in {i.code for i in merged.items}
    assert merged.item("S48").retired and [i.code for i in merged.retired] == ["S48"]
    with pytest.raises(DomainError) as e:
        merged.offered("S48")
    assert e.value.code == "catalog.item_retired" and "停办" in describe(e.value)
    assert merged.offered("S01").code == "S01"
    data["items"][0]["retired"] = True  # 46 offered
    data["items"][0]["note"] = "停办"
    with pytest.raises(DomainError) as e:
        build_catalog(parse_catalog(data, source="s"))
    assert (e.value.code, e.value.params["count"]) == ("catalog.standard_count", 46)


def test_a_retired_item_must_say_why_in_its_note() -> None:
    problems = _problems(_file("standard", [], items=[_item("S01", retired=True)]))
    assert problems["items[0].note"].code == "catalog.retired_needs_note"


def test_the_shipped_47_cover_low_income_medical_assistance_and_manual_claims_and_say_what_changed() -> None:
    standard = _load("standard-47.json")
    merged = build_catalog(standard, _load("town-n.json"))
    names = {i.code: i.name for i in merged.items if i.scope is CatalogScope.STANDARD}
    assert len(names) == 47
    for word in ("低收入人口", "医疗救助", "零星"):
        assert any(word in n for n in names.values()), word
    retired = {i.code: i for i in merged.retired}
    assert set(retired) == {"S10", "S44", "S45"}
    assert all("2026.2" in i.note and "不再使用" in i.note for i in retired.values())
    assert "教财〔2018〕16号" in retired["S45"].note
    for code in ("S48", "S49", "S50"):
        assert "2026.2 新增" in merged.item(code).note and merged.item(code).legal_basis
    s46 = merged.item("S46")
    assert "亲属关系证明" not in s46.fields[0].choices and "2026.2" in s46.note
    # A code, once published, stays with its item: the kept entries are the codes of 2026.1 but the retired ones.
    assert set(names) == {f"S{n:02d}" for n in range(1, 51)} - set(retired)


def test_an_items_usual_ages_come_from_the_catalogue_and_only_warn() -> None:
    data = _file("standard", [f"S{n:02d}" for n in range(1, 48)], "standard-47")
    data["items"][21]["min_age"] = 80  # S22 高龄津贴
    data["items"][29]["max_age"] = 17
    items = {i.code: i for i in parse_catalog(data, source="s.json").items}
    assert items["S22"].age_outside(79) == ("under", 80)
    assert items["S22"].age_outside(80) is None and items["S22"].age_outside(None) is None
    assert items["S30"].age_outside(18) == ("over", 17) and items["S30"].age_outside(17) is None
    assert items["S01"].age_outside(3) is None  # no ages: never a warning
    shipped = {i.code: i for i in parse_catalog(json.loads(resource("catalog", "standard-47.json").read_text(
        encoding="utf-8")), source="standard-47.json").items}
    assert shipped["S22"].min_age == 80 and "80周岁" in shipped["S22"].conditions


def test_usual_ages_that_cannot_both_hold_are_refused() -> None:
    data = _file("standard", [f"S{n:02d}" for n in range(1, 48)], "standard-47")
    data["items"][0].update(min_age=60, max_age=18)
    assert "items[0].max_age" in _problems(data)
