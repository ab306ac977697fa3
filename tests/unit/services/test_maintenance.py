"""Keeping the data safe: backups that are checked, restore with a safety copy, and the integrity check."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from app.domain.errors import DomainError, PermissionDenied
from app.persistence.storage import database_path, quick_check
from app.services import cases as svc
from app.services.attachments import add_attachment
from app.services.context import open_context
from app.services.maintenance import backup, check, restore, restorer, sign_in_from_backup
from app.services.residents import register_resident
from tests.conftest import PASSWORD, StationFixture
from tests.helpers import make_id


@pytest.fixture
def resident(station: StationFixture) -> str:
    return register_resident(station.ctx, actor=station.head, name="张三", id_number=make_id(date(1980, 5, 6), True),
                             village="V01").id


def _cases(station: StationFixture, resident: str, n: int) -> list[str]:
    return [svc.accept_case(station.ctx, actor=station.clerk, applicant_id=resident, item_code="S08",
                            received_materials=["M01", "M02"]).case.case_no for _ in range(n)]


def _case_numbers(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in conn.execute("SELECT case_no FROM cases"))
    finally:
        conn.close()


def _raw(station: StationFixture, sql: str, *params: object) -> None:
    """Tamper with the file as someone with a SQLite tool would: outside the app, foreign keys off."""
    conn = sqlite3.connect(database_path(station.data_dir), isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(sql, params)
    finally:
        conn.close()


def _codes(station: StationFixture) -> list[str]:
    return [f.code for f in check(station.ctx, actor=station.head).findings]


# -- backup -------------------------------------------------------------------------------------------

def test_a_backup_is_a_sound_file_with_the_same_cases(station: StationFixture, resident: str) -> None:
    numbers = _cases(station, resident, 3)
    path = backup(station.ctx, actor=station.head)
    assert path.parent == station.data_dir / "backups"
    assert path.name == "station-20261123-100000.sqlite3"
    assert quick_check(path) is None
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert _case_numbers(path) == sorted(numbers)


def test_a_backup_can_go_to_a_folder_such_as_a_usb_stick(station: StationFixture, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    path = backup(station.ctx, actor=station.head, dest=usb)
    assert path.parent == usb
    assert quick_check(path) is None


def test_a_backup_never_overwrites_a_file(station: StationFixture, tmp_path: Path) -> None:
    target = tmp_path / "exists.sqlite3"
    target.write_bytes(b"keep me")
    with pytest.raises(DomainError) as err:
        backup(station.ctx, actor=station.head, dest=target)
    assert err.value.code == "backup.exists"
    assert target.read_bytes() == b"keep me"


def test_a_backup_is_audited(station: StationFixture) -> None:
    path = backup(station.ctx, actor=station.head)
    with station.ctx.uow() as uow:
        last = list(uow.audit_entries())[-1]
    assert (last["action"], last["target_id"], last["staff_id"]) == ("station.backup", path.name,
                                                                     station.head.staff_id)


def test_a_clerk_may_not_back_up_or_check(station: StationFixture) -> None:
    with pytest.raises(PermissionDenied):
        backup(station.ctx, actor=station.clerk)
    with pytest.raises(PermissionDenied):
        check(station.ctx, actor=station.clerk)


# -- restore ------------------------------------------------------------------------------------------

def test_restore_replaces_the_data_and_keeps_a_safety_copy(station: StationFixture, resident: str) -> None:
    before = _cases(station, resident, 2)
    saved = backup(station.ctx, actor=station.head)
    after = _cases(station, resident, 3)
    station.ctx.db.dispose()  # restore runs with the station closed
    safety = restore(station.data_dir, saved, by=restorer(station.head), now=station.clock.now()).safety
    assert safety.parent == station.data_dir / "backups"
    assert _case_numbers(safety) == sorted(before + after)
    assert quick_check(safety) is None
    ctx = open_context(station.data_dir, now=station.clock.now)
    try:
        assert [c.case_no for c in svc.list_cases(ctx)] == sorted(before, reverse=True)
        # the numbering goes on from the restored data
        assert svc.accept_case(ctx, actor=station.clerk, applicant_id=resident, item_code="S08",
                               received_materials=["M01", "M02"]).case.case_no == "QX01-20261123-0003"
    finally:
        ctx.db.dispose()


def test_restoring_a_file_that_is_not_a_database_is_refused(station: StationFixture, tmp_path: Path) -> None:
    fake = tmp_path / "photo.sqlite3"
    fake.write_bytes(b"\xff\xd8\xff\xe0 not a database at all" * 100)
    station.ctx.db.dispose()
    with pytest.raises(DomainError) as err:
        restore(station.data_dir, fake, by=restorer(station.head))
    assert err.value.code == "restore.not_a_backup"
    assert list((station.data_dir / "backups").iterdir()) == []


def test_restoring_an_unrelated_sqlite_file_is_refused(station: StationFixture, tmp_path: Path,
                                                       resident: str) -> None:
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE songs (title TEXT)")
    conn.execute("INSERT INTO songs VALUES ('茉莉花')")
    conn.commit()
    conn.close()
    station.ctx.db.dispose()
    with pytest.raises(DomainError) as err:
        restore(station.data_dir, other, by=restorer(station.head))
    assert err.value.code == "restore.not_a_backup"
    assert _case_numbers(database_path(station.data_dir)) == []


def test_restoring_a_missing_file_is_refused(station: StationFixture, tmp_path: Path) -> None:
    station.ctx.db.dispose()
    with pytest.raises(DomainError) as err:
        restore(station.data_dir, tmp_path / "nothing.sqlite3", by=restorer(station.head))
    assert err.value.code == "file.not_found"


# -- check --------------------------------------------------------------------------------------------

def test_check_passes_on_a_clean_station(station: StationFixture, resident: str, tmp_path: Path) -> None:
    numbers = _cases(station, resident, 3)
    scan = tmp_path / "身份证.jpg"
    scan.write_bytes(b"\xff\xd8\xff scan")
    add_attachment(station.ctx, actor=station.clerk, case_id=numbers[0], path=scan, material_code="M02")
    report = check(station.ctx, actor=station.head)
    assert report.ok, report.findings
    assert report.cases == 3
    assert report.attachments == 1
    assert report.audit_entries > 3


def test_check_finds_an_edited_audit_entry(station: StationFixture, resident: str) -> None:
    _cases(station, resident, 2)
    _raw(station, "UPDATE audit_log SET detail = '{\"item\": \"S99\"}' WHERE seq = 3")
    report = check(station.ctx, actor=station.head)
    assert [(f.area, f.code, dict(f.params)) for f in report.findings] == [("audit", "check.audit_hash",
                                                                             {"seq": "3"})]


def test_check_finds_a_removed_audit_entry(station: StationFixture, resident: str) -> None:
    _cases(station, resident, 2)
    _raw(station, "DELETE FROM audit_log WHERE seq = 3")
    findings = {(f.code, dict(f.params)["seq"]) for f in check(station.ctx, actor=station.head).findings}
    assert findings == {("check.audit_link", "4"), ("check.audit_gap", "4")}


def test_check_finds_a_missing_case_number(station: StationFixture, resident: str) -> None:
    numbers = _cases(station, resident, 3)
    for table in ("case_events", "case_materials"):
        _raw(station, f"DELETE FROM {table} WHERE case_id = (SELECT id FROM cases WHERE case_no = ?)", numbers[1])
    _raw(station, "DELETE FROM cases WHERE case_no = ?", numbers[1])
    report = check(station.ctx, actor=station.head)
    assert [(f.code, dict(f.params)) for f in report.findings] == [
        ("check.case_gap", {"station": "QX01", "day": "2026-11-23", "seq": "2"})]


def test_check_finds_a_missing_first_case_number_of_a_day(station: StationFixture, resident: str) -> None:
    # Only the last number of a day cannot be told from "never issued" by the cases alone; the first can.
    numbers = _cases(station, resident, 2)
    _raw(station, "DELETE FROM cases WHERE case_no = ?", numbers[0])
    assert "check.case_gap" in _codes(station)


def test_check_finds_a_changed_attachment(station: StationFixture, resident: str, tmp_path: Path) -> None:
    [no] = _cases(station, resident, 1)
    scan = tmp_path / "户口簿.png"
    scan.write_bytes(b"\x89PNG original scan")
    add_attachment(station.ctx, actor=station.clerk, case_id=no, path=scan)
    [stored] = [p for p in (station.data_dir / "attachments").rglob("*.png")]
    stored.write_bytes(b"\x89PNG swapped scan")
    report = check(station.ctx, actor=station.head)
    assert [(f.area, f.code, dict(f.params)["file"]) for f in report.findings] == [
        ("attachments", "check.attachment_changed", "户口簿.png")]


def test_check_finds_a_missing_attachment(station: StationFixture, resident: str, tmp_path: Path) -> None:
    [no] = _cases(station, resident, 1)
    scan = tmp_path / "户口簿.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    add_attachment(station.ctx, actor=station.clerk, case_id=no, path=scan)
    for stored in (station.data_dir / "attachments").rglob("*.pdf"):
        stored.unlink()
    assert _codes(station) == ["check.attachment_missing"]
    assert scan.exists()  # the original was copied, never moved


def test_every_finding_has_a_message() -> None:
    from app.messages import MESSAGES

    for code in ("check.db_corrupt", "check.audit_hash", "check.audit_link", "check.audit_gap", "check.bad_case_no",
                 "check.case_gap", "check.attachment_missing", "check.attachment_changed", "restore.not_a_backup"):
        assert code in MESSAGES


# -- the scans travel with a backup by hand -------------------------------------------------------------

def test_a_backup_to_a_stick_takes_the_scans_and_a_new_pc_gets_them_back(station: StationFixture, resident: str,
                                                                          tmp_path: Path) -> None:
    from app.services.attachments import verify_attachment
    from app.services.maintenance import copy_scans

    numbers = _cases(station, resident, 2)
    for n, no in enumerate(numbers):
        scan = tmp_path / f"scan-{n}.jpg"
        scan.write_bytes(b"\xff\xd8\xff scan " + bytes([n]) * 2000)
        add_attachment(station.ctx, actor=station.clerk, case_id=no, path=scan, material_code="M02")
    usb = tmp_path / "usb"
    usb.mkdir()
    made = backup(station.ctx, actor=station.head, dest=usb)
    first = copy_scans(station.ctx, actor=station.head, dest=usb)
    assert (first.files, first.copied) == (2, 2) and first.folder == usb / "attachments"
    again = copy_scans(station.ctx, actor=station.head, dest=usb)  # the next backup: only new scans
    assert (again.files, again.copied) == (2, 0)
    with pytest.raises(PermissionDenied):
        copy_scans(station.ctx, actor=station.clerk, dest=usb)

    new_pc = tmp_path / "new-pc"  # the old PC is gone: a fresh data folder, the stick plugged in
    new_pc.mkdir()
    head = sign_in_from_backup(new_pc, made, username="zhanzhang", password=PASSWORD)  # as the backup knows them
    restore(new_pc, made, by=head, station="QX01")  # nothing on the new PC says which station it is
    ctx = open_context(new_pc)
    try:
        with ctx.read() as uow:
            stored = uow.repos.cases.all_attachments()
        assert len(stored) == 2
        assert all(verify_attachment(new_pc, a["stored_path"], a["sha256"]) is None for a in stored)
    finally:
        ctx.db.dispose()
