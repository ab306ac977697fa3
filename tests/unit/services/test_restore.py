"""Restoring a station from a backup (issue 18): a station head signs in — to the station when its file can be
read, else with an account held in the backup — the restore is audited in both files and flags the sync to
recover from the town; only this station's own backups are taken; an empty or station-less file beside a good
backup is reported as damaged, while a new installation still starts. Real SQLite files throughout."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.domain.errors import DomainError, PermissionDenied
from app.messages import MESSAGES, describe
from app.persistence import storage
from app.persistence.database import Database
from app.services import backups as svc
from app.services import maintenance
from app.services.context import open_context, read_station_identity
from app.services.demo import DEMO_VILLAGES
from app.services.maintenance import backup, restore, restorer, sign_in_from_backup
from app.services.station import VillageSpec, init_station, is_initialised
from tests.conftest import PASSWORD, StationFixture

NOW = datetime(2026, 11, 24, 9, 30)


def _rows(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _audit(path: Path, action: str) -> list[dict[str, object]]:
    return [{"staff_id": r[0], **json.loads(str(r[1]))}
            for r in _rows(path, "SELECT staff_id, detail FROM audit_log WHERE action = ? ORDER BY seq", action)]


def _meta(path: Path, key: str) -> str | None:
    found = _rows(path, "SELECT value FROM meta WHERE key = ?", key)
    return str(found[0][0]) if found else None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _backup(station: StationFixture) -> Path:
    made = backup(station.ctx, actor=station.head)
    station.ctx.db.dispose()
    return made


def _truncate(station: StationFixture) -> Path:
    db = storage.database_path(station.data_dir)
    db.write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return db


def _other_station(root: Path, *, station_code: str = "QX02", town_code: str = "330127101") -> Path:
    """A backup of another station (or of a station of another town), made by that station's own code."""
    ctx = open_context(root)
    try:
        init_station(ctx, town_code=town_code, town_name="青溪镇" if town_code == "330127101" else "石门镇",
                     villages=[VillageSpec(c, n) for c, n in DEMO_VILLAGES], station_code=station_code,
                     station_name="石门村便民服务站", village_code="V02", admin_username="shimen",
                     admin_name="张建国", admin_password=PASSWORD)
        from app.services.staff import authenticate

        head = authenticate(ctx, username="shimen", password=PASSWORD)
        return backup(ctx, actor=head, dest=root.parent / f"{station_code}-{town_code}.sqlite3")
    finally:
        ctx.db.dispose()


# -- who may restore ------------------------------------------------------------------------------------------

def test_a_clerk_may_not_restore(station: StationFixture) -> None:
    with pytest.raises(PermissionDenied):
        restorer(station.clerk)


def test_a_head_of_the_readable_station_restores_and_both_files_say_so(station: StationFixture) -> None:
    made = _backup(station)
    done = restore(station.data_dir, made, by=restorer(station.head), made_at=datetime(2026, 11, 23, 10), now=NOW)
    # before it was replaced, the current file took an entry: it lives on in the safety copy
    [started] = _audit(done.safety, "station.restore_started")
    assert started["staff_id"] == station.head.staff_id and started["file"] == str(made)
    # the restored file says who, from which file and its time, and the safety copy's name
    db = storage.database_path(station.data_dir)
    [restored] = _audit(db, "station.restored")
    assert restored["staff_id"] == station.head.staff_id and restored["username"] == "zhanzhang"
    assert restored["signed_in_to"] == "station" and restored["file"] == str(made)
    assert restored["made_at"] == "2026-11-23T10:00:00" and restored["safety_copy"] == done.safety.name
    assert not _audit(db, "station.restore_started")  # that one belongs to the file that was replaced
    assert _meta(db, "sync.recover") == "2026-11-24T09:30:00"
    ctx = open_context(station.data_dir)
    try:  # the audit chain still holds
        assert maintenance.check(ctx, actor=station.head).ok
    finally:
        ctx.db.dispose()


