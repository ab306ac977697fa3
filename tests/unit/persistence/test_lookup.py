"""The find-as-you-type statements: every one an index range scan in index order, on a migrated database."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

import pytest

from app.persistence.lookup import COLUMNS, SQL, lookup_params
from app.services.residents import register_resident
from app.services.views import resident_summary
from tests.helpers import make_id


@pytest.mark.parametrize("kind", sorted(SQL))
def test_each_lookup_is_an_index_search_without_a_sort(station: Any, kind: str) -> None:
    text = "1" * 18 if kind == "id_exact" else "12"
    conn = sqlite3.connect(station.data_dir / "station.sqlite3")
    try:
        plan = [str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + SQL[kind], lookup_params(kind, text, 30))]
    finally:
        conn.close()
    assert any("USING INDEX" in p for p in plan), plan
    assert not any("TEMP B-TREE" in p or p.startswith("SCAN") for p in plan), plan


def test_a_lookup_row_carries_everything_a_search_result_shows(station: Any) -> None:
    number = make_id(date(1980, 3, 4), male=False, seq=7)
    register_resident(station.ctx, actor=station.clerk, name="曾小芳", id_number=number, village="青溪村",
                      phone="13900001111")

    rows = station.ctx.db.resident_lookup.find([("initials", "zxf"), ("phone_suffix", "1111")], 30)

    assert len(rows) == 1 and set(rows[0]) == set(COLUMNS)
    assert rows[0]["birth_date"] == date(1980, 3, 4)
    summary = resident_summary(rows[0], station.ctx.village_names(), date(2026, 11, 23))
    assert (summary.name, summary.age, summary.village_name, summary.phone_masked) == \
        ("曾小芳", 46, "青溪村", "139****1111")
