"""The town's trust rules as properties (app.domain.trust, plain Python): whatever a push holds — any fields of any
record changed to any value another record of its kind has, any clock reading, its station code left out or
claimed — a station never gets a change applied to a record that is not its own, beyond the fields any station
may correct on the town's shared records; its own records it may change as their rules allow."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from app.domain import trust
from app.domain.merge import FIELD_MERGED, SYNC_COLUMNS, merge_fields
from app.domain.trust import RULES, OwnedBy, Sender
from app.persistence.trust_repo import column_shapes
from app.services.context import open_context
from app.services.demo import build_demo

Snapshot = dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Snapshot, dict[tuple[str, str], str | None]]]:
    """The demo station's records as the town would hold them (plain values), with every record's owner."""
    ctx = open_context(Path(tmp_path_factory.mktemp("trust")) / "qx01")
    try:
        build_demo(ctx, residents=300)
        rows: Snapshot = {}
        with ctx.db.engine.connect() as conn:
            for name in RULES:
                flags = {c for c, shape in column_shapes()[name].items() if shape.kind == "bool"}
                rows[name] = [{k: bool(v) if k in flags and v is not None else
                               v.isoformat() if isinstance(v, date) else v for k, v in r._mapping.items()}
                              for r in conn.execute(text(f"SELECT * FROM {name}"))]
    finally:
        ctx.db.dispose()
    owners: dict[tuple[str, str], str | None] = {}
    for name in sorted(RULES, key=lambda n: RULES[n].owned_by is OwnedBy.PARENT):
        for r in rows[name]:
            owners[(name, str(r["id"]))] = trust.owner_of(name, r, owners)
    for v in rows["villages"]:
        owners[("villages", str(v["code"]))] = trust.TOWN_OWNER
    yield rows, owners


SEEN: set[tuple[str, str]] = set()  # the verdicts the properties met (a run that meets only one proves little)
ATTACKER = Sender(station="QX02", village="V02", town="330127101")
OWNER = Sender(station="QX01", village="V01", town="330127101")
CLOCKS = st.sampled_from(["0000000000001.00000.attacker0001", "1796600000000.00001.attacker0001",
                          "9999999999999.99999.attacker0001"])


def _tables(rows: Snapshot) -> list[str]:
    return sorted(name for name, found in rows.items() if found)


def _anyone_may(table: str) -> frozenset[str]:
    """Fields any station may change on a record that is not its own: the shared records' ordinary fields."""
    rule = RULES[table]
    if rule.owned_by is not OwnedBy.VILLAGE or table == "points_rules_files":
        return frozenset()
    return frozenset(column_shapes()[table]) - rule.home_only - SYNC_COLUMNS


