"""The counter's first step, 找人: search as you type and the chosen resident's household and cases."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from app.services.context import ServiceContext
from app.services.residents import ResidentDetail, SearchResult, find_residents, get_resident
from app.ui.errors import message_for
from app.ui.tasks import TaskRunner

SEARCH_DELAY_MS = 150  # wait for a pause in typing, so a fast typist does not queue a search per key


class CounterViewModel(QObject):
    results_changed = Signal(object)  # SearchResult
    resident_loaded = Signal(object)  # ResidentDetail
    failed = Signal(str)

    def __init__(self, ctx: ServiceContext, runner: TaskRunner, lang: str = "zh") -> None:
        super().__init__()
        self._ctx = ctx
        self._runner = runner
        self._lang = lang
        self._query = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    def search_typed(self, text: str) -> None:
        self._query = text
        self._timer.start()

    def search_now(self) -> None:
        self._timer.stop()
        self._on_timer_timeout()

    def _on_timer_timeout(self) -> None:
        query, ctx = self._query, self._ctx
        self._runner.submit(lambda: find_residents(ctx, query=query), self._on_search_done, self._on_error)

    def _on_search_done(self, result: SearchResult) -> None:
        if result.query == self._query:  # a slower, older search must not overwrite a newer one
            self.results_changed.emit(result)

    def resident_chosen(self, resident_id: str) -> None:
        ctx = self._ctx
        self._runner.submit(lambda: get_resident(ctx, resident_id=resident_id), self._on_resident_done,
                            self._on_error)

    def _on_resident_done(self, detail: ResidentDetail) -> None:
        self.resident_loaded.emit(detail)

    def _on_error(self, error: BaseException) -> None:
        self.failed.emit(message_for(error, self._lang))
