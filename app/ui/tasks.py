"""Service calls off the GUI thread: one database thread (SQLite has one writer), results back as signals.

A view model calls ``runner.submit(fn, on_done, on_error)``; ``fn`` runs on the database thread and
its frozen result reaches ``on_done`` on the GUI thread. Widgets never wait on the database.

Only job numbers cross threads through Qt signals; the callables and their results travel in Python
dictionaries guarded by a lock, so no Python object depends on how a PySide6 release converts queued
signal arguments. (PySide6 6.12.0 is excluded in pyproject.toml: every ``emit()`` there lost a reference
to ``True`` and the counter aborted after a few thousand jobs — tests/ui/test_tasks.py guards it.)
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Mailbox:
    """Jobs waiting for the worker, and outcomes waiting for the GUI thread, by job number."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.jobs: dict[int, Callable[[], Any]] = {}
        self.outcomes: dict[int, tuple[Any, BaseException | None]] = {}

    def put_job(self, job_id: int, fn: Callable[[], Any]) -> None:
        with self._lock:
            self.jobs[job_id] = fn

    def take_job(self, job_id: int) -> Callable[[], Any]:
        with self._lock:
            return self.jobs.pop(job_id)

    def put_outcome(self, job_id: int, result: Any, error: BaseException | None) -> None:
        with self._lock:
            self.outcomes[job_id] = (result, error)

    def take_outcome(self, job_id: int) -> tuple[Any, BaseException | None]:
        with self._lock:
            return self.outcomes.pop(job_id)


class _Worker(QObject):
    finished = Signal(int)  # job number; the outcome is in the mailbox

    def __init__(self, mailbox: _Mailbox) -> None:
        super().__init__()
        self._mailbox = mailbox

    @Slot(int)
    def run(self, job_id: int) -> None:
        fn = self._mailbox.take_job(job_id)
        try:
            result = fn()
        except BaseException as e:  # handed to the view model, which shows a plain message
            self._mailbox.put_outcome(job_id, None, e)
        else:
            self._mailbox.put_outcome(job_id, result, None)
        self.finished.emit(job_id)


class TaskRunner(QObject):
    """Runs callables on one background thread, in order, and calls back on the GUI thread."""

    _submitted = Signal(int)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, thread_name: str = "stationdesk-db") -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Done, Failed | None]] = {}
        self._mailbox = _Mailbox()
        self._thread = QThread()
        self._thread.setObjectName(thread_name)
        self._worker = _Worker(self._mailbox)
        self._worker.moveToThread(self._thread)
        self._submitted.connect(self._worker.run)
        self._worker.finished.connect(self._on_worker_finished)
        self._thread.start()

    def submit(self, fn: Callable[[], Any], on_done: Done, on_error: Failed | None = None) -> int:
        job_id = next(self._ids)
        self._pending[job_id] = (on_done, on_error)
        self._mailbox.put_job(job_id, fn)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._submitted.emit(job_id)
        return job_id

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @Slot(int)
    def _on_worker_finished(self, job_id: int) -> None:
        result, error = self._mailbox.take_outcome(job_id)
        on_done, on_error = self._pending.pop(job_id)
        if not self._pending:
            self.busy_changed.emit(False)
        if error is None:
            on_done(result)
        elif on_error is not None:
            on_error(error)
        else:
            log.error("background task failed", exc_info=error)

    def shutdown(self) -> None:
        self._thread.quit()
        self._thread.wait(5000)
