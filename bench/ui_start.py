"""Cold start, in a fresh process. ``python -m bench.ui_start bare`` paints an empty PySide6 window.
``python -m bench.ui_start login FOLDER USER PASSWORD`` starts the real counter program on the station in
FOLDER up to the first paint of its window (the login page: the counter window, taking keys).
``counter …`` goes on, logging in the moment the window paints, to the first paint of the counter page;
``typed …`` logs in two seconds after the window appears, as a person would, and also prints the time from
pressing Enter to the counter page's first paint. Prints ``painted`` on stdout at the paint the mode waits
for; the parent times from starting the process to that line."""

from __future__ import annotations

import os
import sys
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
TYPING_MS = 2000  # "typed": the login is entered this long after the window appears, as a person would


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
    mode = sys.argv[1]

    class FirstPaint(QObject):
        """Watches one widget: prints ``painted`` at its first paint and ends the process, or runs ``then``.

        It filters that widget's events only. An application-wide Python filter would see every event of
        every object, and wrapping each of those objects for Python builds enum types by the hundred:
        the watching itself would cost more than the start it measures."""

        def __init__(self, widget: QWidget, then: Any = None) -> None:
            super().__init__()
            self.then = then
            widget.installEventFilter(self)

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                obj.removeEventFilter(self)
                if self.then is None:
                    print("painted", flush=True)
                    os._exit(0)  # the figure is taken; nothing after it is measured
                self.then()
            return False

    if mode == "bare":
        window = QWidget()
        window.resize(1366, 768)
        watch = FirstPaint(window)  # noqa: F841 (kept alive while the window shows)
        window.show()
        app.exec()
        return
    # The real entry point, as `python -m app --data-dir FOLDER` runs it, with a watcher on its window
    # (the login page's first paint) or, after logging in, on its counter page.
    import time

    from app.ui import shell
    from app.ui.main import run

    user, password = sys.argv[3], sys.argv[4]
    pause_ms = TYPING_MS if mode == "typed" else 0
    watches: list[FirstPaint] = []
    show, install = shell.MainWindow.show_on_screen, shell.MainWindow.install  # the window opens maximised
    clicked: list[float] = []

    def log_in(window: shell.MainWindow) -> None:
        assert window.login_page is not None
        window.login_page.username.setText(user)
        window.login_page.password.setText(password)
        clicked.append(time.perf_counter())
        window.login_page.button.click()

    def counter_painted() -> None:
        if mode == "typed":
            print(f"login-to-counter {(time.perf_counter() - clicked[0]) * 1000:.1f}", flush=True)
        print("painted", flush=True)
        os._exit(0)

    def watched_show(window: shell.MainWindow, size: Any = None) -> None:
        after = None if mode == "login" else lambda: QTimer.singleShot(pause_ms, lambda: log_in(window))
        watches.append(FirstPaint(window, after))
        show(window, size)

    def watched_install(window: shell.MainWindow, counter: Any, *rest: Any) -> None:
        install(window, counter, *rest)
        watches.append(FirstPaint(counter, counter_painted))

    shell.MainWindow.show_on_screen = watched_show  # type: ignore[method-assign]
    shell.MainWindow.install = watched_install  # type: ignore[method-assign]
    run(["--data-dir", sys.argv[2], "--lang", "zh", "--lock-minutes", "0"])


if __name__ == "__main__":
    main()