def test_an_account_from_the_backup_is_refused_while_the_station_file_is_readable(station: StationFixture) -> None:
    made = _backup(station)
    head = sign_in_from_backup(station.data_dir, made, username="zhanzhang", password=PASSWORD)
    before = _digest(storage.database_path(station.data_dir))
    with pytest.raises(DomainError) as caught:
        restore(station.data_dir, made, by=head)
    assert caught.value.code == "restore.sign_in_here" and "QX01" in describe(caught.value)
    assert _digest(storage.database_path(station.data_dir)) == before


@pytest.mark.parametrize("how", ["empty", "damaged", "missing"])
def test_a_head_held_in_the_backup_restores_over_an_unreadable_file(station: StationFixture, how: str) -> None:
    made = _backup(station)
    db = storage.database_path(station.data_dir)
    if how == "empty":
        _truncate(station)
    elif how == "damaged":
        with db.open("r+b") as f:
            f.write(b"\0" * 4096)
    else:
        db.unlink()
    backup_bytes = _digest(made)
    head = sign_in_from_backup(station.data_dir, made, username="zhanzhang", password=PASSWORD, now=NOW)
    assert head.signed_in_to == "backup" and head.staff_id == station.head.staff_id
    done = restore(station.data_dir, made, by=head, now=NOW)
    assert _digest(made) == backup_bytes  # the backup is never written
    [restored] = _audit(db, "station.restored")
    assert restored["signed_in_to"] == "backup" and restored["username"] == "zhanzhang"
    assert _meta(db, "sync.recover") == NOW.isoformat(timespec="seconds")
    assert (done.safety.exists()) == (how != "missing")
    ctx = open_context(station.data_dir)
    try:
        assert is_initialised(ctx)
    finally:
        ctx.db.dispose()


def test_a_wrong_password_against_the_backup_is_counted_and_locks_after_five(station: StationFixture) -> None:
    made = _backup(station)
    _truncate(station)
    backup_bytes = _digest(made)
    for left in (4, 3, 2, 1):
        with pytest.raises(DomainError) as caught:
            sign_in_from_backup(station.data_dir, made, username="zhanzhang", password="wrong-pass", now=NOW)
        assert caught.value.code == "restore.sign_in_failed" and caught.value.params["left"] == left
    with pytest.raises(DomainError) as caught:
        sign_in_from_backup(station.data_dir, made, username="zhanzhang", password="wrong-pass", now=NOW)
    assert caught.value.code == "restore.sign_in_locked" and caught.value.params["until"] == "09:45"
    with pytest.raises(DomainError) as caught:  # locked: even the right password waits
        sign_in_from_backup(station.data_dir, made, username="zhanzhang", password=PASSWORD, now=NOW)
    assert caught.value.code == "restore.sign_in_locked"
    assert _digest(made) == backup_bytes  # counted in the data folder, never in the backup
    assert (station.data_dir / maintenance.SIGN_IN_FAILURES).exists()
    later = NOW + timedelta(minutes=16)
    assert sign_in_from_backup(station.data_dir, made, username="zhanzhang", password=PASSWORD, now=later).username


def test_an_unknown_account_is_told_apart_from_nothing(station: StationFixture) -> None:
    made = _backup(station)
    _truncate(station)
    with pytest.raises(DomainError) as caught:
        sign_in_from_backup(station.data_dir, made, username="nobody", password=PASSWORD)
    assert caught.value.code == "restore.sign_in_failed"  # the same words as a wrong password
    with pytest.raises(DomainError) as caught:
        sign_in_from_backup(station.data_dir, made, username="", password="")
    assert caught.value.code == "restore.account_needed"


def test_a_clerk_or_a_disabled_head_from_the_backup_may_not_restore(station: StationFixture) -> None:
    made = _backup(station)
    _truncate(station)
    with pytest.raises(DomainError) as caught:
        sign_in_from_backup(station.data_dir, made, username="xiaoli", password=PASSWORD)
    assert caught.value.code == "restore.head_needed" and "xiaoli" in describe(caught.value)
    disabled = made.with_name("disabled.sqlite3")
    shutil.copyfile(made, disabled)
    conn = sqlite3.connect(disabled)
    conn.execute("UPDATE staff SET active = 0 WHERE username = 'zhanzhang'")
    conn.commit()
    conn.close()
    with pytest.raises(DomainError) as caught:
        sign_in_from_backup(station.data_dir, disabled, username="zhanzhang", password=PASSWORD)
    assert caught.value.code == "restore.sign_in_failed"


