"""Answering the dialogs a test opens with the keyboard: ``exec()`` blocks the test until they close."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication


def when_modal(action, kind: type | None = None) -> None:
    """Fill the dialog that is about to open (exec() blocks the test until it is closed), once it is the
    active window (offscreen Qt activates it late; its keys work only then)."""
    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or (kind is not None and not isinstance(dialog, kind)):
            QTimer.singleShot(50, run)
            return
        if not dialog.isActiveWindow():
            dialog.activateWindow()
            QTimer.singleShot(50, run)
            return
        action(dialog)
    QTimer.singleShot(50, run)


def answer(key: Qt.Key, seen: list[str] | None = None) -> None:
    """Press a key in the question about to open (Y does it; Enter and Esc keep things as they are)."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QMessageBox

    def act(box) -> None:
        if seen is not None:
            seen.append(box.text())
        QTest.keyClick(box, key)
    when_modal(act, QMessageBox)


def back(qtbot, widget) -> None:
    """The widget's window active again after a dialog closed (offscreen Qt does not give it back itself)."""
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=5000)
