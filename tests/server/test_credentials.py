"""The station's sync credential lives in its key store, apart from its database: after enrolling against a real
town server (uvicorn on PostgreSQL) it is in no station file, no backup (automatic, by hand, a USB copy with its
scans), no USB sync bundle and no support bundle; a station enrolled by an earlier release has it moved out of
its file at open, its bytes wiped from the file's pages; the station's files are its owner's only."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from app.domain.errors import DomainError
from app.messages import render
from app.persistence.keystore import FOLDER, SUFFIX, SYNC_CREDENTIAL, KeyStore
from app.services import backups, maintenance
from app.services import replication as rep
from app.services.attachments import add_attachment
from app.services.cases import accept_case
from app.services.context import ServiceContext, open_context
from app.services.residents import register_resident
from app.services.staff import authenticate
from app.services.support import write_support_bundle
from app.sync import bundle, client
from tests.helpers import make_id
from tests.server.test_http_sync import Server, _enrolled
from tests.server.test_replication import PASSWORD, _station, _work

posix_only = pytest.mark.skipif(os.name != "posix", reason="owner-only file modes are POSIX's")


def _files_holding(root: Path, secret: bytes) -> list[str]:
    """Every file under ``root`` whose bytes hold ``secret`` — a zip's members read unpacked too."""
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as z:
                data += b"".join(z.read(name) for name in z.namelist())
        if secret in data:
            found.append(str(path.relative_to(root)))
    return found


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _case_with_scan(ctx: ServiceContext, head: str, tmp_path: Path) -> None:
    actor = authenticate(ctx, username=head, password=PASSWORD)
    person = register_resident(ctx, actor=actor, name="钱七", id_number=make_id(date(1970, 7, 7), True), village="V01")
    item = ctx.catalog.item("S08")
    case = accept_case(ctx, actor=actor, applicant_id=person.id, item_code="S08",
                       received_materials=[m.code for m in item.materials]).case
    scan = tmp_path / "户口簿.jpg"
    scan.write_bytes(b"\xff\xd8\xff a scan")
    add_attachment(ctx, actor=actor, case_id=case.case_no, path=scan, material_code="M02")


def test_the_credential_a_real_town_gave_is_in_no_station_file_backup_bundle_or_support_bundle(
        tmp_path: Path, server: Server) -> None:
    a = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    try:
        credential = a.keys.get(SYNC_CREDENTIAL)
        assert credential and len(credential) >= 40
        assert rep.status(a).enrolled and rep.status(a).url == server.url
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
        _case_with_scan(a, "zhanzhang", tmp_path)
        assert client.sync_once(a).pushed > 0  # the credential from the key store is the one the town knows
        head = authenticate(a, username="zhanzhang", password=PASSWORD)
        (a.data_dir / "logs").mkdir(exist_ok=True)  # a log line that quoted a request's header, say
        (a.data_dir / "logs" / "counter.log").write_text(f"DEBUG Authorization: Bearer {credential}\n", "utf-8")

        stick = tmp_path / "usb"
        stick.mkdir()
        made = [backups.automatic_backup(a, reason="close").path, maintenance.backup(a, actor=head),
                maintenance.backup(a, actor=head, dest=stick)]
        assert maintenance.copy_scans(a, actor=head, dest=stick).copied == 1
        _work(a, "zhanzhang", [("李四", date(1975, 1, 2))], "V01")
        assert bundle.export_bundle(a, stick / "QX01.sdbundle") > 0
        support = write_support_bundle(a, actor=head, dest=stick, data_location=(str(a.data_dir), "per-user"))
        assert all(p is not None and p.is_file() for p in made) and support.path.is_file()
        assert "[secret]" in zipfile.ZipFile(support.path).read("logs/counter.log").decode()

        a.db.dispose()  # every page written back to the files, as after closing the window
        # Only the key store holds it (and the log line planted above) — nothing else of the data folder,
        # nothing on the stick; nor the bundle's signing key (the credential's hash, which the town keeps).
        keys_file = f"{FOLDER}/{SYNC_CREDENTIAL}{SUFFIX}"
        assert _files_holding(tmp_path, credential.encode()) == [f"QX01/{keys_file}", "QX01/logs/counter.log"]
        signing_key = hashlib.sha256(credential.encode()).hexdigest().encode()
        assert _files_holding(tmp_path, signing_key) == []
        assert not (stick / FOLDER).exists()

        again = open_context(a.data_dir)  # the next start reads it back from the key store and syncs
        try:
            assert client.sync_once(again).pushed > 0
        finally:
            again.db.dispose()
    finally:
        a.db.dispose()


@posix_only
def test_the_station_file_its_wal_its_backups_and_its_key_store_are_the_owners_only(
        tmp_path: Path, server: Server) -> None:
    old = os.umask(0o022)  # a PC's usual umask: files would be readable by everyone
    try:
        a = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
        try:
            head = authenticate(a, username="zhanzhang", password=PASSWORD)
            stick = tmp_path / "usb"
            stick.mkdir()
            copies = [backups.automatic_backup(a, reason="exit").path, maintenance.backup(a, actor=head),
                      maintenance.backup(a, actor=head, dest=stick)]
            db = a.data_dir / "station.sqlite3"
            for path in [db, Path(f"{db}-wal"), Path(f"{db}-shm"), *copies]:
                assert path is not None and _mode(path) == 0o600, path
            assert _mode(a.data_dir / FOLDER) == 0o700
            assert _mode(a.data_dir / FOLDER / f"{SYNC_CREDENTIAL}{SUFFIX}") == 0o600
        finally:
            a.db.dispose()
    finally:
        os.umask(old)