def test_a_head_of_another_station_held_in_the_backup_may_not_restore_it(station: StationFixture) -> None:
    made = _backup(station)
    _truncate(station)
    conn = sqlite3.connect(made)  # every station holds the town's staff list: another station's head too
    conn.execute("UPDATE staff SET station_code = 'QX02' WHERE username = 'zhanzhang'")
    conn.commit()
    conn.close()
    with pytest.raises(DomainError) as caught:
        sign_in_from_backup(station.data_dir, made, username="zhanzhang", password=PASSWORD)
    assert caught.value.code == "restore.not_this_stations_head"


def test_a_sign_in_against_one_backup_does_not_restore_another(station: StationFixture, tmp_path: Path) -> None:
    first = _backup(station)
    second = tmp_path / "second.sqlite3"
    shutil.copyfile(first, second)
    _truncate(station)
    head = sign_in_from_backup(station.data_dir, first, username="zhanzhang", password=PASSWORD)
    with pytest.raises(DomainError) as caught:
        restore(station.data_dir, second, by=head)
    assert caught.value.code == "restore.sign_in_again"


# -- which file -----------------------------------------------------------------------------------------------

def test_a_backup_of_another_station_is_refused_naming_both(station: StationFixture, tmp_path: Path) -> None:
    theirs = _other_station(tmp_path / "qx02")
    station.ctx.db.dispose()
    before = _digest(storage.database_path(station.data_dir))
    with pytest.raises(DomainError) as caught:
        restore(station.data_dir, theirs, by=restorer(station.head))
    assert caught.value.code == "restore.other_station"
    text = describe(caught.value)
    assert "QX02" in text and "QX01" in text and "不是本站" in text
    assert "QX02" in describe(caught.value, "en") and "QX01" in describe(caught.value, "en")
    assert _digest(storage.database_path(station.data_dir)) == before
    assert not list((station.data_dir / "backups").glob("before-restore-*"))


def test_a_backup_of_a_station_of_another_town_is_refused(station: StationFixture, tmp_path: Path) -> None:
    theirs = _other_station(tmp_path / "town2", station_code="QX01", town_code="330127102")  # the same code!
    station.ctx.db.dispose()
    with pytest.raises(DomainError) as caught:
        restore(station.data_dir, theirs, by=restorer(station.head))
    assert caught.value.code == "restore.other_town"
    assert "330127102" in describe(caught.value) and "330127101" in describe(caught.value)


def test_the_town_servers_database_is_refused(station: StationFixture, tmp_path: Path) -> None:
    server = tmp_path / "town.sqlite3"
    Database.open_folder(tmp_path / "server").dispose()  # the same schema, no station in it
    shutil.copyfile(tmp_path / "server" / "station.sqlite3", server)
    conn = sqlite3.connect(server)
    conn.execute("INSERT INTO server_stations (station_code, name, active) VALUES ('QX01', '青溪村便民服务站', 1)")
    conn.commit()
    conn.close()
    station.ctx.db.dispose()
    with pytest.raises(DomainError) as caught:
        restore(station.data_dir, server, by=restorer(station.head))
    assert caught.value.code == "restore.town_server_file" and "镇服务器" in describe(caught.value)
    # a station's backup that has server rows in it is just as much the town's
    ctx = open_context(station.data_dir)
    try:
        made = backup(ctx, actor=station.head, dest=tmp_path / "mixed.sqlite3")
    finally:
        ctx.db.dispose()
    conn = sqlite3.connect(made)
    conn.execute("INSERT INTO server_stations (station_code, name, active) VALUES ('QX02', '石门', 1)")
    conn.commit()
    conn.close()
    with pytest.raises(DomainError) as caught:
        maintenance.check_restorable(station.data_dir, made)
    assert caught.value.code == "restore.town_server_file"


