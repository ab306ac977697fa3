"""Cold start, in a fresh process: ``python -m bench.ui_start bare`` paints an empty PySide6 window;
``python -m bench.ui_start login FOLDER`` starts the real counter program on the station in FOLDER up to
the first paint of its login window (the first screen staff type in); ``counter FOLDER`` goes on, logging
in the moment the login window paints, to the first paint of the counter. Prints ``painted`` on stdout at
that paint; the parent times from starting the process to that line."""

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
    mode = sys.argv[1]

    class FirstPaint(QObject):
        """Prints ``painted`` at the first paint of the window the mode waits for, then ends the process."""

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() != QEvent.Type.Paint or not isinstance(obj, QWidget) or not obj.isWindow():
                return False
            kind = type(obj).__name__
            if mode == "bare" or (mode == "login" and kind == "LoginDialog") or (
                    mode == "counter" and kind == "MainWindow"):
                print("painted", flush=True)
                os._exit(0)  # the figure is taken; nothing after it is measured
            if mode == "counter" and kind == "LoginDialog" and not getattr(obj, "typed", False):
                obj.typed = True  # type: ignore[attr-defined]
                from app.services.demo import DEMO_PASSWORD, DEMO_STAFF

                obj.username.setText(DEMO_STAFF[0][0])  # type: ignore[attr-defined]
                obj.password.setText(DEMO_PASSWORD)  # type: ignore[attr-defined]
                QTimer.singleShot(0, obj.button.click)  # type: ignore[attr-defined]
            return False

    watch = FirstPaint()
    app.installEventFilter(watch)
    if mode == "bare":
        window = QWidget()
        window.resize(1366, 768)
        window.show()
        app.exec()
    else:
        # The real entry point, as `python -m app --data-dir FOLDER` runs it.
        from app.ui.main import run

        run(["--data-dir", sys.argv[2], "--lang", "zh", "--lock-minutes", "0"])


if __name__ == "__main__":
    main()
