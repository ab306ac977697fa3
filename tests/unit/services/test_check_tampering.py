"""What `check` catches, tried as someone with the station's database file would (issue 18): on a real SQLite
file, a day of money, receipts and points is tampered with behind the services' back — a record edited,
deleted or slipped in, the chain cut short at its end or removed whole with its start, a voided receipt made
valid again, records sealed again with the published algorithm, the audit log's newest entries deleted, the
points ledger edited — and the check fails on each, naming what it found."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from app.domain.audit import canonical
from app.domain.money import digest
from app.services import cash, checking, closing
from app.services import points as pts
from app.services.cases import accept_case
from app.services.documents import issue_document, void_document
from app.services.integrity import CHAINED
from app.services.payments import record_payment
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id


def _sql(station: StationFixture, statement: str, **params: Any) -> None:
    """A change behind the services' back, as someone with the file could make it (foreign keys not enforced:
    they would switch them off)."""
    raw = sqlite3.connect(station.ctx.db.sqlite_path())
    try:
        raw.execute("PRAGMA foreign_keys = OFF")
        with raw:
            raw.execute(statement, params)  # sqlite3 takes :name parameters as they are
    finally:
        raw.close()


def _one(station: StationFixture, statement: str, **params: Any) -> dict[str, Any]:
    with station.ctx.db.engine.connect() as conn:
        return dict(conn.execute(text(statement), params).mappings().first() or {})


def _codes(station: StationFixture, anchors: list[checking.Anchor] | None = None) -> list[str]:
    return [f.code for f in checking.check(station.ctx, actor=station.head, anchors=anchors or []).findings]


@pytest.fixture
def day(station: StationFixture) -> dict[str, str]:
    """A day at the counter: a bill paid in cash with its receipt, a second receipt voided, points credited and
    redeemed, the drawer closed and the day closed (which keeps an anchor apart from the database)."""
    ctx, clerk, head = station.ctx, station.clerk, station.head
    person = register_resident(ctx, actor=head, name="张三", id_number=make_id(date(1980, 5, 6), True),
                               village="V01", household_no="V01-0001", relation="户主").id
    item = ctx.catalog.item("N01")
    cash.open_drawer(ctx, actor=clerk, float_fen=10000)
    bills = [accept_case(ctx, actor=clerk, applicant_id=person, item_code="N01",
                         received_materials=[m.code for m in item.materials],
                         form={"account_no": "1234567890", "amount": amount}).case for amount in ("88.5", "20")]
    paid = record_payment(ctx, actor=clerk, case_id=bills[0].id, method="现金", tendered_fen=10000)
    receipt = issue_document(ctx, actor=clerk, kind="payment", subject=bills[0].case_no,
                             render=lambda job: b"pdf")
    voided = issue_document(ctx, actor=clerk, kind="receipt", subject=bills[1].case_no, render=lambda job: b"pdf")
    void_document(ctx, actor=clerk, number=voided.number, reason="打错了")
    pts.save_goods(ctx, actor=head, code="G01", name="毛巾", unit="条", price=5)
    pts.move_stock(ctx, actor=head, code="G01", quantity=10, note="进货")
    pts.declare(ctx, actor=clerk, resident_id=person, indicator="T07", declared_by="本人")  # opens the account
    account = pts.account_of(ctx, resident_id=person)
    pts.correct(ctx, actor=head, account_id=account.id, points=50, reason="补记村道清扫")
    redemption = pts.redeem(ctx, actor=clerk, resident_id=person, lines=[("G01", 1)])
    drawer = cash.current_drawer(ctx)
    assert drawer is not None
    cash.close_drawer(ctx, actor=clerk, count={10000: 1, 5000: 1, 2000: 1, 1000: 1, 500: 1, 100: 3, 50: 1})
    closing.close_day(ctx, actor=clerk)
    assert _codes(station) == []
    return {"payment": paid.id, "receipt": receipt.number, "voided": voided.number, "redemption": redemption.id,
            "person": person}


def test_a_day_untouched_passes_and_is_compared_with_the_anchor_kept_apart(
        station: StationFixture, day: dict[str, str]) -> None:
    report = checking.check(station.ctx, actor=station.head)
    assert report.ok and report.chain_links >= 8
    assert [a.source for a in report.anchors] == ["kept"] and report.anchors[0].chain_seq == report.chain_links


def test_an_edited_payment_is_caught_and_so_is_one_sealed_again_with_the_published_algorithm(
        station: StationFixture, day: dict[str, str]) -> None:
    _sql(station, "UPDATE payments SET total_fen = 1, lines_json = '[[\"水费\", 1]]' WHERE id = :id", id=day["payment"])
    assert "check.chain_changed" in _codes(station)
    # Someone who knows the algorithm seals the edit again: the digest, this link and every link after it.
    row = _one(station, "SELECT * FROM payments WHERE id = :id", id=day["payment"])
    links = _rows(station, "SELECT * FROM chain_links ORDER BY seq")
    prev = "0" * 64
    with station.ctx.db.engine.begin() as conn:
        for link in links:
            d = digest({k: row.get(k) for k in CHAINED["payments"]}) if link["row_id"] == day["payment"] \
                else link["digest"]
            h = hashlib.sha256(f"{prev}|{link['seq']}|{link['table_name']}|{link['row_id']}|{d}".encode()).hexdigest()
            conn.execute(text("UPDATE chain_links SET digest = :d, prev_hash = :p, hash = :h, key_id = '' "
                              "WHERE id = :id"), {"d": d, "p": prev, "h": h, "id": link["id"]})
            prev = h
    codes = _codes(station)
    assert "check.chain_unkeyed" in codes  # sealed without the station's key, which is not in the file


def _rows(station: StationFixture, statement: str) -> list[dict[str, Any]]:
    with station.ctx.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(statement)).mappings()]


def test_a_record_deleted_or_slipped_in_is_caught(station: StationFixture, day: dict[str, str]) -> None:
    _sql(station, "DELETE FROM cash_moves")
    assert "check.chain_deleted" in _codes(station)


def test_a_chain_cut_short_at_its_end_is_caught_against_the_anchor_kept_and_the_printed_close(
        station: StationFixture, day: dict[str, str]) -> None:
    sheet = closing.preview_day(station.ctx, day=station.clock.now().date())
    printed = f"{sheet.chain_seq}:{sheet.chain_hash[:16]},audit={sheet.audit_seq}:{sheet.audit_hash[:16]}"
    last = _one(station, "SELECT * FROM chain_links ORDER BY seq DESC LIMIT 1")
    _sql(station, "DELETE FROM chain_links WHERE seq = :seq", seq=last["seq"])
    _sql(station, "DELETE FROM day_closes")  # the record the last link covered goes with it: nothing dangles
    assert _codes(station) == ["check.chain_cut"]  # found only by the anchor the close kept apart
    station.ctx.keys.delete("anchor.local")  # without it, a clean cut of the end does not show by itself …
    assert _codes(station) == []
    # … and the head printed on the close covers everything up to the link before the close: cut further,
    # to the drawer's close, and the printed head finds it.
    _sql(station, "DELETE FROM chain_links WHERE seq >= :seq", seq=sheet.chain_seq)
    _sql(station, "DELETE FROM cash_sessions")
    assert "check.chain_cut" in _codes(station, [checking.parse_anchor(printed)])
    assert checking.parse_anchor(f"收款校验链：第 {sheet.chain_seq} 环　{sheet.chain_hash[:16]}").chain_seq == \
        sheet.chain_seq


def test_a_chain_removed_whole_with_its_start_is_caught(station: StationFixture, day: dict[str, str]) -> None:
    for table in ("chain_links", "payments", "payment_events", "cash_moves", "cash_sessions", "documents",
                  "day_closes"):
        _sql(station, f"DELETE FROM {table}")
    _sql(station, "DELETE FROM meta WHERE key LIKE 'chain.start.%'")
    assert "check.chain_cut" in _codes(station)


def test_a_voided_receipt_made_valid_again_is_caught(station: StationFixture, day: dict[str, str]) -> None:
    _sql(station, "UPDATE documents SET state = 'issued', void_reason = '', voided_at = NULL, voided_by = NULL "
                  "WHERE number = :n", n=day["voided"])
    assert "check.chain_void_undone" in _codes(station)


def test_the_audit_logs_newest_entries_deleted_or_sealed_again_are_caught(
        station: StationFixture, day: dict[str, str]) -> None:
    top = _one(station, "SELECT max(seq) AS seq FROM audit_log")["seq"]
    _sql(station, "DELETE FROM audit_log WHERE seq > :s", s=top - 3)
    assert "check.audit_cut" in _codes(station)  # shorter than the anchor the close kept
    # An entry rewritten and sealed again with plain SHA-256 (the algorithm is published; the key is not here):
    entry = _one(station, "SELECT * FROM audit_log WHERE seq = 2")
    payload = {k: entry[k] for k in ("seq", "id", "origin", "hlc", "at", "staff_id", "action", "target_type",
                                     "target_id", "detail")}
    payload["detail"] = json.dumps({"forged": True})
    sealed = hashlib.sha256((entry["prev_hash"] + "\n" + canonical(payload)).encode()).hexdigest()
    _sql(station, "UPDATE audit_log SET detail = :d, hash = :h, key_id = '' WHERE seq = 2", d=payload["detail"],
         h=sealed)
    assert "check.audit_unkeyed" in _codes(station)


def test_the_points_ledger_edited_deleted_or_slipped_in_is_caught(station: StationFixture,
                                                                  day: dict[str, str]) -> None:
    _sql(station, "UPDATE points_entries SET points = -1 WHERE redemption_id = :r", r=day["redemption"])
    codes = _codes(station)
    assert "check.chain_changed" in codes and "check.points_redemption" in codes
    _sql(station, "DELETE FROM points_entries WHERE redemption_id = :r", r=day["redemption"])
    codes = _codes(station)
    assert "check.chain_deleted" in codes and "check.points_redemption" in codes
    entry = _one(station, "SELECT * FROM points_entries WHERE kind = 'opening' LIMIT 1")
    entry.update(id="forged-entry", kind="award", points=500, created_hlc="9" * 20)
    _sql(station, f"INSERT INTO points_entries ({', '.join(entry)}) VALUES ({', '.join(':' + k for k in entry)})",
         **entry)
    assert "check.chain_unlinked" in _codes(station)


def test_the_check_says_what_it_covers_and_what_it_does_not(station: StationFixture) -> None:
    covered = {k for k, _, _ in checking.COVERED}
    assert {"payments", "documents", "points_entries", "audit_log", "attachments"} <= covered
    assert {"cases", "residents"} <= {k for k, _, _ in checking.NOT_COVERED}
    assert not covered & {k for k, _, _ in checking.NOT_COVERED}
    with pytest.raises(Exception) as e:
        checking.parse_anchor("不是位置")
    assert getattr(e.value, "code", "") == "check.bad_anchor"


def test_a_scan_record_pointing_outside_the_data_folder_is_reported_and_never_opened(
        station: StationFixture, day: dict[str, str], tmp_path: Any) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"not the station's")
    case = _one(station, "SELECT id FROM cases LIMIT 1")["id"]
    staff = _one(station, "SELECT id FROM staff LIMIT 1")["id"]
    for n, path in enumerate(("../../../../etc/passwd", str(outside), "attachments/ab/../../../x.png")):
        _sql(station, "INSERT INTO attachments (id, origin, created_hlc, updated_hlc, deleted, case_id, "
                      "material_code, file_name, sha256, size, stored_path, added_by, added_at) VALUES (:id, 'QX01', "
                      "'1796600000000.00000.x', '1796600000000.00000.x', 0, :case, '', :name, :sha, 1, :path, :staff, "
                      "'2026-11-23T10:00:00')", id=f"bad-{n}", case=case, name=f"bad{n}.png", sha="a" * 64, path=path,
             staff=staff)
    codes = _codes(station)
    assert codes.count("check.attachment_bad_path") == 3
