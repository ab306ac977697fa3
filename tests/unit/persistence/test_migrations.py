"""Older stations are backed up, upgraded and go on working: one made before printed documents existed
(revision 0002) numbers its first receipt; a receipt issued before documents kept their content (0003) is
reprinted by drawing it again from its case."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from app.domain.staff import Actor
from app.persistence import migrate
from app.persistence.database import Database
from app.persistence.engine import make_engine, sqlite_url
from app.services.cases import CaseView, accept_case
from app.services.context import ServiceContext, open_context
from app.services.demo import DEMO_VILLAGES
from app.services.documents import issue_document, list_documents
from app.services.paper import PrintJob
from app.services.residents import register_resident
from app.services.staff import authenticate
from app.services.station import VillageSpec, init_station
from tests.helpers import make_id


def _old_station(folder: Path, revision: str, cases: int) -> tuple[Engine, Actor, list[CaseView]]:
    """A station as the release at ``revision`` left it, with ``cases`` accepted cases of S08: made with
    today's services, then taken back to ``revision`` by the migrations' own downgrades (today's services no
    longer run on an old schema: they read columns added since)."""
    folder.mkdir()
    engine = make_engine(sqlite_url(folder / "station.sqlite3"))
    migrate.upgrade(engine)
    old = ServiceContext(db=Database(engine))
    init_station(old, town_code="330127101", town_name="青溪镇", villages=[VillageSpec(c, n) for c, n in DEMO_VILLAGES],
                 station_code="QX01", station_name="青溪村便民服务站", village_code="V01",
                 admin_username="zhanzhang", admin_name="王秀英", admin_password="old-release-1")
    head = authenticate(old, username="zhanzhang", password="old-release-1")
    person = register_resident(old, actor=head, name="张三", id_number=make_id(date(1980, 5, 6), True), village="V01")
    item = old.catalog.item("S08")
    made = [accept_case(old, actor=head, applicant_id=person.id, item_code="S08",
                        received_materials=[m.code for m in item.materials]).case for _ in range(cases)]
    old.db.dispose()
    plain = create_engine(sqlite_url(folder / "station.sqlite3"))  # SQLite rebuilds tables: no FK checks then
    migrate.downgrade(plain, target=revision)
    assert migrate.current_revision(plain) == revision
    plain.dispose()
    return make_engine(sqlite_url(folder / "station.sqlite3")), head, made


def test_a_station_at_0002_is_backed_up_upgraded_and_prints_its_old_cases(tmp_path: Path) -> None:
    folder = tmp_path / "station"
    engine, _, (case,) = _old_station(folder, "0002", cases=1)
    engine.dispose()

    new = open_context(folder)
    try:
        assert migrate.current_revision(new.db.engine) == migrate.head_revision() == "0015"
        assert list((folder / "backups").glob("before-upgrade-0002-*.sqlite3"))
        head = authenticate(new, username="zhanzhang", password="old-release-1")

        def render(job: PrintJob) -> bytes:
            return job.stamp.number.encode()

        done = issue_document(new, actor=head, kind="receipt", subject=case.case_no, render=render)
        assert done.pdf == b"QX01-SL" + str(new.now().year).encode() + b"-000001"
        assert [d.case_no for d in list_documents(new)] == [case.case_no]
    finally:
        new.db.dispose()


def test_a_receipt_issued_at_0003_is_reprinted_from_its_case_and_new_ones_keep_their_content(tmp_path: Path) -> None:
    folder = tmp_path / "station"
    engine, head, cases = _old_station(folder, "0003", cases=2)
    year = datetime.now().year
    first, second_no = f"QX01-SL{year}-000001", f"QX01-SL{year}-000002"
    with engine.begin() as conn:  # the row as release 0003 wrote it: no content column yet
        conn.execute(text(
            "INSERT INTO documents (id, origin, created_hlc, updated_hlc, station_code, kind, number, subject_type,"
            " subject_id, case_id, paper, issued_at, issued_by) VALUES ('d1', 'QX01', 'h', 'h', 'QX01', 'receipt',"
            " :number, 'case', :case, :case, '80mm', '2026-11-23T09:00:00', :staff)"),
            {"case": cases[0].id, "staff": head.staff_id, "number": first})
        conn.execute(text("INSERT INTO sequences VALUES ('QX01', 'doc.receipt', :year, 1)"), {"year": str(year)})
    engine.dispose()

    new = open_context(folder)
    try:
        head = authenticate(new, username="zhanzhang", password="old-release-1")

        def render(job: PrintJob) -> bytes:
            return f"{job.stamp.number}|{job.stamp.reprint}|{getattr(job.body, 'case_no', '')}".encode()

        again = issue_document(new, actor=head, kind="receipt", subject=first, render=render)
        assert again.pdf == f"{first}|True|{cases[0].case_no}".encode()
        second = issue_document(new, actor=head, kind="receipt", subject=cases[1].case_no, render=render)
        assert second.number == second_no
        with new.db.engine.connect() as conn:
            kept = conn.execute(text("SELECT number, content_json IS NOT NULL FROM documents ORDER BY number")).all()
        assert [tuple(r) for r in kept] == [(first, 0), (second_no, 1)]
    finally:
        new.db.dispose()


def test_a_payment_taken_at_0005_is_booked_to_its_day_keeps_its_method_and_the_case_can_be_paid_again(
        tmp_path: Path) -> None:
    """Release 0005 stored one payment per case with its method in Chinese; 0006 books it to the day it was
    taken, stores the method by code, names its item, and lets a case be paid again once a payment was voided."""
    from app.domain.money import PaymentMethod, PaymentState
    from app.services.cash import open_drawer
    from app.services.payments import get_payment, payment_event, record_payment

    folder = tmp_path / "station"
    engine, head, (case,) = _old_station(folder, "0005", cases=1)
    with engine.begin() as conn:  # the row as release 0005 wrote it
        conn.execute(text(
            "INSERT INTO payments (id, origin, created_hlc, updated_hlc, station_code, case_id, kind, payee,"
            " lines_json, total_fen, method, reference, cashier_id, paid_at) VALUES ('p1', 'QX01', 'h', 'h', 'QX01',"
            " :case, 'fee', '县人力社保局', '[[\"社保卡工本费\", 2000]]', 2000, '现金', '', :staff,"
            " '2026-11-20T10:15:00')"), {"case": case.id, "staff": head.staff_id})
    engine.dispose()

    new = open_context(folder)
    try:
        old = get_payment(new, case_id=case.id)
        assert (old.business_day, old.method, old.item_code, old.state) == (
            date(2026, 11, 20), PaymentMethod.CASH, "S08", PaymentState.COLLECTED)
        head = authenticate(new, username="zhanzhang", password="old-release-1")
        open_drawer(new, actor=head, float_fen=20000)
        payment_event(new, actor=head, payment_id="p1", event="voided", reason="收错了", approver=head)
        again = record_payment(new, actor=head, case_id=case.id, method="cash", amount_fen=2000, tendered_fen=5000)
        assert (again.total_fen, again.change_fen) == (2000, 3000)
        assert get_payment(new, case_id=case.id).id == again.id
    finally:
        new.db.dispose()
