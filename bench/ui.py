"""Figures of the counter window (issue 3), on the generated town, with Qt's offscreen platform:

- cold start: process start to the first paint of the real program's login window, and on to the first
  paint of the counter when the login is typed at once, beside the first paint of a bare PySide6 window,
  each the median of several fresh processes;
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


def _start_ms(args: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.ui_start", *args], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "painted":
            elapsed = (time.perf_counter() - t0) * 1000
            break
    else:
        raise RuntimeError(f"bench.ui_start {args} never painted")
    proc.wait(timeout=60)
    return elapsed


def cold_start(folder: Path, runs: int = 5) -> tuple[list[Figure], dict[str, Any]]:
    bare = [_start_ms(["bare"]) for _ in range(runs)]
    login = [_start_ms(["login", str(folder)]) for _ in range(runs)]
    counter = [_start_ms(["counter", str(folder)]) for _ in range(runs)]
    b, g, c = statistics.median(bare), statistics.median(login), statistics.median(counter)
    return [
        Figure("ui: cold start to the login window / bare window", g / b, "x", START_RATIO_LIMIT,
               detail=f"medians of {runs} fresh processes of `python -m app`: login window {g:.0f} ms, "
                      f"bare PySide6 window {b:.0f} ms; the station opens behind the login window"),
        Figure("ui: cold start to the counter, logging in at once / bare window", c / b, "x", START_RATIO_LIMIT,
               detail=f"login typed by the bench the moment the login window paints: counter {c:.0f} ms "
                      f"(includes opening the station and checking the password)"),
        Figure("ui: cold start to the login window (median)", g, "ms"),
        Figure("ui: cold start to the counter, logging in at once (median)", c, "ms"),
        Figure("ui: first paint of a bare PySide6 window (median)", b, "ms"),
    ], {"bare_ms": bare, "login_ms": login, "counter_ms": counter}


def interactive(ctx: Any, head: Any, queries: list[str], *, sessions: int,
                log: Callable[[str], None]) -> tuple[list[Figure], dict[str, Any]]:
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.services.station import station_view
    from app.ui.counter.view import CounterView
    from app.ui.counter.view_model import CounterViewModel
    from app.ui.look import base_stylesheet
    from app.ui.shell import MainWindow
    from app.ui.tasks import TaskRunner
    from bench.ui_start import quiet_offscreen_warnings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    quiet_offscreen_warnings()
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
    ], {"search_ms": latencies, "longest_gap_ms": max(gaps, default=0.0), "sessions": done}
