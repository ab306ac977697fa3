"""积分兑换: goods for points at the counter, the slip printed, and a redemption undone with a reason.

Keys: ↑↓ choose goods · Enter or + one more into the list · − or Delete one less · F9 redeem ·
Ctrl+P print the slip · F11 undo the redemption just made (reason first; the station head) · Ctrl+I receive stock.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.services.points import GoodsView, RedemptionView
from app.ui.flow import FlowRow
from app.ui.i18n import N_, tr
from app.ui.paper import PaperPreview
from app.ui.tables import RowsModel, list_table

_MORE = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Plus, Qt.Key.Key_Equal)
_LESS = (Qt.Key.Key_Minus, Qt.Key.Key_Delete, Qt.Key.Key_Backspace)


class GoodsTableModel(RowsModel[GoodsView]):
    HEADERS = (N_("编号"), N_("商品"), N_("单位"), N_("积分"), N_("库存"))

    def cells(self, g: GoodsView) -> tuple[str, ...]:
        return (g.code, g.name, g.unit, str(g.price), str(g.stock) if g.stock else tr("已兑完"))

    def alarming(self, g: GoodsView) -> bool:
        return g.stock <= 0


class RedeemPanel(QWidget):
    redeem_requested = Signal(object)  # tuple[(goods code, quantity), ...]
    reverse_requested = Signal(str, str)  # redemption id, reason
    receive_requested = Signal(str, int)  # goods code, quantity
    print_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.goods = GoodsTableModel()
        self.cart: dict[str, int] = {}  # goods code → quantity, in the order picked
        self.spendable: int | None = None
        self.last: RedemptionView | None = None  # the redemption just made, which F11 can undo
        self.table = list_table(self.goods, "goods")
        self.lines = QListWidget()
        self.lines.setObjectName("cart")
        self.total = QLabel("")
        self.total.setObjectName("total")
        self.redeem_button = QPushButton(tr("确认兑换　F9"))
        self.clear_button = QPushButton(tr("清空"))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("撤销兑换的原因，如 群众退回商品"))
        self.reverse_button = QPushButton(tr("撤销这次兑换　F11"))
        self.reverse_button.setEnabled(False)
        self.receive_count = QSpinBox()
        self.receive_count.setRange(1, 10_000)
        self.receive_button = QPushButton(tr("选中商品收货入库　Ctrl+I"))
        self.print_button = QPushButton(tr("打印兑换单　Ctrl+P"))
        self.status = QLabel(tr("↑↓ 选商品，回车或 + 加一件，− 减一件，F9 确认兑换。"))
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.preview = PaperPreview()
        self.preview.setMinimumWidth(280)  # scrolls sideways when the text is large; never wider than the slip
        self.preview.setMaximumWidth(420)
        self.preview.setVisible(False)  # until there is a slip to show

        stock_row = FlowRow(fill=False)
        stock_row.addWidget(QLabel(tr("入库数量")))
        stock_row.addWidget(self.receive_count)
        stock_row.addWidget(self.receive_button)
        left = QVBoxLayout()
        left.addWidget(self.table, 3)
        left.addLayout(stock_row)
        middle = QVBoxLayout()
        middle.addWidget(QLabel(tr("兑换单")))
        middle.addWidget(self.lines, 1)
        middle.addWidget(self.total)
        buttons = FlowRow()
        buttons.addWidget(self.redeem_button)
        buttons.addWidget(self.clear_button)
        middle.addLayout(buttons)
        middle.addWidget(self.reason)
        undo = FlowRow()
        undo.addWidget(self.reverse_button)
        undo.addWidget(self.print_button)
        middle.addLayout(undo)
        right = QVBoxLayout()
        right.addWidget(self.preview, 1)
        row = QHBoxLayout()
        row.addLayout(left, 3)
        row.addLayout(middle, 2)
        row.addLayout(right)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.status)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for key, button in (("F9", self.redeem_button), ("F11", self.reverse_button),
                            ("Ctrl+I", self.receive_button), ("Ctrl+P", self.print_button)):
            QShortcut(QKeySequence(key), self, button.click, context=context)
        self.table.installEventFilter(self)
        self.table.doubleClicked.connect(lambda _: self.change(1))
        self.redeem_button.clicked.connect(self._on_redeem_clicked)
        self.clear_button.clicked.connect(self.clear_cart)
        self.reverse_button.clicked.connect(self._on_reverse_clicked)
        self.receive_button.clicked.connect(self._on_receive_clicked)
        self.print_button.clicked.connect(self.print_requested.emit)
        self._show_cart()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = Qt.Key(event.key())
            if key in _MORE:
                self.change(1)
                return True
            if key in _LESS:
                self.change(-1)
                return True
        return super().eventFilter(watched, event)

    def set_goods(self, goods: tuple[GoodsView, ...]) -> None:
        keep = self.selected()
        self.goods.set_rows(goods)
        if goods:
            self.table.selectRow(next((i for i, g in enumerate(goods) if keep is not None and g.id == keep.id), 0))
        self._show_cart()

    def set_spendable(self, spendable: int | None) -> None:
        self.spendable = spendable
        self._show_cart()

    def selected(self) -> GoodsView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.goods.row(rows[0].row()) if rows else None

    def _by_code(self) -> dict[str, GoodsView]:
        return {self.goods.row(i).code: self.goods.row(i) for i in range(self.goods.rowCount())}

    def change(self, step: int) -> None:
        """One more (or less) of the selected goods in the list; never more than the shelf holds."""
        g = self.selected()
        if g is None:
            return
        now = self.cart.get(g.code, 0) + step
        if now > g.stock:
            self.status.setText(tr("{name} 只剩 {stock}{unit}，不能再加了。").format(
                name=g.name, stock=g.stock, unit=g.unit))
            return
        if now <= 0:
            self.cart.pop(g.code, None)
        else:
            self.cart[g.code] = now
        self._show_cart()

    def total_points(self) -> int:
        goods = self._by_code()
        return sum(goods[c].price * n for c, n in self.cart.items() if c in goods)

    def _show_cart(self) -> None:
        goods = self._by_code()
        self.lines.clear()
        for code, n in self.cart.items():
            g = goods.get(code)
            if g is not None:
                self.lines.addItem(tr("{name}　× {n}{unit}　{points} 分").format(
                    name=g.name, n=n, unit=g.unit, points=g.price * n))
        total = self.total_points()
        if self.spendable is None:
            self.total.setText(tr("合计 {total} 分").format(total=total))
        else:
            over = total > self.spendable
            self.total.setProperty("over", over)
            text = tr("合计 {total} 分　可兑换 {spendable} 分").format(total=total, spendable=self.spendable)
            self.total.setText(text + (tr("　（不够，请减少商品）") if over else ""))
            self.total.setStyleSheet("color: #b42318;" if over else "")

    def clear_cart(self) -> None:
        self.cart.clear()
        self._show_cart()

    def _on_redeem_clicked(self) -> None:
        self.redeem_requested.emit(tuple(self.cart.items()))

    def _on_reverse_clicked(self) -> None:
        if self.last is None:
            self.status.setText(tr("这里只能撤销刚才那次兑换；更早的兑换请站长用管理工具撤销（points reverse）。"))
            return
        self.reverse_requested.emit(self.last.id, self.reason.text())

    def _on_receive_clicked(self) -> None:
        g = self.selected()
        if g is None:
            self.status.setText(tr("先用 ↑↓ 选中要入库的商品。"))
            return
        self.receive_requested.emit(g.code, self.receive_count.value())

    def redeemed(self, view: RedemptionView) -> None:
        """A redemption made (or undone): the list empties; only a fresh redemption can be undone."""
        self.clear_cart()
        self.reason.clear()
        self.last = view if view.state == "done" else None
        self.reverse_button.setEnabled(self.last is not None)
        self.table.setFocus()
