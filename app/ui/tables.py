"""One table model for every list of frozen rows the counter shows: a subclass names its columns and says
how a row reads (``cells``) and whether it is shown in red (``alarming``, e.g. an overdue case)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.ui.i18n import tr

Row = TypeVar("Row")
_Index = QModelIndex | QPersistentModelIndex
ALARM = QBrush(QColor("#b42318"))  # overdue cases and follow-ups, in red
# data() is asked for every cell and every role each time a table paints (hundreds of calls per search):
# the roles are compared as plain ints and each row is read into its cells once, when the rows arrive.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)


class RowsModel(QAbstractTableModel, Generic[Row]):
    HEADERS: tuple[str, ...] = ()  # N_("…") phrases, shown through tr()

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
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.setAlternatingRowColors(True)
    return view
