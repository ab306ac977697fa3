"""The question before anything that cannot be undone: it names what it acts on, and the safe answer is the
default, so Enter or Esc pressed out of habit changes nothing.

``ask(parent, title, text, yes=…)`` shows the question and returns True only when the person chose the
action itself (its button, or its key ``Y``/``Alt+Y``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.ui.i18n import tr


def ask(parent: QWidget | None, title: str, text: str, *, yes: str, no: str = "") -> bool:
    box = QMessageBox(parent)
    box.setObjectName("confirm")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    act = box.addButton(yes + tr("（Y）"), QMessageBox.ButtonRole.AcceptRole)
    act.setObjectName("confirmYes")
    act.setShortcut("Y")
    keep = box.addButton(no or tr("先不做（Esc）"), QMessageBox.ButtonRole.RejectRole)
    keep.setObjectName("confirmNo")
    box.setDefaultButton(keep)  # Enter out of habit keeps things as they are
    box.setEscapeButton(keep)
    keep.setFocus()
    box.exec()
    return box.clickedButton() is act
