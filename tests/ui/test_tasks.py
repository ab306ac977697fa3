"""The background runner survives a long day: many thousands of jobs, results and errors back in order."""

from __future__ import annotations

import sys

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication


def test_emitting_signals_leaves_the_reference_counts_of_true_and_none_alone(qtbot):
    """PySide6 6.12.0 returned True from emit() without a reference: a day at the counter aborted Python."""
    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        ping = Signal(int)

    emitter = Emitter()
    emitter.ping.connect(lambda _n: None)
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for n in range(200):  # few enough not to crash a broken release, enough to see it
        emitter.ping.emit(n)
    assert sys.getrefcount(True) - true_before > -100
    assert sys.getrefcount(None) - none_before > -100


def test_twenty_thousand_jobs_come_back_in_order_with_their_results_and_errors(qtbot, runner):
    app = QApplication.instance()
    results: list[object] = []
    errors: list[str] = []
    for n in range(20_000):  # a long day; a runner losing references aborts the interpreter here
        if n % 1000 == 999:
            runner.submit(lambda n=n: 1 / 0, results.append, lambda e: errors.append(type(e).__name__))
        else:
            runner.submit(lambda n=n: None if n % 2 else n, results.append)
    while runner.busy:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    assert len(results) == 19_980 and errors == ["ZeroDivisionError"] * 20
    assert results[:4] == [0, None, 2, None]
