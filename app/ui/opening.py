"""Opening the station on the database thread while the window's login page is already on the screen.

The database layer (SQLAlchemy, the migrations check) takes longer to load than the whole window takes
to appear, and nobody needs it before the password is typed. So the window comes first; the station
opens on the database thread as soon as the window has painted; a login waits behind it in the same
queue. Nothing here runs SQL on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QObject, Signal

from app.ui.errors import message_for
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.services.context import ServiceContext
    from app.services.station import StationView

log = logging.getLogger(__name__)


def warm_up(ctx: ServiceContext, runner: TaskRunner, devices: TaskRunner,
            done: Callable[[], None] | None = None) -> None:
    """What the first minutes at the counter would otherwise wait for, done behind the login page: the
    printing code (reportlab) and the station's printing font. Loading them holds the interpreter for tens
    of milliseconds at a time: during the login that costs nothing, in the middle of serving someone it
    would stall the window. The font setting is read on the database thread; the loading happens on the
    devices thread, so a login typed meanwhile does not queue behind it."""

    def chosen() -> str:
        from app.services.print_settings import print_template

        return print_template(ctx).font

    def load(font: str) -> None:
        from app.printing.fonts import font_name

        font_name(font)

    def finished(_: object) -> None:
        if done is not None:
            done()

    def failed(error: BaseException) -> None:
        log.warning("printing not warmed up: %s", error)  # the first receipt loads it instead
        finished(None)

    def then(font: str) -> None:
        devices.submit(lambda: load(font), finished, failed)

    runner.submit(chosen, then, failed)


class StationOpening(QObject):
    opened = Signal(object)  # StationView, or None when the station has not been set up yet
    failed = Signal(str)  # the sentence to show

    def __init__(self, runner: TaskRunner, data_dir: Path, lang: str) -> None:
        super().__init__()
        self._runner = runner
        self.data_dir = data_dir
        self._lang = lang
        self._ctx: ServiceContext | None = None
        self.station: StationView | None = None
        self._outcome: str | None = None  # "" once opened, else the problem
        self.started = False
        self._recovery_offered = False

    def start(self) -> None:
        if not self.started:
            self.started = True
            self._runner.submit(self._open, self._on_opened, self._on_failed)

    def context(self) -> ServiceContext:
        """The open station, for jobs on the database thread. A job that comes before the opening (a login
        typed faster than the window painted) opens the station itself, on that thread."""
        if self._ctx is None:
            from app.services.backups import finish_pending_restore
            from app.services.context import open_context

            finish_pending_restore(self.data_dir)  # a restore chosen in the last session (系统 → 从备份恢复…)
            self._ctx = open_context(self.data_dir)
        return self._ctx

    def wait(self) -> str | None:
        """Starts the opening if need be and waits for it (events keep flowing); returns the problem, if any."""
        if self._outcome is None:
            self.start()
            loop = QEventLoop()
            self.opened.connect(loop.quit)
            self.failed.connect(loop.quit)
            if self._outcome is None:
                loop.exec()
        return self._outcome if self._outcome else None

    @property
    def is_open(self) -> bool:
        return self._ctx is not None

    def _open(self) -> StationView | None:
        from app.services.station import is_initialised, station_view

        ctx = self.context()
        station = station_view(ctx) if is_initialised(ctx) else None
        # While the password is being typed, load the counter's own modules too, so the counter follows the
        # login at once. Importing defines classes only; every widget is still made on the GUI thread.
        import app.ui.counter.view
        import app.ui.shell
        import app.ui.work.view  # noqa: F401

        return station

    def _on_opened(self, station: Any) -> None:
        self.station = station
        self._outcome = ""
        self.opened.emit(station)

    def _on_failed(self, error: BaseException) -> None:
        # -- a damaged station file: the last good backup is offered first (app/ui/recovery.py, issue 8) --------
        from app.ui.recovery import is_damage, offer_recovery

        if is_damage(error) and not self._recovery_offered:
            self._recovery_offered = True
            recovery = offer_recovery(self.data_dir, self._lang, error=error, runner=self._runner)
            if recovery.restored:
                self._runner.submit(self._open, self._on_opened, self._on_failed)  # and on to the login
                return
            self._outcome = recovery.message
            self.failed.emit(self._outcome)
            return
        # -- end of the recovery offer ------------------------------------------------------------------------
        self._outcome = message_for(error, self._lang)
        self.failed.emit(self._outcome)
