"""Table models fed with frozen rows: residents found, and a resident's cases."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.services.views import CaseSummary, ResidentSummary

_Index = QModelIndex | QPersistentModelIndex
_OVERDUE = QBrush(QColor("#b42318"))  # overdue cases in red, as in today's work


class ResidentTableModel(QAbstractTableModel):
    HEADERS = ("姓名", "性别", "年龄", "身份证号", "电话", "村组", "标签")
    SAMPLES = ("欧阳建国", "男", "100", "330127********002X", "0571-******45", "枫树岭村10组", "")

    def __init__(self) -> None:
        super().__init__()
        self._rows: tuple[ResidentSummary, ...] = ()

    def set_rows(self, rows: tuple[ResidentSummary, ...]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row(self, n: int) -> ResidentSummary:
        return self._rows[n]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        r = self._rows[index.row()]
        return (r.name, r.gender.label_zh if r.gender else "", "" if r.age is None else str(r.age), r.id_masked,
                r.phone_masked, f"{r.village_name}{r.group}", "、".join(r.tags))[index.column()]


class CaseTableModel(QAbstractTableModel):
    HEADERS = ("办件编号", "事项", "状态", "受理时间", "承诺期限")
    SAMPLES = ("QX01-20261123-0001", "社会保障卡申领/补换", "已受理（超期）", "2026-11-23 18:14", "2026-11-23")

    def __init__(self) -> None:
        super().__init__()
        self._rows: tuple[CaseSummary, ...] = ()

    def set_rows(self, rows: tuple[CaseSummary, ...]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        c = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            due = c.due_date.isoformat() if c.due_date else ""
            return (c.case_no, c.item_name, c.state.label_zh + ("（超期）" if c.overdue else ""),
                    c.received_at.replace("T", " ")[:16], due)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and c.overdue:
            return _OVERDUE
        return None
