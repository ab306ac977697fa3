"""积分榜: the village ranking with star grades (names masked as on the wall), and what the month or the
quarter issued, redeemed and gave out. Keys: F5 read again · the period box takes 2026-11 or 2026-Q4."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.services.points import Board, BoardLine, Summary
from app.ui.i18n import N_, tr
from app.ui.tables import RowsModel, list_table


class BoardTableModel(RowsModel[BoardLine]):
    HEADERS = (N_("名次"), N_("户主"), N_("组"), N_("积分"), N_("星级"))

    def cells(self, b: BoardLine) -> tuple[str, ...]:
        return (str(b.rank), b.holder_name, b.group_name, str(b.balance), b.grade)


def periods(today: date) -> list[str]:
    """This month, this quarter, last month, last quarter: what a station reports."""
    last_month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    quarter = (today.month - 1) // 3 + 1
    last_q_year, last_q = (today.year - 1, 4) if quarter == 1 else (today.year, quarter - 1)
    return [f"{today:%Y-%m}", f"{today.year}-Q{quarter}", f"{last_month:%Y-%m}", f"{last_q_year}-Q{last_q}"]


class BoardPanel(QWidget):
    period_chosen = Signal(str)
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = BoardTableModel()
        self.table = list_table(self.model, "board")
        self.title = QLabel("")
        self.title.setObjectName("card")
        self.grades = QLabel("")
        self.grades.setWordWrap(True)
        self.period = QComboBox()
        self.period.setEditable(True)
        for p in periods(date.today()):
            self.period.addItem(p)
        self.summary = QLabel("")
        self.summary.setObjectName("card")
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.status = QLabel("")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addWidget(self.table, 1)
        left.addWidget(self.grades)
        right = QVBoxLayout()
        choose = QHBoxLayout()
        choose.addWidget(QLabel(tr("统计期间")))
        choose.addWidget(self.period, 1)
        right.addLayout(choose)
        right.addWidget(self.summary, 1)
        row = QHBoxLayout()
        row.addLayout(left, 3)
        row.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.status)
        QShortcut(QKeySequence("F5"), self, self.refresh_requested.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.period.activated.connect(lambda _: self.period_chosen.emit(self.period.currentText()))
        line = self.period.lineEdit()
        assert line is not None  # the box is editable
        line.returnPressed.connect(lambda: self.period_chosen.emit(self.period.currentText()))

    def show_board(self, board: Board) -> None:
        self.title.setText(tr("{village} 积分榜（共 {n} 户）").format(village=board.village_name, n=len(board.lines)))
        self.model.set_rows(board.lines)
        self.grades.setText(tr("；").join(tr("{grade} {n} 户").format(grade=g, n=n) for g, n in board.grades))

    def show_summary(self, s: Summary) -> None:
        goods = tr("；").join(f"{name} {n}{unit}" for name, unit, n in s.goods_out) or tr("无")
        self.summary.setText(tr(
            "{period}（{start} 至 {end}）<br>发放积分 <b>{awarded}</b>　扣减 {deducted}<br>兑换积分 <b>{redeemed}</b>"
            "　到期清零 {expired}　更正 {corrected}<br>兑出物品：{goods}").format(
            period=s.period, start=s.start.isoformat(), end=(s.end - timedelta(days=1)).isoformat(), awarded=s.awarded,
            deducted=s.deducted, redeemed=s.redeemed, expired=s.expired, corrected=s.corrected, goods=goods))