def test_the_identity_file_names_the_station_when_its_file_is_empty(station: StationFixture, tmp_path: Path) -> None:
    identity = read_station_identity(station.data_dir)
    assert identity is not None and (identity.station_code, identity.town_code) == ("QX01", "330127101")
    theirs = _other_station(tmp_path / "qx02")
    _backup(station)
    _truncate(station)
    with pytest.raises(DomainError) as caught:
        maintenance.check_restorable(station.data_dir, theirs)
    assert caught.value.code == "restore.other_station" and caught.value.params["ours"] == "QX01"


def test_with_neither_a_readable_file_nor_an_identity_file_the_station_must_be_named(
        station: StationFixture) -> None:
    made = _backup(station)
    _truncate(station)
    (station.data_dir / "station.json").unlink()
    with pytest.raises(DomainError) as caught:
        maintenance.check_restorable(station.data_dir, made)
    assert caught.value.code == "restore.station_unknown" and "--station" in describe(caught.value)
    with pytest.raises(DomainError) as caught:
        maintenance.check_restorable(station.data_dir, made, station="QX02")
    assert caught.value.code == "restore.other_station"
    head = sign_in_from_backup(station.data_dir, made, username="zhanzhang", password=PASSWORD)
    restore(station.data_dir, made, by=head, station="qx01")
    assert read_station_identity(station.data_dir) is not None  # written again by the restored station


def test_naming_another_station_than_the_one_here_is_refused(station: StationFixture) -> None:
    made = _backup(station)
    with pytest.raises(DomainError) as caught:
        maintenance.check_restorable(station.data_dir, made, station="QX09")
    assert caught.value.code == "restore.station_named_differs"


def test_the_last_good_backup_is_this_stations_own(station: StationFixture, tmp_path: Path) -> None:
    station.clock.set(datetime(2026, 11, 23, 17, 2))
    own = svc.automatic_backup(station.ctx, reason="close").path
    station.ctx.db.dispose()
    theirs = _other_station(tmp_path / "qx02")
    shutil.copyfile(theirs, station.data_dir / "backups" / "station-20261124-080000.sqlite3")  # newer
    last = svc.last_good_backup(station.data_dir)
    assert last is not None and last.path == own


def test_every_restore_code_has_a_message() -> None:
    for code in ("restore.other_station", "restore.other_town", "restore.town_server_file", "restore.station_unknown",
                 "restore.station_named_differs", "restore.account_needed", "restore.sign_in_failed",
                 "restore.sign_in_locked", "restore.head_needed", "restore.not_this_stations_head",
                 "restore.sign_in_here", "restore.sign_in_again", "restore.pending_unsigned"):
        zh, en = MESSAGES[code]
        assert zh and en and zh != en


# -- the restore chosen in the counter ---------------------------------------------------------------------

