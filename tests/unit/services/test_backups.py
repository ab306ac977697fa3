"""Automatic backups at the daily close and on exit, their rotation on disk, the list of backups, the last good one,
a restore chosen in the running counter, and the check a station's file gets at every start."""

from __future__ import annotations

import itertools
import os
import sqlite3
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from app.domain.errors import DomainError, PermissionDenied
from app.messages import describe
from app.persistence import storage
from app.persistence.database import Database
from app.services import backups as svc
from app.services import cases, closing
from app.services.context import open_context
from app.services.maintenance import backup, restore, restorer, sign_in_from_backup
from app.services.residents import register_resident
from tests.conftest import PASSWORD, StationFixture
from tests.helpers import make_id

_people = itertools.count()


def _accept(station: StationFixture) -> str:
    n = next(_people)
    person = register_resident(station.ctx, actor=station.head, name="张三", village="V01",
                               id_number=make_id(date(1980, 1, 1) + timedelta(days=n // 500), True, seq=n % 500))
    return cases.accept_case(station.ctx, actor=station.clerk, applicant_id=person.id, item_code="S08",
                             received_materials=["M01", "M02"]).case.case_no


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _auto(station: StationFixture) -> list[str]:
    return sorted(p.name for p in svc.auto_folder(station.data_dir).glob("*.sqlite3"))


def corrupt(path: Path, *, start: float = 0.3, end: float = 0.7) -> None:
    """Overwrite the pages between ``start`` and ``end`` of the file with garbage, as a failing disk would."""
    size = path.stat().st_size
    page = 4096
    first, last = int(size * start) // page, int(size * end) // page
    with path.open("r+b") as f:
        for n in range(first, max(last, first + 1)):
            f.seek(n * page)
            f.write(os.urandom(page))


# -- the daily close ------------------------------------------------------------------------------------------

def test_the_daily_close_leaves_a_checked_copy_holding_the_close(station: StationFixture) -> None:
    no = _accept(station)
    station.clock.set(datetime(2026, 11, 23, 17, 2))
    done = closing.close_day(station.ctx, actor=station.clerk)
    assert done.backup_warning is None
    [name] = _auto(station)
    assert name == "auto-20261123-170200-close.sqlite3"
    copy = svc.auto_folder(station.data_dir) / name
    assert storage.quick_check(copy) is None and storage.looks_like_station(copy)
    assert _rows(copy, "SELECT day FROM day_closes") == [("2026-11-23",)]
    assert _rows(copy, "SELECT case_no FROM cases") == [(no,)]


def test_a_close_whose_backup_fails_stands_and_says_so(station: StationFixture,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage, "free_bytes", lambda folder: 0)
    done = closing.close_day(station.ctx, actor=station.clerk)
    assert closing.is_closed(station.ctx, day=date(2026, 11, 23))
    assert done.backup_warning is not None and done.backup_warning.code == "backup.after_close_failed"
    text = describe(done.backup_warning)
    assert text.startswith("日结已完成") and "磁盘空间不够" in text and "手工备份" in text
    assert "disk is full" in describe(done.backup_warning, "en")
    assert _auto(station) == []


def test_a_copy_that_cannot_be_written_is_a_warning_too(station: StationFixture) -> None:
    svc.auto_folder(station.data_dir).parent.mkdir(parents=True, exist_ok=True)
    svc.auto_folder(station.data_dir).write_text("a file where the folder should be")
    done = closing.close_day(station.ctx, actor=station.clerk)
    assert done.backup_warning is not None and done.backup_warning.params["reason"] == "failed"
    assert "写备份时出错" in describe(done.backup_warning)
    assert closing.is_closed(station.ctx, day=date(2026, 11, 23))


# -- rotation on disk ---------------------------------------------------------------------------------------

def test_forty_days_of_closes_and_exits_leave_fourteen_daily_and_the_months_newest(station: StationFixture) -> None:
    hand = backup(station.ctx, actor=station.head)  # by hand: never rotated
    safety = station.data_dir / "backups" / "before-upgrade-0011-20261001-080000.sqlite3"
    safety.write_bytes(hand.read_bytes())
    for day in range(40):  # November 23 … January 1
        station.clock.set(datetime(2026, 11, 23, 17) + timedelta(days=day))
        _accept(station)
        svc.automatic_backup(station.ctx, reason="close")
        station.clock.advance(hours=1)
        _accept(station)
        svc.automatic_backup(station.ctx, reason="exit")
    kept = _auto(station)
    days = sorted({n[5:13] for n in kept})
    # 14 days (December 19 … January 1), each its exit copy; November's newest stays as the monthly one
    assert len(kept) == 15 and all(n.endswith("-exit.sqlite3") for n in kept)
    assert days[0] == "20261130" and days[1:] == [f"202612{d}" for d in range(19, 32)] + ["20270101"]
    assert hand.exists() and safety.exists()
    listed = {b.path.name: b.kind for b in svc.backups(station.data_dir)}
    assert listed[hand.name] == "manual" and listed[safety.name] == "before-upgrade"
    assert listed["auto-20261130-180000-exit.sqlite3"] == "monthly"
    assert listed["auto-20270101-180000-exit.sqlite3"] == "daily"


def test_the_copy_just_made_is_kept_even_when_the_clock_went_back(station: StationFixture) -> None:
    for day in range(15):
        station.clock.set(datetime(2027, 3, 1, 17) + timedelta(days=day))  # a clock that was a year ahead
        svc.automatic_backup(station.ctx, reason="close")
    station.clock.set(datetime(2026, 3, 1, 17))
    made = svc.automatic_backup(station.ctx, reason="close")
    assert made.path is not None and made.path.exists()


# -- on exit ----------------------------------------------------------------------------------------------

def test_the_exit_backup_is_skipped_when_nothing_was_recorded_since_the_close(station: StationFixture) -> None:
    closing.close_day(station.ctx, actor=station.clerk)
    station.clock.advance(minutes=30)
    assert svc.backup_on_exit(station.ctx).skipped
    assert len(_auto(station)) == 1


def test_the_exit_backup_is_made_when_a_case_came_after_the_close(station: StationFixture) -> None:
    closing.close_day(station.ctx, actor=station.clerk)
    station.clock.advance(minutes=30)
    no = _accept(station)
    made = svc.backup_on_exit(station.ctx)
    assert made.path is not None and made.path.name.endswith("-exit.sqlite3")
    assert (no,) in _rows(made.path, "SELECT case_no FROM cases")
    station.clock.advance(minutes=1)
    assert svc.backup_on_exit(station.ctx).skipped  # and the next exit has nothing new again


def test_the_first_exit_backs_up_and_a_failing_one_does_not_raise(station: StationFixture,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert not svc.backup_on_exit(station.ctx).skipped  # no automatic copy yet
    _accept(station)
    monkeypatch.setattr(storage, "verified_backup", lambda src, dest, **kw: "disk I/O error")
    assert svc.backup_on_exit(station.ctx).skipped  # logged; the program still ends


def test_an_automatic_backup_refuses_a_nearly_full_disk_before_writing(station: StationFixture,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage, "free_bytes", lambda folder: svc.SPARE_BYTES)
    with pytest.raises(DomainError) as caught:
        svc.automatic_backup(station.ctx, reason="close")
    assert caught.value.code == "backup.no_space"
    assert "MB" in describe(caught.value)


# -- the list and the last good one ------------------------------------------------------------------------

def test_the_last_good_backup_passes_over_a_damaged_newer_one_and_safety_copies(station: StationFixture) -> None:
    station.clock.set(datetime(2026, 11, 23, 17, 2))
    good = svc.automatic_backup(station.ctx, reason="close").path
    station.clock.set(datetime(2026, 11, 24, 17, 5))
    _accept(station)
    damaged = svc.automatic_backup(station.ctx, reason="close").path
    assert good is not None and damaged is not None
    corrupt(damaged, start=0.2, end=0.9)
    station.ctx.db.dispose()
    restore(station.data_dir, good, by=restorer(station.head), now=datetime(2026, 11, 25, 8))  # a before-restore copy
    listed = svc.backups(station.data_dir)
    assert [b.kind for b in listed] == ["before-restore", "daily", "daily"]
    assert [b.ok for b in listed] == [True, False, True] and listed[1].problem
    last = svc.last_good_backup(station.data_dir)
    assert last is not None and last.path == good and last.reason == "close"
    assert last.made_at == datetime(2026, 11, 23, 17, 2)


def test_with_no_backup_there_is_no_last_good_one(station: StationFixture) -> None:
    station.ctx.db.dispose()
    assert svc.backups(station.data_dir) == ()
    assert svc.last_good_backup(station.data_dir) is None
    with pytest.raises(DomainError) as caught:
        svc.restore_last_good(station.data_dir, by=restorer(station.head))
    assert caught.value.code == "restore.no_backup"


# -- a damaged station file -----------------------------------------------------------------------------------

def test_a_station_damaged_inside_is_refused_at_open_and_restored_from_the_last_good_backup(
        station: StationFixture) -> None:
    no = _accept(station)
    closing.close_day(station.ctx, actor=station.clerk)
    station.ctx.db.dispose()
    db = storage.database_path(station.data_dir)
    corrupt(db)
    damaged = db.read_bytes()
    assert svc.station_damage(station.data_dir)
    with pytest.raises(DomainError) as caught:
        Database.open_folder(station.data_dir)
    assert caught.value.code == "db.unreadable" and caught.value.params["backups"].endswith("backups")
    assert db.read_bytes() == damaged  # untouched
    last = svc.last_good_backup(station.data_dir)
    assert last is not None
    head = sign_in_from_backup(station.data_dir, last.path, username="zhanzhang", password=PASSWORD)
    chosen, done = svc.restore_last_good(station.data_dir, by=head)
    safety = done.safety
    assert chosen.reason == "close" and safety.name.startswith("before-restore-")
    assert safety.stat().st_size == len(damaged)
    ctx = open_context(station.data_dir, now=station.clock.now)
    try:
        assert [c.case_no for c in cases.list_cases(ctx)] == [no]
    finally:
        ctx.db.dispose()


def test_a_file_that_is_no_database_any_more_is_kept_byte_for_byte_when_restored_over(
        station: StationFixture) -> None:
    svc.automatic_backup(station.ctx, reason="close")
    station.ctx.db.dispose()
    db = storage.database_path(station.data_dir)
    with db.open("r+b") as f:
        f.write(b"\0" * 4096)  # the header page wiped
    assert svc.station_damage(station.data_dir) == "file is not a database"
    wiped = db.read_bytes()
    last = svc.last_good_backup(station.data_dir)
    assert last is not None
    head = sign_in_from_backup(station.data_dir, last.path, username="zhanzhang", password=PASSWORD)
    _, done = svc.restore_last_good(station.data_dir, by=head)
    assert done.safety.read_bytes() == wiped
    assert storage.damage(db) is None


@pytest.mark.parametrize("what", ["cut short", "garbage header", "healthy", "empty", "missing"])
def test_the_start_check_tells_a_damaged_file_from_a_sound_one(station: StationFixture, what: str) -> None:
    station.ctx.db.dispose()
    db = storage.database_path(station.data_dir)
    body = db.read_bytes()
    expected: str | None = None
    if what == "cut short":
        db.write_bytes(body[: len(body) // 2])
        expected = "cut short"
    elif what == "garbage header":
        db.write_bytes(b"PK\x03\x04" + body[4:])
        expected = "not a database"
    elif what == "empty":  # a station lived here (its station.json says so): an empty file is no new station
        db.write_bytes(b"")
        expected = "empty"
    elif what == "missing":
        db.unlink()
        expected = "missing"
    problem = storage.damage(db)
    assert (problem is None) if expected is None else (problem is not None and expected in problem)


def test_a_big_file_gets_the_cheap_checks_only(station: StationFixture) -> None:
    station.ctx.db.dispose()
    db = storage.database_path(station.data_dir)
    # Data written last, on pages of its own at the end of the file (a long value spills onto overflow pages),
    # so that the last page is never a table's first page whatever else the file holds (a bigger catalogue).
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('test.filler', ?)", ("x" * 40_000,))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # into the file itself, whose size corrupt() goes by
    conn.close()
    corrupt(db, start=0.99, end=1.0)  # the last page
    assert storage.damage(db) is not None
    assert storage.damage(db, quick_check_up_to=0) is None  # pages deep inside are read when they are needed


# -- a restore chosen in the running counter -------------------------------------------------------------

def test_a_restore_chosen_in_the_counter_replaces_the_data_at_the_next_start(station: StationFixture,
                                                                             tmp_path: Path) -> None:
    first = _accept(station)
    usb = tmp_path / "usb"
    usb.mkdir()
    on_stick = backup(station.ctx, actor=station.head, dest=usb)
    _accept(station)
    with pytest.raises(PermissionDenied):
        svc.prepare_restore(station.ctx, actor=station.clerk, source=on_stick)
    info = svc.prepare_restore(station.ctx, actor=station.head, source=on_stick)
    assert info.made_at == datetime(2026, 11, 23, 10, 0)
    on_stick.unlink()  # the stick is taken out before the restart
    assert len(cases.list_cases(station.ctx)) == 2  # nothing changes under the running counter
    station.ctx.db.dispose()
    safety = svc.finish_pending_restore(station.data_dir)
    assert safety is not None and svc.pending_restore(station.data_dir) is None
    ctx = open_context(station.data_dir)
    try:
        assert [c.case_no for c in cases.list_cases(ctx)] == [first]
    finally:
        ctx.db.dispose()
    assert svc.finish_pending_restore(station.data_dir) is None  # once


def test_a_file_that_is_not_a_backup_is_refused_before_anything_is_prepared(station: StationFixture,
                                                                           tmp_path: Path) -> None:
    photo = tmp_path / "photo.sqlite3"
    photo.write_bytes(b"\xff\xd8\xff\xe0" * 1000)
    with pytest.raises(DomainError) as caught:
        svc.prepare_restore(station.ctx, actor=station.head, source=photo)
    assert caught.value.code == "restore.not_a_backup"
    assert svc.pending_restore(station.data_dir) is None


def test_a_backup_from_a_newer_release_is_refused(station: StationFixture, tmp_path: Path) -> None:
    newer = backup(station.ctx, actor=station.head, dest=tmp_path / "newer.sqlite3")
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '0999'")
    conn.commit()
    conn.close()
    with pytest.raises(DomainError) as caught:
        svc.check_backup(newer)
    assert caught.value.code == "db.newer_version" and "最新版本" in describe(caught.value)


@pytest.mark.skipif(sys.platform == "win32", reason="Qt's lock on Unix is a flock(); Windows shares no writing")
def test_a_counter_holding_the_folder_is_seen_and_a_dead_ones_lock_is_not(station: StationFixture) -> None:
    import fcntl

    lock = station.data_dir / svc.COUNTER_LOCK
    assert not svc.counter_is_open(station.data_dir)
    with lock.open("w") as held:  # what Qt's QLockFile holds on Unix while the counter runs
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert svc.counter_is_open(station.data_dir)
    assert lock.exists() and not svc.counter_is_open(station.data_dir)


# -- through the admin CLI -------------------------------------------------------------------------------------

def test_the_cli_lists_the_backups_and_restores_the_last_good_one(station: StationFixture,
                                                                  capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli.main import main

    first = _accept(station)
    station.clock.set(datetime(2026, 11, 23, 17, 2))
    closing.close_day(station.ctx, actor=station.clerk)
    _accept(station)
    station.ctx.db.dispose()
    corrupt(storage.database_path(station.data_dir))
    capsys.readouterr()
    assert main(["--data-dir", str(station.data_dir), "backups"]) == 0
    out = capsys.readouterr().out
    assert "每日结账" in out and "← 最近一次完好" in out and "auto-20261123-170200-close.sqlite3" in out
    assert main(["--data-dir", str(station.data_dir), "restore"]) == 1
    assert "--last" in capsys.readouterr().err
    monkeypatch.setenv("STATIONDESK_USER", "zhanzhang")
    monkeypatch.setenv("STATIONDESK_PASSWORD", PASSWORD)
    assert main(["--data-dir", str(station.data_dir), "restore", "--last", "--yes"]) == 0
    assert "已恢复" in capsys.readouterr().out
    ctx = open_context(station.data_dir)
    try:
        assert [c.case_no for c in cases.list_cases(ctx)] == [first]
    finally:
        ctx.db.dispose()
