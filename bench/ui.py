"""Figures of the counter window (issue 3), on the generated town, with Qt's offscreen platform:

- cold start: process start to the first paint of the real program's window (its login page, taking
  keys), beside the first paint of a bare PySide6 window, each the median of several fresh processes;
  then, in the same program, Enter on a login typed 2 s after the window appeared to the counter page's
  first paint, and the counter page's first paint when the login is typed the moment the window paints;
- search as you type: from setting the text of the search line (what a key press does) to the result
  table holding the results for that text, p95;
- GUI stalls: the longest gap of a 5 ms timer on the GUI thread during a scripted counter session
  (type, choose, item, materials, accept — several residents).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.figures import Figure, percentile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

START_RATIO_LIMIT = 1.5
SEARCH_P95_LIMIT_MS = 50.0
STALL_LIMIT_MS = 100.0


def _start(args: list[str]) -> tuple[float, dict[str, float]]:
    """Milliseconds from starting ``bench.ui_start ARGS`` to its ``painted`` line, and the figures it printed."""
    # An installed program starts from compiled bytecode (pip and the installer write it); a shell with
    # PYTHONDONTWRITEBYTECODE would have every run compile the program's sources again, which is not a start.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    printed: dict[str, float] = {}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.ui_start", *args], stdout=subprocess.PIPE, text=True,
                            env={**env, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "painted":
            elapsed = (time.perf_counter() - t0) * 1000
            break
        name, _, value = line.strip().rpartition(" ")
        if name:
            printed[name] = float(value)
    else:
        raise RuntimeError(f"bench.ui_start {args} never painted")
    proc.wait(timeout=60)
    return elapsed, printed


def cold_start(folder: Path, runs: int = 7) -> tuple[list[Figure], dict[str, Any]]:
    from app.services.demo import DEMO_PASSWORD, DEMO_STAFF

    station = [str(folder), DEMO_STAFF[0][0], DEMO_PASSWORD]
    for mode in (["bare"], ["counter", *station]):  # a first, uncounted run writes the bytecode
        _start(mode)
    bare: list[float] = []
    login: list[float] = []
    counter: list[float] = []
    typed: list[float] = []
    for _ in range(runs):  # interleaved, so a slow minute of a shared machine hits every kind alike
        bare.append(_start(["bare"])[0])
        login.append(_start(["login", *station])[0])
        counter.append(_start(["counter", *station])[0])
        typed.append(_start(["typed", *station])[1]["login-to-counter"])
    b, g, c, t = (statistics.median(x) for x in (bare, login, counter, typed))
    paired = statistics.median(x / y for x, y in zip(login, bare, strict=True))
    return [
        Figure("ui: cold start to the counter window, taking keys / bare window", paired, "x", START_RATIO_LIMIT,
               detail=f"median over {runs} back-to-back pairs of fresh processes of `python -m app` (its window: "
                      f"login page, cursor in the account field) and of a bare PySide6 window; medians "
                      f"{g:.0f} ms and {b:.0f} ms (ratio of medians {g / b:.2f})"),
        Figure("ui: Enter on the login to the counter page, login typed after 2 s (median)", t, "ms",
               detail="the station opened and the counter was built behind the login page meanwhile; most of "
                      "it is checking the password (Argon2id, m=19 MiB, t=2, on the database thread)"),
        Figure("ui: cold start to the counter page, logging in at once / bare window",
               statistics.median(x / y for x, y in zip(counter, bare, strict=True)), "x",
               detail=f"login typed by the bench the moment the window paints: {c:.0f} ms, which is opening the "
                      f"station (loading SQLAlchemy, reportlab) and building the counter"),
        Figure("ui: cold start to the counter window (median)", g, "ms"),
        Figure("ui: first paint of a bare PySide6 window (median)", b, "ms"),
    ], {"bare_ms": bare, "login_ms": login, "counter_ms": counter, "login_to_counter_ms": typed}


def interactive(ctx: Any, head: Any, queries: list[str], *, sessions: int,
                log: Callable[[str], None]) -> tuple[list[Figure], dict[str, Any]]:
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.services.station import station_view
    from app.ui.counter.view import CounterView
    from app.ui.counter.view_model import CounterViewModel
    from app.ui.look import base_stylesheet, install_ui_font
    from app.ui.opening import warm_up
    from app.ui.shell import MainWindow
    from app.ui.tasks import TaskRunner
    from bench.ui_start import quiet_offscreen_warnings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    quiet_offscreen_warnings()
    install_ui_font(app)  # the program's own font and stylesheet, as app/ui/main.py sets them
    app.setStyleSheet(base_stylesheet())
    runner = TaskRunner()
    counter = CounterView(CounterViewModel(ctx, runner, actor=head))
    window = MainWindow(station=station_view(ctx), actor=head, counter=counter)
    window.show()

    def wait_for(cond: Callable[[], bool], timeout_s: float = 10.0) -> None:
        end = time.perf_counter() + timeout_s
        while not cond():
            if time.perf_counter() > end:
                raise RuntimeError("the counter did not answer in time")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)

    # What the program does behind its login page (app/ui/opening.py), before anyone is served.
    warmed: list[bool] = []
    warm_up(ctx, runner, runner, lambda: warmed.append(True))
    wait_for(lambda: bool(warmed))

    # Search as you type: the time from the text changing to the table holding its results.
    latencies: list[float] = []
    for text in queries:
        counter.search.clear()
        wait_for(lambda: not runner.busy)
        t0 = time.perf_counter()
        counter.search.setText(text)
        wait_for(lambda t=text: counter._shown_query == t)  # type: ignore[misc]
        latencies.append((time.perf_counter() - t0) * 1000)

    # GUI stalls during a scripted session: a 5 ms timer on the GUI thread, its longest gap.
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    ticker = QTimer()
    ticker.setInterval(5)
    ticker.timeout.connect(tick)
    ticker.start()
    # The same timer with the counter idle for 3 s first: what the machine alone does to it (a shared host
    # taking the CPU away shows here too), beside what the session does.
    idle_end = time.perf_counter() + 3.0
    while time.perf_counter() < idle_end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    idle_gap = max(gaps, default=0.0) - 5.0
    gaps.clear()
    last[0] = time.perf_counter()
    item = ctx.catalog.item("S08")
    done = 0
    for text in [q for q in queries if q.isascii()][:sessions]:  # typed key by key (names come from the IME)
        counter.search.clear()
        for ch in text:
            QTest.keyClick(counter.search, ch)
            app.processEvents()
        wait_for(lambda t=text: counter._shown_query == t and counter.residents.rowCount() > 0)  # type: ignore[misc]
        counter.vm.resident_chosen(counter.residents.row(0).id)
        wait_for(lambda: counter.vm.resident is not None and counter.service.item_line.hasFocus())
        counter.vm.item_chosen(item.code)
        wait_for(lambda: counter.service.item is not None)
        QTest.keyClick(counter.service.materials, Qt.Key.Key_F6)
        QTest.keyClick(counter.service.accept_button, Qt.Key.Key_F9)
        wait_for(lambda: counter.service.receipt.isVisible())
        done += 1
    ticker.stop()
    window.close()
    runner.shutdown()
    stall = max((g - 5.0 for g in gaps), default=0.0)
    p95 = percentile(latencies, 95)
    log(f"  ui: {len(latencies)} searches, {done} scripted acceptances, {len(gaps)} timer ticks")
    return [
        Figure("ui: search as you type, key press to results, p95", p95, "ms", SEARCH_P95_LIMIT_MS,
               detail=f"{len(latencies)} search texts on the town; p50 {percentile(latencies, 50):.1f} ms"),
        Figure("ui: longest GUI-thread stall in a scripted session", stall, "ms", STALL_LIMIT_MS,
               detail=f"{done} residents served (type, choose, item, F6, F9); 5 ms timer"),
        Figure("ui: longest gap of the same timer, counter idle for 3 s (the machine alone)", idle_gap, "ms"),
    ], {"search_ms": latencies, "longest_gap_ms": max(gaps, default=0.0), "sessions": done}