@st.composite
def attempts(draw: st.DrawFn, rows: Snapshot) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A record the town holds, and a push that changes some of its fields to values other records of its kind
    hold (so a value is one a station could write), with a clock reading, and its station code as it is, left
    out or claimed."""
    table = draw(st.sampled_from(_tables(rows)))
    town = draw(st.sampled_from(rows[table]))
    fields = [c for c in column_shapes()[table] if c not in SYNC_COLUMNS]
    chosen = draw(st.lists(st.sampled_from(fields), min_size=1, max_size=4, unique=True))
    pushed = dict(town)
    for f in chosen:
        other = draw(st.sampled_from(rows[table]))
        pushed[f] = other[f]
    stamp = draw(CLOCKS)
    pushed["updated_hlc"] = stamp
    if table in FIELD_MERGED:
        marks = json.loads(town.get("field_hlc") or "{}")
        marks.update({f: stamp for f in chosen})
        pushed["field_hlc"] = json.dumps(marks, sort_keys=True)
    claim = draw(st.sampled_from(["as_is", "left_out", "claimed"]))
    if "station_code" in pushed and claim == "left_out":
        pushed.pop("station_code")
    elif "station_code" in pushed and claim == "claimed":
        pushed["station_code"] = ATTACKER.station
    return table, town, pushed


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_record_of_another_owner_is_ever_changed_whatever_the_push_holds(
        snapshot: tuple[Snapshot, dict[tuple[str, str], str | None]], data: st.DataObject) -> None:
    rows, owners = snapshot
    table, town, pushed = data.draw(attempts(rows))
    verdict = trust.judge(table, pushed, town, sender=ATTACKER, owners=owners, columns=column_shapes()[table])
    SEEN.add((verdict.action, verdict.code))
    if verdict.action != "apply":
        assert verdict.action in ("refuse", "keep", "wait")
        return
    owner = trust.owner_of(table, town, owners)
    if ATTACKER.is_home(owner):
        return  # a resident or household of the attacker's own village: its to correct
    changed = trust.changed_fields(table, town, pushed)
    assert set(changed) <= _anyone_may(table), (table, changed)
    result = trust.result_of(table, town, pushed)
    for f in RULES[table].home_only:
        assert result.get(f) == town.get(f) or (f == "deleted" and bool(result.get(f)) == bool(town.get(f)))


def test_the_properties_met_refusals_for_ownership_and_changes_anyone_may_make() -> None:
    """Run after the first property: it must have met both kinds of answer, not only bad values."""
    codes = {code for _, code in SEEN}
    assert {"trust.not_yours", "trust.town_record", "trust.home_only"} <= codes, SEEN
    assert ("apply", "") in SEEN, SEEN


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_new_record_claiming_another_owner_is_never_taken(
        snapshot: tuple[Snapshot, dict[tuple[str, str], str | None]], data: st.DataObject) -> None:
    rows, owners = snapshot
    table, _town, pushed = data.draw(attempts(rows))
    new = {**pushed, "id": "01a24e4b-0000-7000-8000-000000000001", "origin": ATTACKER.station,
           "created_hlc": pushed["updated_hlc"]}
    verdict = trust.judge(table, new, None, sender=ATTACKER, owners=owners, columns=column_shapes()[table])
    if verdict.action == "apply":
        kind = trust.owned_by(table, new)
        claimed = trust.owner_of(table, new, owners)
        assert kind in (OwnedBy.VILLAGE, OwnedBy.SHARED) or claimed == ATTACKER.me, (table, claimed)


def test_the_owner_may_change_what_its_records_allow_and_nothing_written_once(
        snapshot: tuple[Snapshot, dict[tuple[str, str], str | None]]) -> None:
    rows, owners = snapshot
    stamp = "9999999999999.00000.station0001"
    assert rows["cases"], "the demo station made no case"
    case = next((r for r in rows["cases"] if r["state"] not in ("completed", "withdrawn", "not_accepted")),
                rows["cases"][0])
    assert trust.judge("cases", {**case, "handler_id": case["handler_id"], "proxy_phone": "13800000000",
                                 "updated_hlc": stamp}, case, sender=OWNER, owners=owners,
                       columns=column_shapes()["cases"]).action == "apply"
    for table in ("case_events", "points_entries", "points_stock_moves"):
        row = rows[table][0]
        field = next(c for c in ("note", "points", "quantity") if c in row)
        changed = {**row, field: (row[field] + 1) if isinstance(row[field], int) else row[field] + "x",
                   "updated_hlc": stamp}
        verdict = trust.judge(table, changed, row, sender=OWNER, owners=owners, columns=column_shapes()[table])
        assert (verdict.action, verdict.code) == ("refuse", "trust.written_once"), table
    staff = next(r for r in rows["staff"] if r["username"] == "xiaoli")
    marks = json.dumps({"password_hash": stamp, "role": stamp})
    promoted = {**staff, "role": "head", "field_hlc": marks, "updated_hlc": stamp}
    assert trust.judge("staff", promoted, staff, sender=OWNER, owners=owners,
                       columns=column_shapes()["staff"]).action == "apply"
    renamed = {**staff, "username": "boss", "field_hlc": json.dumps({"username": stamp}), "updated_hlc": stamp}
    assert trust.judge("staff", renamed, staff, sender=OWNER, owners=owners,
                       columns=column_shapes()["staff"]).code == "trust.fixed_field"
    admin = {**staff, "role": "town_admin", "field_hlc": json.dumps({"role": stamp}), "updated_hlc": stamp}
    assert trust.judge("staff", admin, staff, sender=OWNER, owners=owners,
                       columns=column_shapes()["staff"]).action == "refuse"


@settings(max_examples=200, deadline=None)
@given(a=st.dictionaries(st.sampled_from(["name", "phone", "address"]), st.text(max_size=3), min_size=3),
       b=st.dictionaries(st.sampled_from(["name", "phone", "address"]), st.text(max_size=3), min_size=3),
       sa=st.integers(1, 9), sb=st.integers(1, 9))
def test_merging_two_versions_field_by_field_gives_the_same_record_whichever_side_merges(
        a: dict[str, str], b: dict[str, str], sa: int, sb: int) -> None:
    def version(values: dict[str, str], stamp: int, node: str) -> dict[str, Any]:
        s = f"179660000000{stamp}.00000.{node}"
        return {**values, "id": "x", "created_hlc": "1796600000000.00000.a", "updated_hlc": s, "deleted": False,
                "name_initials": values["name"], "phone_rev": values["phone"][::-1],
                "field_hlc": json.dumps(dict.fromkeys(values, s))}
    one, two = version(a, sa, "a"), version(b, sb, "b")
    left, _ = merge_fields("residents", one, two)
    right, _ = merge_fields("residents", two, one)
    assert {k: left[k] for k in a} == {k: right[k] for k in a}
    again, _ = merge_fields("residents", left, two)
    assert {k: again[k] for k in a} == {k: left[k] for k in a}
