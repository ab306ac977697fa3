"""Opening the station on the database thread while the login window is already on the screen.

The database layer (SQLAlchemy, the migrations check) takes longer to load than the whole login window
takes to appear, and nobody needs it before the password is typed. So the window comes first; the
station opens on the database thread as soon as the window has painted; a login waits behind it in the
same queue. Nothing here runs SQL on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QObject, Signal

from app.ui.errors import message_for
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.services.context import ServiceContext
    from app.services.station import StationView


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

    def start(self) -> None:
        if not self.started:
            self.started = True
            self._runner.submit(self._open, self._on_opened, self._on_failed)

    def context(self) -> ServiceContext:
        """The open station, for jobs on the database thread. A job that comes before the opening (a login
        typed faster than the window painted) opens the station itself, on that thread."""
        if self._ctx is None:
            from app.services.context import open_context

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
        self._outcome = message_for(error, self._lang)
        self.failed.emit(self._outcome)