def test_a_restore_chosen_in_the_counter_names_who_chose_it_in_the_restored_file(station: StationFixture,
                                                                                 tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    made = backup(station.ctx, actor=station.head, dest=usb)
    svc.prepare_restore(station.ctx, actor=station.head, source=made)
    station.ctx.db.dispose()
    safety = svc.finish_pending_restore(station.data_dir, now=NOW)
    assert safety is not None
    db = storage.database_path(station.data_dir)
    [restored] = _audit(db, "station.restored")
    assert restored["staff_id"] == station.head.staff_id and restored["username"] == "zhanzhang"
    assert restored["file"] == str(made) and restored["chosen_at"] == "2026-11-23T10:00:00"
    assert restored["safety_copy"] == safety.name
    assert _meta(db, "sync.recover") == NOW.isoformat(timespec="seconds")
    assert [a["username"] for a in _audit(safety, "station.restore_chosen")] == ["zhanzhang"]
    assert not (station.data_dir / svc.PENDING_CHOOSER).exists()


def test_a_waiting_restore_that_does_not_say_who_chose_it_is_not_done(station: StationFixture,
                                                                      tmp_path: Path) -> None:
    made = backup(station.ctx, actor=station.head, dest=tmp_path / "b.sqlite3")
    svc.prepare_restore(station.ctx, actor=station.head, source=made)
    station.ctx.db.dispose()
    (station.data_dir / svc.PENDING_CHOOSER).unlink()
    before = _digest(storage.database_path(station.data_dir))
    with pytest.raises(DomainError) as caught:
        svc.finish_pending_restore(station.data_dir)
    assert caught.value.code == "restore.pending_unsigned"
    assert svc.pending_restore(station.data_dir) is None  # set aside: the next start opens the station as it is
    assert _digest(storage.database_path(station.data_dir)) == before


def test_the_counter_refuses_to_ready_another_stations_backup(station: StationFixture, tmp_path: Path) -> None:
    theirs = _other_station(tmp_path / "qx02")
    with pytest.raises(DomainError) as caught:
        svc.prepare_restore(station.ctx, actor=station.head, source=theirs)
    assert caught.value.code == "restore.other_station"
    assert svc.pending_restore(station.data_dir) is None


# -- an empty or station-less file beside a backup, and a new installation ------------------------------------

def test_an_empty_file_beside_a_backup_is_damage_and_the_opening_says_so(station: StationFixture) -> None:
    _backup(station)
    (station.data_dir / "station.json").unlink()  # the backup alone is enough to know a station lived here
    db = _truncate(station)
    assert storage.damage(db) == "the file is empty (0 bytes)"
    with pytest.raises(DomainError) as caught:
        Database.open_folder(station.data_dir)
    assert caught.value.code == "db.unreadable"
    assert db.stat().st_size == 0  # not turned into an empty station
    assert svc.last_good_backup(station.data_dir) is not None


def test_an_empty_file_where_the_identity_file_says_a_station_lived_is_damage(station: StationFixture) -> None:
    station.ctx.db.dispose()
    assert not list((station.data_dir / "backups").rglob("*.sqlite3"))
    db = _truncate(station)
    assert storage.damage(db) == "the file is empty (0 bytes)"


def test_a_file_holding_no_station_beside_a_good_backup_is_damage(station: StationFixture, tmp_path: Path) -> None:
    _backup(station)
    db = storage.database_path(station.data_dir)
    Database.open_folder(tmp_path / "fresh").dispose()  # migrated, no station set up
    shutil.copyfile(tmp_path / "fresh" / "station.sqlite3", db)
    assert storage.damage(db) == "the file holds no station (no station code)"
    conn = sqlite3.connect(db)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        conn.execute(f'DROP TABLE "{name}"')
    conn.commit()
    conn.close()
    assert storage.damage(db) == "the file holds no tables (no station)"


def test_a_file_holding_no_station_with_only_a_damaged_backup_is_a_new_station_not_damage(
        station: StationFixture, tmp_path: Path) -> None:
    made = _backup(station)
    made.write_bytes(b"\0" * 8192)
    (station.data_dir / "station.json").unlink()
    db = storage.database_path(station.data_dir)
    Database.open_folder(tmp_path / "fresh").dispose()
    shutil.copyfile(tmp_path / "fresh" / "station.sqlite3", db)
    assert storage.damage(db) is None


def test_a_new_installation_still_starts_with_the_first_run_setup(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    for _ in range(2):  # the first start, and one more before anybody set the station up
        ctx = open_context(folder)
        try:
            assert not is_initialised(ctx)
        finally:
            ctx.db.dispose()
    assert not (folder / "station.json").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "station.sqlite3").write_bytes(b"")  # an empty file and nothing else: a new database to SQLite
    assert storage.damage(empty / "station.sqlite3") is None
    open_context(empty).db.dispose()


def test_the_identity_file_is_written_at_set_up_and_kept_at_every_opening(tmp_path: Path) -> None:
    folder = tmp_path / "station"
    ctx = open_context(folder)
    try:
        init_station(ctx, town_code="330127101", town_name="青溪镇",
                     villages=[VillageSpec(c, n) for c, n in DEMO_VILLAGES], station_code="QX03",
                     station_name="枫树岭村便民服务站", village_code="V03", admin_username="fengshu",
                     admin_name="李四", admin_password=PASSWORD)
    finally:
        ctx.db.dispose()
    identity = read_station_identity(folder)
    assert identity is not None and identity.station_code == "QX03" and identity.station_name == "枫树岭村便民服务站"
    (folder / "station.json").unlink()
    open_context(folder).db.dispose()
    assert read_station_identity(folder) == identity
