"""The station database on disk: Alembic schema, SQLite safety settings, sync bookkeeping and upgrade backups."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from app.domain.ids import Hlc
from app.persistence import migrate
from app.persistence import tables as t
from app.persistence.database import Database
from app.persistence.engine import BUSY_TIMEOUT_MS, make_engine, sqlite_url
from app.persistence.storage import backup_sqlite, looks_like_station, quick_check

UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _schema(path: Path) -> dict[str, set[str]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT type, name, tbl_name FROM sqlite_master").fetchall()
        columns = {name: {r[1] for r in conn.execute(f"PRAGMA table_info('{name}')")}
                   for kind, name, _ in rows if kind == "table"}
    finally:
        conn.close()
    return {
        "tables": {name for kind, name, _ in rows if kind == "table"},
        # sqlite_autoindex_* back UNIQUE / PRIMARY KEY constraints; their names are SQLite's, not ours.
        "indexes": {name for kind, name, _ in rows if kind == "index" and not name.startswith("sqlite_autoindex")},
        "columns": {f"{table}.{col}" for table, cols in columns.items() for col in cols},
    }


def _metadata_schema() -> dict[str, set[str]]:
    return {
        "tables": set(t.metadata.tables),
        "indexes": {ix.name for table in t.metadata.tables.values() for ix in table.indexes if ix.name},
        "columns": {f"{table.name}.{c.name}" for table in t.metadata.tables.values() for c in table.columns},
    }


def test_migrating_an_empty_file_to_head_gives_exactly_the_tables_and_indexes_of_the_metadata(
        tmp_path: Path) -> None:
    path = tmp_path / "station.sqlite3"
    engine = make_engine(sqlite_url(path))
    result = migrate.upgrade(engine, backup_dir=tmp_path / "backups")
    engine.dispose()
    assert result.from_revision is None
    assert result.to_revision == migrate.head_revision()
    assert result.backup is None  # nothing to back up in a new file

    migrated = _schema(path)
    expected = _metadata_schema()
    assert migrated["tables"] == expected["tables"] | {"alembic_version"}
    assert migrated["indexes"] == expected["indexes"]
    assert migrated["columns"] - {"alembic_version.version_num"} == expected["columns"]


def test_the_migrated_schema_matches_what_create_all_would_make(tmp_path: Path) -> None:
    # create_all only here, as the reference the migrations must agree with.
    reference = tmp_path / "reference.sqlite3"
    engine = create_engine(sqlite_url(reference))
    t.metadata.create_all(engine)
    engine.dispose()
    migrated = tmp_path / "station.sqlite3"
    engine = make_engine(sqlite_url(migrated))
    migrate.upgrade(engine)
    engine.dispose()
    a, b = _schema(reference), _schema(migrated)
    assert a["tables"] | {"alembic_version"} == b["tables"]
    assert a["indexes"] == b["indexes"]


def test_opening_a_folder_stamps_the_head_revision(tmp_path: Path) -> None:
    db = Database.open_folder(tmp_path)
    try:
        assert migrate.current_revision(db.engine) == migrate.head_revision()
    finally:
        db.dispose()


def test_every_connection_has_wal_full_sync_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    db = Database.open_folder(tmp_path)
    try:
        with db.engine.connect() as conn:
            pragma = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                      for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}
    finally:
        db.dispose()
    assert pragma == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": BUSY_TIMEOUT_MS}
    assert BUSY_TIMEOUT_MS == 10_000


def test_a_unit_of_work_takes_the_write_lock_when_it_begins(tmp_path: Path) -> None:
    db = Database.open_folder(tmp_path)
    try:
        with db.unit_of_work():
            other = sqlite3.connect(db.sqlite_path(), timeout=0, isolation_level=None)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()
    finally:
        db.dispose()


def _count(db: Database, table: str) -> int:
    conn = sqlite3.connect(db.sqlite_path())
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_every_insert_and_update_through_the_unit_of_work_writes_a_change_log_row(tmp_path: Path) -> None:
    db = Database.open_folder(tmp_path)
    try:
        with db.unit_of_work() as uow:
            uow.origin = "QX01"
            town_id = uow.add("towns", {"code": "330127101", "name": "青溪镇"})
            uow.change("towns", town_id, {"name": "青溪乡"})
            uow.tombstone("towns", town_id)
            uow.commit()
        with db.unit_of_work() as uow:
            log = [dict(r) for r in uow.conn.execute(select(t.change_log).order_by(t.change_log.c.seq)).mappings()]
            town = uow.conn.execute(select(t.towns).where(t.towns.c.id == town_id)).mappings().one()
    finally:
        db.dispose()
    assert [(r["table_name"], r["row_id"], r["op"]) for r in log] == [
        ("towns", town_id, "upsert"), ("towns", town_id, "upsert"), ("towns", town_id, "delete")]
    assert town["deleted"] is True
    assert town["name"] == "青溪乡"
    assert town["updated_hlc"] == log[-1]["hlc"]
    assert town["created_hlc"] == log[0]["hlc"]


def test_a_rolled_back_unit_of_work_leaves_neither_the_record_nor_its_change_log_row(tmp_path: Path) -> None:
    db = Database.open_folder(tmp_path)
    try:
        with db.unit_of_work() as uow:
            uow.add("towns", {"code": "330127101", "name": "青溪镇"})
            uow.audit(staff_id="", action="test.rollback")
            # leaving without commit() rolls back
        with pytest.raises(RuntimeError), db.unit_of_work() as uow:
            uow.add("towns", {"code": "330127102", "name": "石门镇"})
            raise RuntimeError("the counter PC lost power")
        assert _count(db, "towns") == 0
        assert _count(db, "change_log") == 0
        assert _count(db, "audit_log") == 0
    finally:
        db.dispose()


def test_add_many_writes_one_change_log_row_per_record(tmp_path: Path) -> None:
    db = Database.open_folder(tmp_path)
    try:
        with db.unit_of_work() as uow:
            uow.add_many("villages", [{"town_code": "T1", "code": f"V{i:02d}", "name": f"村{i}"} for i in range(5)])
            uow.commit()
        assert _count(db, "villages") == 5
        assert _count(db, "change_log") == 5
    finally:
        db.dispose()


def test_records_carry_uuid7_ids_the_station_origin_and_increasing_hlc_stamps(tmp_path: Path) -> None:
    db = Database.open_folder(tmp_path)
    try:
        with db.unit_of_work() as uow:
            uow.meta_set("station_code", "QX01")
            uow.commit()
        ids = []
        for i in range(20):
            with db.unit_of_work() as uow:  # the origin comes from the station code in meta
                ids.append(uow.add("villages", {"town_code": "T1", "code": f"V{i:02d}", "name": f"村{i}"}))
                uow.commit()
        with db.unit_of_work() as uow:
            rows = [dict(r) for r in uow.conn.execute(select(t.villages).order_by(t.villages.c.created_hlc))
                    .mappings()]
            log_hlcs = [r[0] for r in uow.conn.execute(select(t.change_log.c.hlc).order_by(t.change_log.c.seq))]
        node = db.node_id
    finally:
        db.dispose()
    assert [r["id"] for r in rows] == ids
    assert all(UUID7.match(i) for i in ids)
    assert len(set(ids)) == 20
    assert {r["origin"] for r in rows} == {"QX01"}
    stamps = [r["created_hlc"] for r in rows]
    assert stamps == sorted(stamps) and len(set(stamps)) == 20
    assert log_hlcs == sorted(log_hlcs) and len(set(log_hlcs)) == len(log_hlcs)
    assert all(Hlc.decode(s).node == node for s in stamps)


def test_the_clock_continues_after_the_last_stamp_when_the_database_is_reopened(tmp_path: Path) -> None:
    db = Database.open_folder(tmp_path)
    with db.unit_of_work() as uow:
        uow.add("towns", {"code": "T1", "name": "青溪镇"})
        uow.commit()
    node, last = db.node_id, db.clock.last
    db.dispose()
    again = Database.open_folder(tmp_path)
    try:
        assert again.node_id == node
        assert again.clock.now() > last
    finally:
        again.dispose()


def test_opening_a_database_already_at_head_makes_no_backup(tmp_path: Path) -> None:
    # "No needless backup"; the "back up, then upgrade" branch runs on files made by earlier releases in
    # tests/integration/test_upgrades.py (tests/fixtures/schemas/).
    Database.open_folder(tmp_path).dispose()
    engine = make_engine(sqlite_url(tmp_path / "station.sqlite3"))
    try:
        result = migrate.upgrade(engine, backup_dir=tmp_path / "backups")
    finally:
        engine.dispose()
    assert result.from_revision == result.to_revision == migrate.head_revision()
    assert result.backup is None
    assert list((tmp_path / "backups").iterdir()) == []


def test_the_backup_function_copies_a_live_wal_database_into_one_sound_file(tmp_path: Path) -> None:
    db = Database.open_folder(tmp_path / "data")
    try:
        with db.unit_of_work() as uow:
            uow.meta_set("station_code", "QX01")
            for i in range(50):
                uow.add("villages", {"town_code": "T1", "code": f"V{i:02d}", "name": f"村{i}"})
            uow.commit()
        # the writes are still in the -wal file: the copy must include them
        dest = backup_sqlite(db.sqlite_path(), tmp_path / "copies" / "copy.sqlite3")
    finally:
        db.dispose()
    assert quick_check(dest) is None
    assert looks_like_station(dest)
    conn = sqlite3.connect(dest)
    try:
        assert conn.execute("SELECT count(*) FROM villages").fetchone()[0] == 50
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()
    assert not Path(str(dest) + "-wal").exists()


def test_change_log_rows_are_written_with_the_commit_in_the_order_the_changes_were_made(tmp_path: Path) -> None:
    db = Database.open_folder(tmp_path)
    try:
        with db.unit_of_work() as uow:
            town_id = uow.add("towns", {"code": "330127101", "name": "青溪镇"})
            uow.add_many("villages", [{"town_code": "330127101", "code": f"V{i}", "name": f"村{i}"} for i in (1, 2)])
            uow.change("towns", town_id, {"name": "青溪乡"})
            assert _count(db, "change_log") == 0  # nothing visible before the commit
            assert uow.pending_changes() == 4
            uow.commit()
        with db.unit_of_work() as uow:
            log = [(r[0], r[1]) for r in uow.conn.execute(
                select(t.change_log.c.table_name, t.change_log.c.op).order_by(t.change_log.c.seq))]
    finally:
        db.dispose()
    assert log == [("towns", "upsert"), ("villages", "upsert"), ("villages", "upsert"), ("towns", "upsert")]


def test_a_station_made_by_the_first_release_is_backed_up_and_upgraded_keeping_its_cases(tmp_path: Path) -> None:
    """Revision 0001 as the first release left it, with a station and a case, then opened by this release. The
    station is made with today's services and taken back to 0001 by the migrations' downgrades (today's
    services read columns added since 0001)."""
    from datetime import date

    from app.domain.staff import Role
    from app.services.cases import accept_case, get_case
    from app.services.context import ServiceContext, open_context
    from app.services.demo import DEMO_VILLAGES
    from app.services.ratings import rate_case
    from app.services.residents import register_resident
    from app.services.staff import add_staff, authenticate
    from app.services.station import VillageSpec, init_station
    from tests.helpers import make_id

    folder = tmp_path / "station"
    folder.mkdir()
    engine = make_engine(sqlite_url(folder / "station.sqlite3"))
    migrate.upgrade(engine)
    old = ServiceContext(db=Database(engine))
    init_station(old, town_code="330127101", town_name="青溪镇", villages=[VillageSpec(c, n) for c, n in DEMO_VILLAGES],
                 station_code="QX01", station_name="青溪村便民服务站", village_code="V01",
                 admin_username="zhanzhang", admin_name="王秀英", admin_password="old-release-1")
    head = authenticate(old, username="zhanzhang", password="old-release-1")
    add_staff(old, actor=head, username="xiaoli", display_name="李晓丽", staff_no="002", role=Role.CLERK,
              password="old-release-2")
    person = register_resident(old, actor=head, name="张三", id_number=make_id(date(1980, 5, 6), True), village="V01")
    item = old.catalog.item("S08")
    case = accept_case(old, actor=head, applicant_id=person.id, item_code="S08",
                       received_materials=[m.code for m in item.materials]).case
    engine.dispose()
    from sqlalchemy import create_engine

    plain = create_engine(sqlite_url(folder / "station.sqlite3"))  # SQLite rebuilds tables: no FK checks then
    migrate.downgrade(plain, target="0001")
    plain.dispose()
    assert migrate.current_revision(make_engine(sqlite_url(folder / "station.sqlite3"))) == "0001"

    new = open_context(folder)
    try:
        assert migrate.current_revision(new.db.engine) == migrate.head_revision()
        assert list((folder / "backups").glob("before-upgrade-0001-*.sqlite3"))  # the old file, kept
        assert get_case(new, case_id=case.id).case_no == case.case_no
        clerk = authenticate(new, username="xiaoli", password="old-release-2")
        assert rate_case(new, actor=clerk, case_id=case.id, level=4).case_no == case.case_no  # the new tables work
    finally:
        new.db.dispose()


def test_the_head_read_from_the_migration_files_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    assert migrate.head_revision() == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


def test_starting_on_a_current_database_does_not_import_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    Database.open_folder(tmp_path).dispose()  # created and migrated
    code = ("import sys; from pathlib import Path; from app.persistence.database import Database; "
            f"Database.open_folder(Path({str(tmp_path)!r})).dispose(); print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "False"


def test_a_damaged_database_file_is_refused_with_a_message_and_left_untouched(tmp_path: Path) -> None:
    from app.domain.errors import DomainError
    from app.messages import describe

    tmp_path.mkdir(exist_ok=True)
    damaged = tmp_path / "station.sqlite3"
    junk = bytes(range(256)) * 20
    damaged.write_bytes(junk)
    with pytest.raises(DomainError) as caught:
        Database.open_folder(tmp_path)
    assert caught.value.code == "db.unreadable"
    assert "打不开" in describe(caught.value) and "backups" in describe(caught.value)
    assert damaged.read_bytes() == junk  # nothing overwritten: the technician may still rescue it