def test_a_station_whose_key_store_lost_its_credential_still_says_enrolled_and_is_told_to_enrol_again(
        tmp_path: Path, server: Server) -> None:
    a = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    try:
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
        a.keys.delete(SYNC_CREDENTIAL)  # the database restored onto a new PC: its key store is empty
        # Enrolled is the database's own flag: the freeze rule and today's 未到镇里 still hold.
        assert rep.status(a).enrolled
        with a.read() as uow:
            case_ids = [r[0] for r in uow.conn.exec_driver_sql("SELECT id FROM cases").fetchall()]
            assert rep.pending_at_town(uow, table="cases", row_ids=case_ids) == frozenset(case_ids)
        for attempt in (lambda: client.sync_once(a), lambda: bundle.export_bundle(a, tmp_path / "x.sdbundle")):
            with pytest.raises(DomainError) as e:
                attempt()
            assert e.value.code == "keys.credential_missing"
            assert "重新生成注册码" in render(e.value.code, e.value.params)
        client.enrol(a, url=server.url, enrol_code=server.enrol_code("QX01"))  # the town gives a new one
        assert client.sync_once(a).pending == 0
    finally:
        a.db.dispose()


# -- a station enrolled by an earlier release, which kept the credential in its database's meta table ---------

def _as_an_earlier_release_left_it(ctx: ServiceContext, *credentials: str) -> None:
    """The credential in ``meta`` (enrolled once per credential, as the old save_sync_settings did), syncs
    writing meta meanwhile, the key store empty, the program closed."""
    for credential in credentials:
        with ctx.uow() as uow:
            uow.meta_set("sync.url", "https://town.example.cn")
            uow.meta_set("sync.credential", credential)
            uow.meta_set("sync.enrolled_at", datetime.now().isoformat(timespec="seconds"))
            uow.commit()
        for n in range(3):
            with ctx.uow() as uow:
                uow.meta_set("sync.cursor", str(n * 1000))
                uow.meta_set("sync.last_ok", datetime.now().isoformat(timespec="seconds"))
                uow.commit()
    ctx.keys.delete(SYNC_CREDENTIAL)
    ctx.db.dispose()


def _station_bytes(folder: Path) -> bytes:
    db = folder / "station.sqlite3"
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())


def test_an_earlier_releases_credential_is_moved_into_the_key_store_and_wiped_from_the_file_at_open(
        tmp_path: Path, server: Server) -> None:
    folder = tmp_path / "QX01"
    a = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    credential = a.keys.get(SYNC_CREDENTIAL)
    assert credential
    with a.uow() as uow:
        uow.meta_set("sync.url", server.url)  # kept as the earlier release kept it, below, with the URL
        uow.commit()
    old = "0ld-credential-replaced-by-a-re-enrolment_xyz"[:43].ljust(43, "z")
    _as_an_earlier_release_left_it(a, old, credential)
    with sqlite3.connect(folder / "station.sqlite3") as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'sync.url'", (server.url,))
    assert credential.encode() in _station_bytes(folder)  # where it was: the test can see it

    b = open_context(folder)
    try:
        assert b.keys.get(SYNC_CREDENTIAL) == credential
        with b.read() as uow:
            assert uow.meta_get("sync.credential") is None and uow.meta_get("sync.enrolled_at")
        b.db.dispose()
        raw = _station_bytes(folder)
        assert credential.encode() not in raw and old.encode() not in raw
        assert not Path(f"{folder / 'station.sqlite3'}-wal").exists() or \
            Path(f"{folder / 'station.sqlite3'}-wal").stat().st_size == 0

        c = open_context(folder)  # once only: nothing to move the next time, and it still syncs
        try:
            assert c.keys.get(SYNC_CREDENTIAL) == credential and rep.status(c).enrolled
            _work(c, "zhanzhang", [("王五", date(1990, 3, 4))], "V01")
            assert client.sync_once(c).pushed > 0
        finally:
            c.db.dispose()
        assert credential.encode() not in _station_bytes(folder)
    finally:
        b.db.dispose()
        a.db.dispose()


def test_a_restored_old_backup_does_not_bring_back_a_credential_the_key_store_has_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "QX01"
    ctx = _station(folder, "QX01", "V01", "zhanzhang")
    _as_an_earlier_release_left_it(ctx, "a" * 43)
    KeyStore(folder).put(SYNC_CREDENTIAL, "the-newer-one-from-a-re-enrolment")
    again = open_context(folder)
    try:
        assert again.keys.get(SYNC_CREDENTIAL) == "the-newer-one-from-a-re-enrolment"
        with again.read() as uow:
            assert uow.meta_get("sync.credential") is None
    finally:
        again.db.dispose()
    assert b"a" * 43 not in _station_bytes(folder)


@posix_only
def test_a_station_file_and_backups_made_readable_by_everyone_are_tightened_at_open(tmp_path: Path) -> None:
    folder = tmp_path / "QX01"
    ctx = _station(folder, "QX01", "V01", "zhanzhang")
    copy = backups.automatic_backup(ctx, reason="close").path
    ctx.db.dispose()
    assert copy is not None
    db = folder / "station.sqlite3"
    for path in (db, copy):
        os.chmod(path, 0o644)  # as an earlier release left them
    again = open_context(folder)
    try:
        assert _mode(db) == 0o600 and _mode(copy) == 0o600
        assert _mode(Path(f"{db}-wal")) == 0o600
    finally:
        again.db.dispose()
