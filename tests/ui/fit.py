"""Does a page fit? Everything on it that staff must see or reach is inside the window and not cut.

``problems(window)`` lists, in words a person can check on a screenshot:

- a widget outside the window, or cut by the widget it sits in (a scroll area may hide a widget below the
  fold: it is reached by scrolling, and the keyboard scrolls to it; widgets named in ``always`` may not be);
- a label, button or field narrower or lower than its text needs (Qt squeezed it below its size hint);
- a wrapping label lower than its wrapped text;
- a table cell, in a column a view marks as telling people apart (the ``mustShow`` property: column
  numbers), cut (elided) or scrolled out of the table's view;
- a window larger than the screen it is meant for.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTabBar,
    QTableView,
    QWidget,
)


def _name(w: QWidget) -> str:
    text = ""
    if isinstance(w, (QLabel, QAbstractButton)):
        text = w.text()
    elif isinstance(w, QLineEdit):
        text = w.placeholderText() or w.text()
    name = w.objectName() or type(w).__name__
    return f"{name}「{text[:30]}」" if text else name


def _in_window(w: QWidget, window: QWidget) -> QRect:
    return QRect(w.mapTo(window, QPoint(0, 0)), w.size())


def _cut(w: QWidget, window: QWidget) -> tuple[bool, bool]:
    """(cut by an ancestor that is not a scroll area, inside a scroll area's view)."""
    rect = _in_window(w, window)
    scrolled = False
    parent = w.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent.parentWidget(), QAbstractScrollArea) and \
                parent is parent.parentWidget().viewport():  # type: ignore[union-attr]
            area = parent.parentWidget()
            # A page's own scroll area is checked on its own (the page must not need it); inside any
            # other, what lies below is reached by scrolling.
            if area.objectName() != "pageScroll":  # type: ignore[union-attr]
                scrolled = True
                if isinstance(area, QScrollArea):
                    return False, True
        visible = _in_window(parent, window)
        if not visible.contains(rect):
            return True, scrolled
        parent = parent.parentWidget()
    return (not QRect(QPoint(0, 0), window.size()).contains(rect)), scrolled


def _leaf(w: QWidget) -> bool:
    if isinstance(w, QTabBar):
        return True
    parent = w.parentWidget()
    while parent is not None:  # a table's own header, a combo's line: part of a widget already checked
        if isinstance(parent, (QAbstractItemView, QComboBox, QTabBar, QLineEdit)):
            return False
        parent = parent.parentWidget()
    return isinstance(w, (QLabel, QAbstractButton, QLineEdit, QComboBox, QAbstractItemView))


def problems(window: QWidget, *, screen: QRect | None = None, always: tuple[QWidget, ...] = ()) -> list[str]:
    found: list[str] = []
    if screen is not None and (window.width() > screen.width() or window.height() > screen.height()):
        found.append(f"window {window.width()}×{window.height()} larger than the screen "
                     f"{screen.width()}×{screen.height()}")
    for w in window.findChildren(QWidget):
        if not w.isVisible() or not _leaf(w) or w.width() <= 0:
            continue
        cut, in_scroll = _cut(w, window)
        if cut:
            found.append(f"{_name(w)} is cut or outside the window at {_in_window(w, window).getRect()}")
            continue
        if in_scroll and w in always:
            found.append(f"{_name(w)} must stay visible but sits in a scroll area")
        hint = w.minimumSizeHint()
        if isinstance(w, QLabel) and w.wordWrap():
            if w.text() and w.heightForWidth(w.width()) > w.height() + 2:
                found.append(f"{_name(w)} wraps to {w.heightForWidth(w.width())} px but has {w.height()}")
        elif isinstance(w, (QLabel, QAbstractButton, QComboBox)) and hint.isValid() and (
                w.width() + 2 < hint.width() or w.height() + 2 < hint.height()):
            found.append(f"{_name(w)} is {w.width()}×{w.height()}, its text needs {hint.width()}×{hint.height()}")
        if isinstance(w, QTableView):
            found.extend(_table_problems(w))
    for area in window.findChildren(QScrollArea):
        inner = area.widget()
        if not area.isVisible() or inner is None:
            continue
        view = area.viewport().size()
        # A paper preview may scroll sideways (a page drawn wider than its pane at large text).
        if inner.width() > view.width() + 1 and area.objectName() != "paperPreview":
            found.append(f"{area.objectName() or 'a scroll area'} holding {_name(inner)} is {inner.width()} wide "
                         f"in {view.width()}: its right side is cut or scrolls sideways")
        if area.objectName() == "pageScroll" and inner.height() > view.height() + 1:
            found.append(f"the page {_name(inner)} is {inner.height()} high in {view.height()}: it scrolls")
    return found


def _table_problems(view: QTableView) -> list[str]:
    found: list[str] = []
    columns = view.property("mustShow") or ()
    model = view.model()
    metrics = view.fontMetrics()
    for column in columns:
        if view.isColumnHidden(column):
            continue
        left = view.columnViewportPosition(column)
        width = view.columnWidth(column)
        if left < 0 or left + width > view.viewport().width():
            found.append(f"{view.objectName()} column {column} "
                         f"「{model.headerData(column, Qt.Orientation.Horizontal)}」 is not fully in view")
            continue
        for row in range(model.rowCount()):
            text = str(model.index(row, column).data() or "")
            if max(metrics.horizontalAdvance(line) for line in text.split("\n")) + 8 > width:
                found.append(f"{view.objectName()} row {row} column {column}: 「{text}」 cut at {width} px")
                break
    return found

