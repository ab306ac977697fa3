"""A field with its problem line under it: how every form of the counter shows what to correct."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QPoint, QSize
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget


def with_problem(editor: QWidget) -> tuple[QWidget, QLabel]:
    """The editor above an (empty, hidden) problem line; returns the box to lay out and the line."""
    problem = QLabel("")
    problem.setObjectName("error")
    problem.setWordWrap(True)  # a long sentence wraps instead of widening the window
    problem.setVisible(False)
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(editor)
    column.addWidget(problem)
    return box, problem


def show_problems(lines: Mapping[str, QLabel], problems: Mapping[str, str]) -> None:
    """Each field's problem under it; fields without one show nothing."""
    for key, line in lines.items():
        text = problems.get(key, "")
        line.setText(text)
        line.setVisible(bool(text))


class ElidedLabel(QLabel):
    """One line of text that ends in … when its room is too narrow (the whole text in the tooltip), so a
    long name or a larger text size never widens the window: the header's station, staff and sync state.
    (Cut by hand rather than with Qt's elide mode: the header paints before Qt's namespace is built.)"""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, right: bool = False) -> None:
        super().__init__(text, parent)
        self._right = right
        self._tip = ""  # a tooltip set from outside, shown under the full text when cut

    def setToolTip(self, tip: str) -> None:
        self._tip = tip
        super().setToolTip(tip)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().horizontalAdvance("…") * 4), hint.height())

    def shown_text(self) -> str:
        """The text as it fits: whole, or as many characters as fit and then …"""
        text, room, metrics = self.text(), self.contentsRect().width(), self.fontMetrics()
        if metrics.horizontalAdvance(text) <= room:
            return text
        low, high = 0, len(text)
        while low < high:  # the longest start of the text that fits with the …
            middle = (low + high + 1) // 2
            if metrics.horizontalAdvance(text[:middle] + "…") <= room:
                low = middle
            else:
                high = middle - 1
        return text[:low] + "…"

    def paintEvent(self, event: QPaintEvent) -> None:
        shown = self.shown_text()
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        rect, metrics = self.contentsRect(), self.fontMetrics()
        x = rect.right() - metrics.horizontalAdvance(shown) if self._right else rect.left()
        y = rect.top() + (rect.height() + metrics.ascent() - metrics.descent()) // 2
        painter.drawText(QPoint(x, y), shown)
        full = self.text() if shown != self.text() else ""
        super().setToolTip("\n".join(t for t in (full, self._tip) if t))


class WholeLine(QLineEdit):
    """A field never narrower than the text it is made for (``sample``), at any text size: an ID number
    shows all its 18 characters."""

    def __init__(self, sample: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sample = sample

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        margins = self.textMargins()
        width = self.fontMetrics().horizontalAdvance(self._sample + "  ") + margins.left() + margins.right() + 24
        return QSize(max(hint.width(), width), hint.height())


class WrappingLabel(QLabel):
    """A sentence that wraps and that no layout can squeeze below the lines it takes at its width (a plain
    wrapping label in a tight column is cut off at the larger text sizes): its minimum height follows its
    text and its width, so a page that is short of room scrolls instead."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        width = self.width()
        if width > 0:
            height = self.heightForWidth(width) if self.text() else 0
            if height != self.minimumHeight():
                self.setMinimumHeight(max(height, 0))
