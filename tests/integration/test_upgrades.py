"""Installing a newer release over an older one keeps the data: station files made by earlier releases' own code
(tests/fixtures/schemas, see its README) are opened the way the counter opens a station folder — checked, backed
up, migrated — and everything they held is still there and still works."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from app.domain.cases import CaseState
from app.persistence import migrate, storage
from app.services import closing, maintenance, points, residents
from app.services.backups import backups
from app.services.cases import accept_case, list_cases
from app.services.context import ServiceContext, open_context
from app.services.demo import DEMO_PASSWORD
from app.services.payments import find_payment
from app.services.staff import authenticate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
DAY = datetime(2026, 11, 24, 16, 0)  # the day the fixtures' stations worked (their cases are numbered so)

# revision → (file, residents, cases, payments): what each release's demo left
KNOWN = {
    "0001": ("0001-first-release.sqlite3", 300, 7, 0),
    "0005": ("0005-points.sqlite3", 300, 7, 0),
    "0007": ("0007-town-sync.sqlite3", 300, 9, 2),
    "0011": ("0011-staff-merge.sqlite3", 300, 9, 2),
    "0014": ("0014-keyed-seals.sqlite3", 300, 9, 2),
}


@dataclass(frozen=True)
class Before:
    """What the old file held, read with plain SQL before this release touches it."""

    residents: int
    someone: tuple[str, str, str]  # id, name, ID number
    cases: list[tuple[str, str]]  # number, state
    balances: list[tuple[str, str, int]]  # a resident of the account, its holder's name, balance
    payments: list[tuple[str, int, str]]  # case number, total in fen, method
    closes: list[str]
    audit: int


def _read(path: Path) -> Before:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        someone = conn.execute("SELECT id, name, id_number FROM residents ORDER BY id_number LIMIT 1").fetchone()
        balances, payments, closes = [], [], []
        if "points_entries" in tables:
            # a household's account is looked up through one of its members
            balances = conn.execute(
                "SELECT coalesce((SELECT r.id FROM residents r WHERE r.household_id = a.holder_id ORDER BY r.id"
                " LIMIT 1), a.holder_id), a.holder_name, sum(e.points) FROM points_accounts a JOIN points_entries e"
                " ON e.account_id = a.id GROUP BY a.id ORDER BY a.holder_name").fetchall()
        if "payments" in tables:
            payments = conn.execute("SELECT c.case_no, p.total_fen, p.method FROM payments p JOIN cases c"
                                    " ON c.id = p.case_id ORDER BY c.case_no").fetchall()
        if "day_closes" in tables:
            closes = [r[0] for r in conn.execute("SELECT day FROM day_closes ORDER BY day")]
        return Before(
            residents=conn.execute("SELECT count(*) FROM residents").fetchone()[0], someone=someone,
            cases=conn.execute("SELECT case_no, state FROM cases ORDER BY case_no").fetchall(),
            balances=balances, payments=payments, closes=closes,
            audit=conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture(params=sorted(KNOWN), ids=lambda rev: f"from-{rev}")
def old_station(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """A copy of one fixture as a station folder (the fixture itself is never opened)."""
    folder = tmp_path / "station"
    folder.mkdir()
    shutil.copyfile(FIXTURES / KNOWN[request.param][0], folder / "station.sqlite3")
    return request.param, folder


def _open(folder: Path) -> ServiceContext:
    return open_context(folder, now=lambda: DAY)


def test_every_fixture_is_at_its_revision_and_small() -> None:
    for revision, (name, *_) in KNOWN.items():
        path = FIXTURES / name
        assert storage.revision(path) == revision
        assert path.stat().st_size < 2 * 1024 * 1024
        assert storage.quick_check(path) is None


def test_an_older_station_is_backed_up_then_migrated_to_head(old_station: tuple[str, Path]) -> None:
    revision, folder = old_station
    before = _read(folder / "station.sqlite3")
    ctx = _open(folder)
    try:
        assert migrate.current_revision(ctx.db.engine) == migrate.head_revision()
    finally:
        ctx.db.dispose()
    [copy] = list((folder / "backups").glob(f"before-upgrade-{revision}-*.sqlite3"))
    # the copy is the old file as it was: sound, at the old revision, with the same records
    assert storage.quick_check(copy) is None and storage.looks_like_station(copy)
    assert storage.revision(copy) == revision
    assert _read(copy) == before
    listed = {b.path: b for b in backups(folder)}
    assert listed[copy].kind == "before-upgrade" and listed[copy].revision == revision and listed[copy].ok


def test_the_data_survives_the_upgrade(old_station: tuple[str, Path]) -> None:
    revision, folder = old_station
    _, people, n_cases, n_payments = KNOWN[revision]
    before = _read(folder / "station.sqlite3")
    assert (before.residents, len(before.cases), len(before.payments)) == (people, n_cases, n_payments)
    ctx = _open(folder)
    try:
        head = authenticate(ctx, username="zhanzhang", password=DEMO_PASSWORD)  # passwords kept too
        with ctx.read() as uow:
            assert uow.repos.residents.count() == before.residents
        resident_id, name, id_number = before.someone
        [found] = residents.find_residents(ctx, query=id_number).residents
        assert (found.id, found.name) == (resident_id, name)
        assert [(c.case_no, c.state.value) for c in list_cases(ctx, limit=1000)][::-1] == before.cases
        if revision >= "0005":
            assert before.balances  # the demo credited points
        for resident, holder, balance in before.balances:
            account = points.account_of(ctx, resident_id=resident)
            assert (account.holder_name, account.balance) == (holder, balance)
        for case_no, total, method in before.payments:
            paid = find_payment(ctx, ref=case_no)
            assert (paid.total_fen, paid.method.value) == (total, method)
        assert [c.day.isoformat() for c in closing.closes(ctx)][::-1] == before.closes
        report = maintenance.check(ctx, actor=head)
        # the audit chain verifies, case numbers have no gaps, the money chain (from 0006) is intact; from 0014 the
        # keys that sealed the entries live in the station's key store, apart from the file, and a fixture is the
        # file alone: check says so for each keyed entry, and finds nothing else
        findings = [f for f in report.findings
                    if not (revision >= "0014" and f.code in ("check.audit_key_missing", "check.chain_key_missing"))]
        assert not findings, findings
        assert report.audit_entries >= before.audit and report.cases == len(before.cases)
    finally:
        ctx.db.dispose()


def test_the_upgrade_reads_every_name_again_by_its_name_reading_and_finds_both_readings(tmp_path: Path) -> None:
    folder = tmp_path / "station"
    folder.mkdir()
    shutil.copyfile(FIXTURES / KNOWN["0014"][0], folder / "station.sqlite3")
    conn = sqlite3.connect(folder / "station.sqlite3")
    try:  # two residents renamed, with the keys the 0014 release computed for them (长 zhǎng, 乐 lè only)
        first, second = (r[0] for r in conn.execute("SELECT id FROM residents ORDER BY id LIMIT 2"))
        conn.execute("UPDATE residents SET name = '李长青', name_initials = 'lzq' WHERE id = ?", (first,))
        conn.execute("UPDATE residents SET name = '王乐天', name_initials = 'wlt' WHERE id = ?", (second,))
        conn.commit()
    finally:
        conn.close()
    ctx = _open(folder)
    try:
        for query, who in (("lcq", first), ("wlt", second), ("wyt", second)):
            assert who in [r.id for r in residents.find_residents(ctx, query=query).residents], query
        assert first not in [r.id for r in residents.find_residents(ctx, query="lzq").residents]
    finally:
        ctx.db.dispose()


def test_the_upgraded_station_takes_new_cases_numbered_after_the_old_ones(old_station: tuple[str, Path]) -> None:
    _, folder = old_station
    before = _read(folder / "station.sqlite3")
    ctx = _open(folder)
    try:
        clerk = authenticate(ctx, username="xiaoli", password=DEMO_PASSWORD)
        item = ctx.catalog.item("S08")
        case = accept_case(ctx, actor=clerk, applicant_id=before.someone[0], item_code="S08",
                           received_materials=[m.code for m in item.materials]).case
        last = max(no for no, _ in before.cases if no.startswith("QX01-20261124-"))
        assert case.case_no == f"QX01-20261124-{int(last[-4:]) + 1:04d}"
        assert case.state is CaseState.ACCEPTED
    finally:
        ctx.db.dispose()


def test_a_second_start_does_not_back_up_again(old_station: tuple[str, Path]) -> None:
    _, folder = old_station
    for _ in range(2):
        _open(folder).db.dispose()
    assert len(list((folder / "backups").glob("before-upgrade-*.sqlite3"))) == 1
    assert storage.revision(folder / "station.sqlite3") == migrate.head_revision()


def test_an_upgrade_that_cannot_back_up_first_leaves_the_old_file_alone(old_station: tuple[str, Path],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from app.domain.errors import DomainError
    from app.messages import describe

    revision, folder = old_station
    before = _read(folder / "station.sqlite3")
    monkeypatch.setattr(migrate, "verified_backup", lambda src, dest, **kw: "disk I/O error")
    with pytest.raises(DomainError) as caught:
        _open(folder)
    assert caught.value.code == "upgrade.backup_failed" and "数据库没有改动" in describe(caught.value)
    # untouched but for SQLite's journal mode, which the connection set before the upgrade was considered
    assert _read(folder / "station.sqlite3") == before
    assert storage.revision(folder / "station.sqlite3") == revision


def test_a_station_from_a_newer_release_is_refused_in_words(tmp_path: Path) -> None:
    from app.domain.errors import DomainError

    folder = tmp_path / "station"
    folder.mkdir()
    shutil.copyfile(FIXTURES / KNOWN["0011"][0], folder / "station.sqlite3")
    conn = sqlite3.connect(folder / "station.sqlite3")
    conn.execute("UPDATE alembic_version SET version_num = '0999'")
    conn.commit()
    conn.close()
    with pytest.raises(DomainError) as caught:
        _open(folder)
    assert caught.value.code == "db.newer_version"
    assert not (folder / "backups").exists() or not list((folder / "backups").iterdir())
