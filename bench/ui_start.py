"""Cold start, in a fresh process: ``python -m bench.ui_start bare`` paints an empty PySide6 window;
``python -m bench.ui_start counter FOLDER`` opens the station in FOLDER, logs in and paints the counter
(and its first results). Prints ``painted`` on stdout at the first paint of the window; the parent
times from starting the process to that line."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def quiet_offscreen_warnings() -> None:
    """The offscreen platform warns that it cannot propagate size hints, for every window: not news."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if "does not support propagateSizeHints" not in message and "does not support raise" not in message:
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


def main() -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication(sys.argv[:1])
    quiet_offscreen_warnings()

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                print("painted", flush=True)
                QTimer.singleShot(0, app.quit)
                app.removeEventFilter(self)
            return False

    watch = FirstPaint()
    if sys.argv[1] == "bare":
        window = QWidget()
        window.resize(1366, 768)
    else:
        from pathlib import Path

        from app.services.context import open_context
        from app.services.demo import DEMO_PASSWORD, DEMO_STAFF
        from app.services.staff import authenticate
        from app.services.station import station_view
        from app.ui.counter.view import CounterView
        from app.ui.counter.view_model import CounterViewModel
        from app.ui.look import base_stylesheet
        from app.ui.shell import MainWindow
        from app.ui.tasks import TaskRunner
        from app.ui.work.view import WorkView
        from app.ui.work.view_model import WorkViewModel

        app.setStyleSheet(base_stylesheet())
        ctx = open_context(Path(sys.argv[2]))
        actor = authenticate(ctx, username=DEMO_STAFF[0][0], password=DEMO_PASSWORD)
        runner = TaskRunner()
        window = MainWindow(station=station_view(ctx), actor=actor,
                            counter=CounterView(CounterViewModel(ctx, runner, actor=actor)),
                            work=WorkView(WorkViewModel(ctx, runner, actor=actor)))
        app.aboutToQuit.connect(runner.shutdown)
    app.installEventFilter(watch)
    window.show()
    app.exec()


if __name__ == "__main__":
    main()
