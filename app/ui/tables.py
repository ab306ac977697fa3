"""One table model for every list of frozen rows the counter shows: a subclass names its columns and says
how a row reads (``cells``) and whether it is shown in red (``alarming``, e.g. an overdue case)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.ui.i18n import tr

Row = TypeVar("Row")
_Index = QModelIndex | QPersistentModelIndex
ALARM = QBrush(QColor("#b42318"))  # overdue cases and follow-ups, in red
# data() is asked for every cell and every role each time a table paints (hundreds of calls per search):
# the roles are compared as plain ints and each row is read into its cells once, when the rows arrive.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)


class RowsModel(QAbstractTableModel, Generic[Row]):
    HEADERS: tuple[str, ...] = ()  # N_("…") phrases, shown through tr()
    LINES = 1  # lines of text in a row (a cell's lines are separated by "\n")
    MUST_SHOW: tuple[int, ...] = ()  # columns that tell rows apart: never cut (tests/ui/fit.py checks)

    def __init__(self) -> None:
        super().__init__()
        self._rows: tuple[Row, ...] = ()
        self._cells: tuple[tuple[str, ...], ...] = ()
        self._alarms: frozenset[int] = frozenset()

    def cells(self, row: Row) -> tuple[str, ...]:
        raise NotImplementedError

    def samples(self) -> tuple[str, ...]:
        """Typical contents in the current language, to size the columns once (none: Qt's default widths)."""
        return ()

    def alarming(self, row: Row) -> bool:
        return False

    def set_rows(self, rows: tuple[Row, ...]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._cells = tuple(self.cells(r) for r in rows)
        self._alarms = frozenset(n for n, r in enumerate(rows) if self.alarming(r))
        self.endResetModel()

    def row(self, n: int) -> Row:
        return self._rows[n]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(self.HEADERS[section])
        return None

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if role == _DISPLAY:
            return self._cells[index.row()][index.column()] if index.isValid() else None
        if role == _FOREGROUND and index.row() in self._alarms:
            return ALARM
        if role == _TOOLTIP and index.isValid():  # a cell cut short (…) reads in full under the mouse
            return self._cells[index.row()][index.column()] or None
        return None


def list_table(model: RowsModel[Any], name: str) -> QTableView:
    """A read-only list of rows chosen one at a time with ↑↓, columns as wide as their contents and the last
    one taking the rest (today's work, the points page's lists)."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)  # Tab leaves the table for the next field: ↑↓ move inside it
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.setAlternatingRowColors(True)
    return view


class FittedTable(QTableView):
    """A table whose columns are as wide as their typical contents (the model's ``samples``) in the font of
    the moment: sized again when the text size changes, not measured cell by cell on every search. Its
    minimum width holds the columns that tell rows apart (``MUST_SHOW``), so a splitter or a larger text
    cannot cut them; other columns end in … with the whole text in a tooltip."""

    def __init__(self, model: RowsModel[Any], name: str = "") -> None:
        super().__init__()
        self.setObjectName(name)
        self.setModel(model)
        self._rows = model
        self.setProperty("mustShow", list(model.MUST_SHOW))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the table: ↑↓ move inside it
        self.setWordWrap(model.LINES > 1)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.setAlternatingRowColors(True)
        self.fit_columns()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.fit_columns()

    def fit_columns(self) -> None:
        self.ensurePolished()  # the stylesheet's font size, not the default one, decides the widths
        metrics = self.fontMetrics()
        bold = QFont(self.font())
        bold.setBold(True)  # the stylesheet sets the column titles in bold
        titles = QFontMetrics(bold)
        widths = []
        for column, sample in enumerate(self._rows.samples()):
            widest = max((metrics.horizontalAdvance(line) for line in sample.split("\n")), default=0)
            widths.append(max(widest, titles.horizontalAdvance(tr(self._rows.HEADERS[column]))) + 16)
            self.setColumnWidth(column, widths[-1])
        total = sum(widths[:max(self._rows.MUST_SHOW, default=0) + 1])  # up to the last column never cut
        self.verticalHeader().setDefaultSectionSize(metrics.lineSpacing() * self._rows.LINES + 10)
        scrollbar = self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)
        self.setMinimumWidth(total + scrollbar + 2 * self.frameWidth() + 4)
