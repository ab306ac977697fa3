"""Service calls off the GUI thread: one database thread (SQLite has one writer), results back as signals.

A view model calls ``runner.submit(fn, on_done, on_error)``; ``fn`` runs on the database thread and
its frozen result reaches ``on_done`` on the GUI thread. Widgets never wait on the database.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Worker(QObject):
    finished = Signal(int, object, object)  # job id, result, error

    @Slot(int, object)
    def run(self, job_id: int, fn: Callable[[], Any]) -> None:
        try:
            result = fn()
        except BaseException as e:  # handed to the view model, which shows a plain message
            self.finished.emit(job_id, None, e)
        else:
            self.finished.emit(job_id, result, None)


class TaskRunner(QObject):
    """Runs callables on one background thread, in order, and calls back on the GUI thread."""

    _submitted = Signal(int, object)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, thread_name: str = "stationdesk-db") -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Done, Failed | None]] = {}
        self._thread = QThread()
        self._thread.setObjectName(thread_name)
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submitted.connect(self._worker.run)
        self._worker.finished.connect(self._on_worker_finished)
        self._thread.start()

    def submit(self, fn: Callable[[], Any], on_done: Done, on_error: Failed | None = None) -> int:
        job_id = next(self._ids)
        self._pending[job_id] = (on_done, on_error)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._submitted.emit(job_id, fn)
        return job_id

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @Slot(int, object, object)
    def _on_worker_finished(self, job_id: int, result: Any, error: BaseException | None) -> None:
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
