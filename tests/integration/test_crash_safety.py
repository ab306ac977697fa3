"""A case the counter accepted survives the process being killed; numbers stay unique and gap-free."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from app.persistence.storage import database_path
from app.services.cases import accept_case
from app.services.context import open_context
from app.services.demo import DEMO_VILLAGES
from app.services.residents import register_resident
from app.services.staff import authenticate, get_actor
from app.services.station import VillageSpec, init_station
from tests.helpers import make_id

pytestmark = pytest.mark.slow

LOOP = Path(__file__).with_name("accept_loop.py")
FIXED_NOW = datetime(2026, 11, 23, 10, 0)  # the same fixed day as accept_loop.py
DAY = "QX01-20261123-"


@dataclass(frozen=True)
class Station:
    data_dir: Path
    staff_id: str
    resident_id: str


@pytest.fixture
def closed_station(tmp_path: Path) -> Iterator[Station]:
    """A station set up and closed again, ready for other processes to open."""
    data_dir = tmp_path / "station"
    ctx = open_context(data_dir, now=lambda: FIXED_NOW)
    try:
        init_station(ctx, town_code="330127101", town_name="青溪镇",
                     villages=[VillageSpec(c, n) for c, n in DEMO_VILLAGES], station_code="QX01",
                     station_name="青溪村便民服务站", village_code="V01", admin_username="zhanzhang",
                     admin_name="王秀英", admin_password="demo2026")
        head = authenticate(ctx, username="zhanzhang", password="demo2026")
        resident = register_resident(ctx, actor=head, name="张三", id_number=make_id(date(1980, 5, 6), True),
                                     village="V01")
    finally:
        ctx.db.dispose()
    yield Station(data_dir, head.staff_id, resident.id)


def _start(st: Station, count: int | None = None) -> subprocess.Popen[str]:
    args = [sys.executable, str(LOOP), str(st.data_dir), st.staff_id, st.resident_id]
    if count is not None:
        args.append(str(count))
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8")
    assert proc.stdout is not None
    first = proc.stdout.readline().strip()
    if first != "ready":
        proc.kill()
        raise AssertionError(f"helper did not start: {first!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc


def _assert_consistent(path: Path) -> int:
    """Check the file as found after a crash; return how many cases it holds."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        cases = conn.execute("SELECT id, case_no FROM cases ORDER BY case_no").fetchall()
        numbers = [no for _, no in cases]
        assert numbers == [f"{DAY}{n:04d}" for n in range(1, len(numbers) + 1)], "a gap or a duplicate"
        last = conn.execute("SELECT last_value FROM sequences WHERE station_code = 'QX01' AND kind = 'case'").fetchone()
        assert (last[0] if last else 0) == len(numbers), "a number was taken without its case"
        logged = {r[0] for r in conn.execute("SELECT row_id FROM change_log")}
        audited = {r[0] for r in conn.execute("SELECT target_id FROM audit_log WHERE action = 'case.accepted'")}
        for case_id, case_no in cases:
            materials = conn.execute("SELECT id, received FROM case_materials WHERE case_id = ?", (case_id,)).fetchall()
            events = conn.execute("SELECT id, action FROM case_events WHERE case_id = ?", (case_id,)).fetchall()
            assert len(materials) == 2 and all(r for _, r in materials), f"{case_no}: materials missing"
            assert [a for _, a in events] == ["accept"], f"{case_no}: accept event missing"
            needed = {case_id} | {m for m, _ in materials} | {e for e, _ in events}
            assert needed <= logged, f"{case_no}: change_log rows missing"
            assert case_id in audited, f"{case_no}: audit entry missing"
        return len(numbers)
    finally:
        conn.close()


def test_killing_the_process_while_it_accepts_cases_never_leaves_a_half_written_case(
        closed_station: Station) -> None:
    rng = random.Random()
    path = database_path(closed_station.data_dir)
    total = 0
    for _ in range(3):
        proc = _start(closed_station)
        assert proc.stdout is not None
        printed = [proc.stdout.readline().strip() for _ in range(30 + rng.randrange(20))]
        time.sleep(rng.random() * 0.05)  # land somewhere inside a transaction, not just after a print
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        assert proc.stderr is not None
        proc.stderr.close()

        found = _assert_consistent(path)
        # Every number the process printed was committed before it was printed.
        assert printed == [f"{DAY}{n:04d}" for n in range(total + 1, total + len(printed) + 1)]
        assert found >= total + len(printed)
        total = found

        # The station opens normally (WAL recovered) and numbering continues at N+1.
        ctx = open_context(closed_station.data_dir, now=lambda: FIXED_NOW)
        try:
            actor = get_actor(ctx, staff_id=closed_station.staff_id)
            result = accept_case(ctx, actor=actor, applicant_id=closed_station.resident_id, item_code="S08",
                                 received_materials=["M01", "M02"])
        finally:
            ctx.db.dispose()
        total += 1
        assert result.case.case_no == f"{DAY}{total:04d}"
        assert _assert_consistent(path) == total


def test_two_processes_accepting_at_once_get_unique_gap_free_numbers(closed_station: Station) -> None:
    per_process = 100
    procs = [_start(closed_station, per_process) for _ in range(2)]
    for proc in procs:  # both are open and waiting: let them go together
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        outputs.append(out.split())
    assert all(len(o) == per_process for o in outputs)
    numbers = sorted(outputs[0] + outputs[1])
    assert numbers == [f"{DAY}{n:04d}" for n in range(1, 2 * per_process + 1)]
    # each process saw its own numbers rising
    assert all(o == sorted(o) for o in outputs)
    assert _assert_consistent(database_path(closed_station.data_dir)) == 2 * per_process
