"""对账单: every entry of the account with the balance after it, the points that will expire, and the
statement printed on A4. Keys: Ctrl+P issue and print the statement."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.points import Statement, StatementLine
from app.ui.i18n import N_, label, tr
from app.ui.paper import PaperPreview
from app.ui.tables import RowsModel, list_table

SHOWN_LINES = 500  # the newest; the printed statement has them all


class StatementTableModel(RowsModel[StatementLine]):
    HEADERS = (N_("时间"), N_("类别"), N_("积分"), N_("余额"), N_("事由"), N_("审核"), N_("站点"))

    def cells(self, x: StatementLine) -> tuple[str, ...]:
        return (x.at.replace("T", " ")[:16], label(x.kind), f"{x.points:+d}", str(x.balance), x.reason,
                x.approved_by, x.station_code)

    def alarming(self, x: StatementLine) -> bool:
        return x.points < 0


class StatementPanel(QWidget):
    print_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = StatementTableModel()
        self.table = list_table(self.model, "statement")
        self.facts = QLabel("")
        self.facts.setObjectName("hint")
        self.facts.setWordWrap(True)
        self.print_button = QPushButton(tr("打印对账单　Ctrl+P"))
        self.status = QLabel("")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.preview = PaperPreview()
        self.preview.setMinimumWidth(320)  # the A4 page scrolls inside it at larger text
        self.preview.setVisible(False)  # until a statement is issued
        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        left.addWidget(self.facts)
        left.addWidget(self.print_button)
        left.addWidget(self.status)
        row = QHBoxLayout(self)
        row.addLayout(left, 3)
        row.addWidget(self.preview, 2)
        QShortcut(QKeySequence("Ctrl+P"), self, self.print_button.click,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.print_button.clicked.connect(self.print_requested.emit)

    def show_statement(self, s: Statement | None) -> None:
        if s is None:
            self.model.set_rows(())
            self.facts.setText(tr("这户还没有积分记录。"))
            return
        newest = tuple(reversed(s.lines[-SHOWN_LINES:]))  # newest first on screen
        self.model.set_rows(newest)
        parts = [tr("共 {n} 条记录").format(n=len(s.lines))]
        if len(s.lines) > SHOWN_LINES:
            parts.append(tr("这里显示最近 {n} 条，打印的对账单有全部").format(n=SHOWN_LINES))
        if s.pending:
            parts.append(tr("还有 {n} 分在评议或公示中").format(n=s.pending))
        for day, points in s.expiring[:2]:
            parts.append(tr("{points} 分将于 {day} 到期，请提醒群众及时兑换").format(points=points,
                                                                           day=day.isoformat()))
        self.facts.setText(tr("；").join(parts) + tr("。"))
