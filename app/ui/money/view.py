"""The money page (收款日结, Ctrl+M): the cash drawer, the cases waiting for their money, taking a payment with
its receipt, what happens to a payment afterwards, and the daily close.

Keys: ↑↓ choose · F9 take the payment · F10 print the receipt (or the close report) · Ctrl+O open the drawer
(float typed first) · F8 count and close the drawer · F11 void the chosen payment (reason first; the station
head approves) · F12 close the day · F5 read everything again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import DomainError
from app.domain.forms import format_money, parse_money
from app.domain.money import PaymentMethod
from app.domain.staff import Actor, Permission
from app.services.cash import DrawerView
from app.services.payments import DueView, PaymentView
from app.ui.confirm import ask
from app.ui.i18n import N_, label, tr, trn
from app.ui.money.dialogs import ApprovalDialog, CountDialog
from app.ui.money.view_model import MoneyViewModel
from app.ui.paper import PaperPreview, SaveOffer
from app.ui.tables import RowsModel, list_table

# What can happen to a payment from the list, and the words on its button.
EVENTS = (("remitted", N_("已代缴")), ("matched", N_("对账确认")), ("failed", N_("代缴失败")),
          ("refunded", N_("退款")), ("voided", N_("作废")))


class DueTableModel(RowsModel[DueView]):
    HEADERS = (N_("办件编号"), N_("申请人"), N_("事项"), N_("应收"))

    def cells(self, d: DueView) -> tuple[str, ...]:
        return (d.case_no, d.applicant_name, d.item_name, format_money(d.total_fen))


class PaymentTableModel(RowsModel[PaymentView]):
    HEADERS = (N_("时间"), N_("办件编号"), N_("金额"), N_("方式"), N_("状态"))

    def cells(self, p: PaymentView) -> tuple[str, ...]:
        return (p.paid_at[11:16], p.case_no, format_money(p.total_fen), label(p.method),
                label(p.state) + (tr("（日结后）") if p.late else ""))

    def alarming(self, p: PaymentView) -> bool:
        return p.state.settled


class MoneyView(QWidget):
    def __init__(self, vm: MoneyViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.drawer: DrawerView | None = None
        self.drawer_label = QLabel(tr("正在读取钱箱…"))
        self.drawer_label.setObjectName("card")
        self.drawer_label.setWordWrap(True)
        self.float_line = QLineEdit()
        self.float_line.setPlaceholderText(tr("备用金（元），如 200"))
        self.open_button = QPushButton(tr("开钱箱　Ctrl+O"))
        self.count_button = QPushButton(tr("清点结账　F8"))
        self.move_amount = QLineEdit()
        self.move_amount.setObjectName("moveAmount")
        self.move_amount.setPlaceholderText(tr("金额（元）"))
        self.move_reason = QLineEdit()
        self.move_reason.setObjectName("moveReason")
        self.move_reason.setPlaceholderText(tr("钱箱进出的原因，如 上缴镇财政所"))
        self.cash_in_button = QPushButton(tr("放入"))
        self.cash_out_button = QPushButton(tr("取出"))
        self.close_day_button = QPushButton(tr("日结　F12"))

        self.due = DueTableModel()
        self.due_table = list_table(self.due, "due")
        self.method = QComboBox()
        for m in PaymentMethod:
            self.method.addItem(label(m), m.value)
        self.tendered = QLineEdit()
        self.tendered.setObjectName("tendered")
        self.change = QLabel("")
        self.change.setObjectName("change")
        self.reference = QLineEdit()
        self.reference.setObjectName("reference")
        self.reference.setPlaceholderText(tr("扫码或刷卡：交易单号（照手机或小票）"))
        self.take_button = QPushButton(tr("收款　F9"))
        self.due_target = QLabel("")  # the case F9 takes the money for, named in full
        self.due_target.setObjectName("target")
        self.due_target.setWordWrap(True)

        self.payments = PaymentTableModel()
        self.payments_table = list_table(self.payments, "payments")
        self.payment_target = QLabel(tr("先在上面选中一笔收款。"))  # the payment the buttons below act on
        self.payment_target.setObjectName("target")
        self.payment_target.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(tr("原因（作废、退款、代缴失败时必填）或收款单位的确认号"))
        self.event_buttons: dict[str, QPushButton] = {}
        for event, words in EVENTS:
            self.event_buttons[event] = QPushButton(tr(words) + ("　F11" if event == "voided" else ""))

        self.preview = PaperPreview()
        self.print_button = QPushButton(tr("打印　F10"))
        self.status = QLabel("")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)

        # The drawer's state over the whole width; under it what can be done with the drawer: open it
        # (while closed) or move cash (while open), count it, close the day.
        top = QHBoxLayout()
        top.addWidget(self.float_line)
        top.addWidget(self.open_button)
        self.move_bar = QWidget()  # cash in or out of the open drawer, with a reason
        moves = QHBoxLayout(self.move_bar)
        moves.setContentsMargins(0, 0, 0, 0)
        moves.addWidget(QLabel(tr("钱箱进出")))
        moves.addWidget(self.move_amount)
        moves.addWidget(self.move_reason, 1)
        moves.addWidget(self.cash_in_button)
        moves.addWidget(self.cash_out_button)
        top.addWidget(self.move_bar, 1)
        top.addStretch(0)
        top.addWidget(self.count_button)
        top.addWidget(self.close_day_button)

        take_box = QGroupBox(tr("待收款"))
        take = QVBoxLayout(take_box)
        take.addWidget(self.due_table, 1)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # label above field when narrow
        cash_row = QHBoxLayout()
        cash_row.addWidget(self.tendered, 1)
        cash_row.addWidget(self.change)
        form.addRow(tr("支付方式"), self.method)
        form.addRow(tr("实收"), cash_row)
        form.addRow(tr("交易号"), self.reference)
        self.tendered.setPlaceholderText(tr("现金：交来多少"))
        take.addLayout(form)
        take.addWidget(self.due_target)
        take.addWidget(self.take_button)

        list_box = QWidget()
        listing = QVBoxLayout(list_box)
        listing.addWidget(self.payments_table, 1)
        listing.addWidget(self.payment_target)
        listing.addWidget(self.reason)
        row = QHBoxLayout()
        for b in self.event_buttons.values():
            row.addWidget(b)
        listing.addLayout(row)
        paper_box = QWidget()
        paper = QVBoxLayout(paper_box)
        paper.addWidget(self.preview, 1)
        paper.addWidget(self.print_button)
        # Today's payments and the paper share the right half (Alt+2 / Alt+3): each gets the whole height,
        # so the page fits a 768-pixel screen at the largest text. A receipt just issued comes to the front.
        self.sides = QTabWidget()
        self.sides.setObjectName("moneySides")
        self.sides.addTab(list_box, tr("今日收款　Alt+2"))
        self.sides.addTab(paper_box, tr("单据预览　Alt+3"))
        middle = QHBoxLayout()
        middle.addWidget(take_box, 1)
        middle.addWidget(self.sides, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.drawer_label)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addWidget(self.status)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for key, button in (("F9", self.take_button), ("F10", self.print_button), ("Ctrl+O", self.open_button),
                            ("F8", self.count_button), ("F12", self.close_day_button),
                            ("F11", self.event_buttons["voided"])):
            QShortcut(QKeySequence(key), self, button.click, context=context)
        QShortcut(QKeySequence("F5"), self, self.vm.load, context=context)
        QShortcut(QKeySequence("Alt+1"), self, self.due_table.setFocus, context=context)
        QShortcut(QKeySequence("Alt+2"), self, self._show_payments, context=context)
        QShortcut(QKeySequence("Alt+3"), self, lambda: self.sides.setCurrentIndex(1), context=context)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.count_button.clicked.connect(self.count_drawer)
        self.cash_in_button.clicked.connect(lambda: self._move(into=True))
        self.cash_out_button.clicked.connect(lambda: self._move(into=False))
        self.close_day_button.clicked.connect(self._on_close_day_clicked)
        self.take_button.clicked.connect(self._on_take_clicked)
        self.print_button.clicked.connect(lambda: self.vm.print_paper())
        for event, button in self.event_buttons.items():
            button.clicked.connect(lambda _=False, e=event: self._on_event_clicked(e))
        self.tendered.textChanged.connect(self._show_change)
        self.method.currentIndexChanged.connect(self._on_method_changed)
        self.due_table.selectionModel().selectionChanged.connect(self._show_change)
        self.payments_table.selectionModel().selectionChanged.connect(self._name_payment)
        vm.drawer_loaded.connect(self._on_vm_drawer_loaded)
        vm.due_loaded.connect(self._on_vm_due_loaded)
        vm.payments_loaded.connect(self._on_vm_payments_loaded)
        vm.paid.connect(self._on_vm_paid)
        vm.paper_ready.connect(self._on_vm_paper_ready)
        self.save_offer = SaveOffer(self, vm.settings_path)  # no printer: save the PDF to a folder instead
        vm.no_printer.connect(self.save_offer.offer)
        self.save_offer.folder_chosen.connect(vm.save_paper)
        vm.done.connect(lambda text: self._say(text, "hint"))
        vm.failed.connect(lambda text: self._say(text, "error"))
        self._wanted = ""  # a case the counter handed over, chosen when the list arrives
        self._on_method_changed()

    # -- coming to the page ------------------------------------------------------------------------------
    def opened(self) -> None:
        self.vm.load()
        self.due_table.setFocus()

    def _say(self, text: str, style: str) -> None:
        if self.status.objectName() != style:
            self.status.setObjectName(style)
            self.status.style().unpolish(self.status)
            self.status.style().polish(self.status)
        self.status.setText(text)

    # -- the drawer --------------------------------------------------------------------------------------
    def _on_vm_drawer_loaded(self, drawer: DrawerView | None) -> None:
        self.drawer = drawer
        if drawer is None:
            closed = tr("钱箱没有打开：收现金前，先点好备用金，填在下面的“备用金”框里，按 Ctrl+O 开钱箱。")
            self.drawer_label.setText(closed)
        elif drawer.business_day < self.vm.today():
            self.drawer_label.setText(tr("{day} 的钱箱还没有结账：请先按 F8 清点结账，才能收今天的款。").format(
                day=drawer.business_day.isoformat()))
        else:
            text = tr("钱箱（{day}）开着：备用金 {float}，现在应有 {expected}，进出 {n} 笔。")
            self.drawer_label.setText(text.format(
                day=drawer.business_day.isoformat(), float=format_money(drawer.float_fen),
                expected=format_money(drawer.expected_fen), n=len(drawer.moves)))
        self.float_line.setVisible(drawer is None)
        self.open_button.setVisible(drawer is None)
        self.count_button.setEnabled(drawer is not None)
        self.move_bar.setVisible(drawer is not None)

    def _on_open_clicked(self) -> None:
        """Ctrl+O: a drawer opened with no float cannot give change; it is asked, not assumed."""
        text = self.float_line.text().strip()
        try:
            fen = parse_money(text or "0")
        except DomainError:
            fen = -1  # the service says what is wrong with it
        if fen == 0 and not ask(self, tr("开钱箱"), tr("备用金是 ¥0.00：钱箱里没有零钱可找。\n"
                                                    "确实不放备用金就开钱箱吗？（备用金填在“备用金”框里）"),
                                yes=tr("不放备用金，开钱箱")):
            self.float_line.setFocus()
            return
        self.vm.open_drawer(text)

    def _on_close_day_clicked(self) -> None:
        """F12: the day's close cannot be taken back. It says which cases still wait for their money (their
        payments then count on the day they are taken) and asks, No being the default."""
        if self.drawer is not None:
            self._say(tr("钱箱还没有结账：先按 F8 清点结账，再按 F12 日结。"), "error")
            return
        day = self.vm.today().isoformat()
        waiting = [self.due.row(n) for n in range(self.due.rowCount())]
        text = tr("日结 {day}：日结后，这一天的收款不能再改动，报表要签字存档。").format(day=day)
        if waiting:
            names = "\n".join(tr("　{case_no}　{name}　{item}　{total}").format(
                case_no=d.case_no, name=d.applicant_name, item=d.item_name, total=format_money(d.total_fen))
                for d in waiting[:8])
            more = tr("\n　……还有 {n} 件").format(n=len(waiting) - 8) if len(waiting) > 8 else ""
            heading = trn("还有 {n} 件在等收款：", len(waiting)).format(n=len(waiting))
            text += f"\n\n{heading}\n{names}{more}\n" + tr("日结后再收，算到收款那一天。")
        if ask(self, tr("日结"), text + "\n\n" + tr("现在日结吗？"), yes=tr("日结 {day}").format(day=day)):
            self.vm.close_day()

    def _move(self, *, into: bool) -> None:
        if not self.move_amount.text().strip() or not self.move_reason.text().strip():
            self._say(tr("钱箱进出要填金额和原因。"), "error")
            return
        self.vm.move_cash(self.move_amount.text(), self.move_reason.text(), into=into)
        self.move_amount.clear()
        self.move_reason.clear()

    def count_drawer(self) -> None:
        """F8: count by denomination; beyond the tolerance the station head approves, with a note."""
        if self.drawer is None:
            self._say(tr("钱箱没有打开，不用结账。"), "error")
            return
        dialog = CountDialog(self.drawer.expected_fen, self.vm.tolerance_fen, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        counts, note = dialog.counts(), dialog.note.text()
        actor = self.vm.actor
        if dialog.over_tolerance() and actor is not None and not actor.can(Permission.MONEY_APPROVE):
            head = self._ask_head(tr("钱箱差额 {difference}，请站长审批结账。").format(
                difference=format_money(dialog.difference_fen())))
            if head is not None:
                self.vm.close_drawer(counts, note, head)
            return
        self.vm.close_drawer(counts, note, None)

    # -- taking a payment ----------------------------------------------------------------------------------
    def _on_vm_due_loaded(self, rows: tuple[DueView, ...]) -> None:
        keep = self.selected_due()
        self.due.set_rows(rows)
        if rows:
            self.due_table.selectRow(next((i for i, r in enumerate(rows) if keep and r.case_id == keep.case_id), 0))
        if self._wanted:
            self._choose_wanted()
        self._show_change()

    def selected_due(self) -> DueView | None:
        rows = self.due_table.selectionModel().selectedRows()
        return self.due.row(rows[0].row()) if rows else None

    def want_case(self, case_no: str) -> None:
        """The counter hands over the case just accepted (Ctrl+M after F9): chosen once the list arrives."""
        self._wanted = case_no
        self._choose_wanted()

    def _choose_wanted(self) -> None:
        for n in range(self.due.rowCount()):
            if self.due.row(n).case_no == self._wanted:
                self.due_table.selectRow(n)
                self._wanted = ""
                self.tendered.setFocus()
                return

    def method_chosen(self) -> PaymentMethod:
        return PaymentMethod(str(self.method.currentData()))

    def _on_method_changed(self, *_: object) -> None:
        cash_chosen = self.method_chosen() is PaymentMethod.CASH
        self.tendered.setEnabled(cash_chosen)
        self.reference.setEnabled(not cash_chosen)
        self._show_change()

    def _show_change(self, *_: object) -> None:
        due = self.selected_due()
        self.due_target.setText(tr("F9 收款：{case_no}　{name}　{item}　应收 {total}").format(
            case_no=due.case_no, name=due.applicant_name, item=due.item_name, total=format_money(due.total_fen))
            if due is not None else tr("没有待收款的办件。"))
        if due is None:
            self.change.setText("")
            return
        if self.method_chosen() is not PaymentMethod.CASH or not self.tendered.text().strip():
            self.change.setText(tr("应收 {total}").format(total=format_money(due.total_fen)))
            return
        try:
            given = parse_money(self.tendered.text())
        except DomainError:
            self.change.setText(tr("金额看不懂"))
            return
        if given < due.total_fen:
            self.change.setText(tr("还差 {short}").format(short=format_money(due.total_fen - given)))
        else:
            self.change.setText(tr("找零 {change}").format(change=format_money(given - due.total_fen)))

    def _on_take_clicked(self) -> None:
        due = self.selected_due()
        self.vm.take(due.case_id if due else "", method=self.method_chosen().value, tendered=self.tendered.text(),
                     reference=self.reference.text())

    def _on_vm_paid(self, _p: PaymentView) -> None:
        self.tendered.clear()
        self.reference.clear()
        self.due_table.setFocus()

    # -- after a payment ---------------------------------------------------------------------------------
    def _on_vm_payments_loaded(self, rows: tuple[PaymentView, ...]) -> None:
        self.payments.set_rows(rows)
        if rows:
            self.payments_table.selectRow(len(rows) - 1)

    def _name_payment(self, *_: object) -> None:
        p = self.selected_payment()
        self.payment_target.setText(tr("下面的按钮用于：{when}　{case_no}　{total}　{method}　{state}").format(
            when=p.paid_at[11:16], case_no=p.case_no, total=format_money(p.total_fen), method=label(p.method),
            state=label(p.state)) if p is not None else tr("先在上面选中一笔收款。"))

    def _show_payments(self) -> None:
        self.sides.setCurrentIndex(0)
        self.payments_table.setFocus()

    def _on_vm_paper_ready(self, _issued: object, pages: list[QImage]) -> None:
        self.preview.show_pages(pages)
        self.sides.setCurrentIndex(1)  # the receipt or report just made, ready for F10

    def selected_payment(self) -> PaymentView | None:
        rows = self.payments_table.selectionModel().selectedRows()
        return self.payments.row(rows[0].row()) if rows else None

    def _on_event_clicked(self, event: str) -> None:
        p = self.selected_payment()
        if p is None:
            self._say(tr("先在“今日收款”里选中一笔。"), "error")
            return
        words = self.reason.text()
        what = tr(dict(EVENTS)[event])
        named = tr("{case_no} 的收款 {total}（{method}，{when}）").format(
            case_no=p.case_no, total=format_money(p.total_fen), method=label(p.method), when=p.paid_at[11:16])
        if event in ("voided", "refunded"):
            if not words.strip():
                self._say(tr("作废或退款要写明原因：写在“原因”框里（Alt+2 到列表，Tab 到原因框），再按一次。"),
                          "error")
                self.reason.setFocus()
                return
            if not ask(self, what, tr("{what}：{named}\n原因：{reason}\n\n这一步不能撤回。确定吗？").format(
                    what=what, named=named, reason=words), yes=tr("{what}这笔").format(what=what)):
                self._say(tr("没有{what}，什么也没改。").format(what=what), "hint")
                return
            actor = self.vm.actor
            if actor is not None and actor.can(Permission.MONEY_APPROVE):
                self.vm.after_payment(p.id, event, reason=words, approver=actor)
                self.reason.clear()
                return
            head = self._ask_head(tr("{named}：{what}（{reason}）").format(named=named, what=what, reason=words))
            if head is not None:
                self.vm.after_payment(p.id, event, reason=words, approver=head)
                self.reason.clear()
            return
        reason, reference = (words, "") if event == "failed" else ("", words)
        self.vm.after_payment(p.id, event, reason=reason, reference=reference)
        self.reason.clear()

    # -- the station head's approval -------------------------------------------------------------------
    def _ask_head(self, what: str) -> Actor | None:
        """The head signs on this screen; a wrong password keeps the dialog open (it says so)."""
        dialog = ApprovalDialog(what, self.vm.check_head, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.head is None:
            self._say(tr("没有审批，什么也没改。"), "hint")
            return None
        return dialog.head
