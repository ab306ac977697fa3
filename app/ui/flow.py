"""A row of buttons that wraps onto the next line when the text is too large for one line.

A ``QHBoxLayout`` of buttons is as wide as all its buttons: at the larger text sizes on a 1366-pixel screen
that alone pushes a page wider than the window. ``FlowRow`` lays its items left to right and starts a new
line when the next one does not fit (the layout Qt's "Flow Layout" example describes); its minimum width is
its widest item's, and its minimum height the lines it needs at the width it has. (Not ``heightForWidth``:
a page holding one would report its preferred height as its least, and scroll when it need not.)
With ``fill`` the items of each line share the line's spare width, so a line of buttons stays a full row.
Items keep the order they were added in, which is also the Tab order.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QStyle, QWidget


class FlowRow(QLayout):
    def __init__(self, parent: QWidget | None = None, *, fill: bool = True) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._fill = fill
        self._height = 0  # the height its lines take at the width it was last given
        self.setContentsMargins(0, 0, 0, 0)

    # -- what QLayout asks of a layout ---------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation.Horizontal if self._fill else Qt.Orientation(0)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        height = self._lay_out(rect)
        if height != self._height:  # more (or fewer) lines at this width: the parent lays out again
            self._height = height
            self.invalidate()

    def sizeHint(self) -> QSize:
        """Everything on one line (what it asks for); ``minimumSize`` is what it can live with."""
        shown = self._shown()
        gap = self._gap()
        width = sum(i.sizeHint().width() for i in shown) + gap * max(len(shown) - 1, 0)
        height = max((i.sizeHint().height() for i in shown), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), max(height + m.top() + m.bottom(), self._height))

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        size += QSize(m.left() + m.right(), m.top() + m.bottom())
        return QSize(size.width(), max(size.height(), self._height))

    # -- the layout itself ---------------------------------------------------------------------
    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]  # a hidden button takes no place

    def _gap(self) -> int:
        if self.spacing() >= 0:
            return self.spacing()
        parent = self.parentWidget()
        style = parent.style() if parent is not None else None
        if style is None:
            return 6
        gap = style.pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing, None, parent)
        return gap if gap >= 0 else style.layoutSpacing(
            QSizePolicy.ControlType.PushButton, QSizePolicy.ControlType.PushButton, Qt.Orientation.Horizontal)

    def _lines(self, width: int) -> list[list[tuple[QLayoutItem, int]]]:
        """Items and their widths, line by line: as many as fit on each (at least one)."""
        gap = self._gap()
        lines: list[list[tuple[QLayoutItem, int]]] = []
        line: list[tuple[QLayoutItem, int]] = []
        used = 0
        for item in self._shown():
            w = min(max(item.sizeHint().width(), item.minimumSize().width()), max(width, 1))
            if line and used + gap + w > width:
                lines.append(line)
                line, used = [], 0
            used += (gap if line else 0) + w
            line.append((item, w))
        if line:
            lines.append(line)
        return lines

    def _lay_out(self, rect: QRect) -> int:
        """Places the items in ``rect``, line by line; the height they take."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        gap = self._gap()
        y = area.y()
        for line in self._lines(area.width()):
            spare = area.width() - sum(w for _, w in line) - gap * (len(line) - 1)
            share = spare // len(line) if self._fill and spare > 0 else 0
            heights = [item.heightForWidth(w + share) if item.hasHeightForWidth() else item.sizeHint().height()
                       for item, w in line]
            height = max(heights)
            x = area.x()
            for item, w in line:
                item.setGeometry(QRect(QPoint(x, y), QSize(w + share, height)))
                x += w + share + gap
            y += height + gap
        return y - gap - area.y() + m.top() + m.bottom() if y > area.y() else m.top() + m.bottom()
