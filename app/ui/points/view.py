"""The points page (积分): the account of the resident found at the counter, and four tabs —
登记积分 (Alt+1), 评议公示 (Alt+2), 积分兑换 (Alt+3), 对账单 (Alt+4), 积分榜 (Alt+5).

The resident is the one chosen on the counter page (F2 there), so nobody is looked up twice; the review
tab needs nobody. Opening the page credits any public notice that has ended (settling is idempotent).
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from app.services.points import AccountView, DeclarationView, RedemptionView
from app.services.residents import ResidentDetail
from app.ui.i18n import label, tr
from app.ui.paper import SaveOffer
from app.ui.points.board_panel import BoardPanel
from app.ui.points.declare_panel import DeclarePanel
from app.ui.points.redeem_panel import RedeemPanel
from app.ui.points.review_panel import EVIDENCE_WIDTH, ReviewPanel
from app.ui.points.statement_panel import StatementPanel
from app.ui.points.view_model import PointsViewModel


class PointsView(QWidget):
    def __init__(self, vm: PointsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.resident: ResidentDetail | None = None
        self._shown_account = ""  # the account the card (and the statement tab) shows
        self.card = QLabel(tr("还没有选中居民：在“窗口办理”页（F1）按 F2 找到居民，再回到积分页。评议公示不用选人。"))
        self.card.setObjectName("card")
        self.card.setWordWrap(True)
        self.card.setTextFormat(Qt.TextFormat.RichText)
        self.declare = DeclarePanel(vm.camera_folder)
        self.review = ReviewPanel()
        self.redeem = RedeemPanel()
        self.statement = StatementPanel()
        self.board = BoardPanel()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("pointsTabs")
        for n, (panel, title) in enumerate(((self.declare, tr("登记积分")), (self.review, tr("评议公示")),
                                            (self.redeem, tr("积分兑换")), (self.statement, tr("对账单")),
                                            (self.board, tr("积分榜"))), start=1):
            self.tabs.addTab(panel, f"{title}　Alt+{n}")
            QShortcut(QKeySequence(f"Alt+{n}"), self, lambda p=panel: self.show_panel(p),
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        layout = QVBoxLayout(self)
        layout.addWidget(self.card)
        layout.addWidget(self.tabs, 1)

        self.statuses = {"declare": self.declare.status, "review": self.review.status,
                         "redeem": self.redeem.status, "statement": self.statement.status,
                         "board": self.board.status, "account": self.declare.status}
        self.declare.declare_requested.connect(lambda values: self.vm.declare(**values))
        self.review.reviewed.connect(lambda i, ok, reason, body: self.vm.review(i, approve=ok, reason=reason,
                                                                                 body=body))
        self.review.post_requested.connect(self.vm.post_notice)
        self.review.objection_requested.connect(self.vm.object_to)
        self.review.objection_decided.connect(lambda i, uphold, reason: self.vm.decide_objection(
            i, uphold=uphold, reason=reason))
        self.review.evidence_wanted.connect(lambda i: self.vm.load_evidence(i, EVIDENCE_WIDTH))
        self.review.print_requested.connect(lambda: self.vm.print_paper("review"))
        self.redeem.redeem_requested.connect(self.vm.redeem)
        self.redeem.reverse_requested.connect(self.vm.reverse)
        self.redeem.receive_requested.connect(self.vm.receive_stock)
        self.redeem.print_requested.connect(lambda: self.vm.print_paper("redeem"))
        self.statement.print_requested.connect(self.vm.issue_statement)
        self.board.period_chosen.connect(self.vm.load_summary)
        self.board.refresh_requested.connect(self._load_board)
        vm.board_loaded.connect(self.board.show_board)
        vm.summary_loaded.connect(self.board.show_summary)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        vm.account_loaded.connect(self._on_vm_account_loaded)
        vm.declared.connect(self._on_vm_declared)
        vm.declarations_loaded.connect(self.review.set_rows)
        vm.evidence_loaded.connect(self._on_vm_evidence_loaded)
        vm.goods_loaded.connect(self.redeem.set_goods)
        vm.redeemed.connect(self._on_vm_redeemed)
        vm.statement_loaded.connect(self.statement.show_statement)
        vm.paper_ready.connect(self._on_vm_paper_ready)
        vm.done.connect(self._on_vm_done)
        vm.failed.connect(self._on_vm_failed)
        self.save_offer = SaveOffer(self, vm.settings_path)  # no printer: save the PDF to a folder instead
        vm.no_printer.connect(self.save_offer.offer)
        self.save_offer.folder_chosen.connect(vm.save_paper)

    # -- coming to the page ---------------------------------------------------------------------------------
    def opened(self, resident: ResidentDetail | None) -> None:
        """The page is shown: the counter's resident (if any) and fresh lists."""
        self.vm.settle()  # notices that ended are credited first; the review list reloads after it
        self.vm.load_goods()
        chosen = resident.resident.id if resident is not None else ""
        if resident is not None and chosen != self.vm.resident_id:
            self.resident = resident
            self.card.setText(tr("{name}（{village} {group}）：正在读取积分账户…").format(
                name=resident.resident.name, village=resident.resident.village_name, group=resident.resident.group))
            self.vm.set_resident(chosen)
        elif chosen:
            self.vm.set_resident(chosen)  # the balance may have changed (e.g. a notice was credited)
        self._focus_current()

    def show_panel(self, panel: QWidget) -> None:
        self.tabs.setCurrentWidget(panel)
        self._focus_current()

    def _focus_current(self) -> None:
        panel = self.tabs.currentWidget()
        target = {self.declare: self.declare.filter, self.review: self.review.table,
                  self.redeem: self.redeem.table, self.statement: self.statement.table,
                  self.board: self.board.table}.get(panel)
        if target is not None:
            target.setFocus()

    def _on_tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.statement:
            self.vm.load_statement()
        if self.tabs.currentWidget() is self.board:
            self._load_board()
        self._focus_current()

    def _load_board(self) -> None:
        self.vm.load_board()
        self.vm.load_summary(self.board.period.currentText())

    # -- what the view model says ------------------------------------------------------------------------
    def _on_vm_account_loaded(self, account: AccountView, indicators: tuple[Any, ...]) -> None:
        self.card.setText(account_card(account, self.resident))
        self.declare.set_indicators(indicators)
        self.redeem.set_spendable(account.spendable if account.opened and not account.suspended else 0)
        if account.id != self._shown_account:
            self.statement.preview.setVisible(False)  # the previous household's statement is not this one's
        self._shown_account = account.id
        if not account.opened:
            self.statement.show_statement(None)  # never the previous resident's ledger beside this one
        elif self.tabs.currentWidget() is self.statement:
            self.vm.load_statement()

    def _on_vm_account_failed(self, text: str) -> None:
        """The account could not be read (a resident with no household number, say): the card says so
        instead of "reading…" or the previous resident's balance."""
        who = ""
        if self.resident is not None:
            r = self.resident.resident
            who = tr("{name}（{village} {group}）：").format(name=r.name, village=r.village_name, group=r.group)
        self.card.setText(who + "<span style='color:#b42318'>" + html.escape(text) + "</span>")
        self.redeem.set_spendable(0)
        self.statement.show_statement(None)
        self.statement.preview.setVisible(False)
        self._shown_account = ""

    def _on_vm_declared(self, _view: DeclarationView) -> None:
        self.declare.clear()
        self.vm.load_declarations()
        if self.vm.account is not None and not self.vm.account.opened:
            self.vm.set_resident(self.vm.resident_id)  # the first declaration opened the account: say so

    def _on_vm_evidence_loaded(self, image: QImage, declaration_id: str) -> None:
        self.review.show_evidence(image, declaration_id)

    def _on_vm_redeemed(self, view: RedemptionView) -> None:
        self.redeem.redeemed(view)
        self.card.setText(account_card(view.account, self.resident))
        self.redeem.set_spendable(view.account.spendable if not view.account.suspended else 0)

    def _on_vm_paper_ready(self, panel: str, _issued: object, pages: list[QImage]) -> None:
        preview = {"review": self.review.preview, "redeem": self.redeem.preview,
                   "statement": self.statement.preview}[panel]
        preview.show_pages(pages)
        preview.setVisible(True)
        if panel == "review":
            self.review.side.setCurrentWidget(self.review.preview)

    def _on_vm_done(self, panel: str, text: str) -> None:
        _style(self.statuses[panel], "hint")
        if panel == "review":
            self.review.done(text)
        else:
            self.statuses[panel].setText(text)

    def _on_vm_failed(self, panel: str, text: str) -> None:
        _style(self.statuses[panel], "error")
        self.statuses[panel].setText(text)
        if panel == "account":
            self._on_vm_account_failed(text)


def _style(line: QLabel, name: str) -> None:
    """A status line in the stylesheet's plain (hint) or error colour."""
    if line.objectName() != name:
        line.setObjectName(name)
        line.style().unpolish(line)
        line.style().polish(line)


def account_card(a: AccountView, resident: ResidentDetail | None) -> str:
    """The account in one or two lines, one true thing: no account yet (and how one is opened), or whose it
    is, where, its balance, what can be spent and the star grade."""
    who = resident.resident.name if resident is not None else a.holder_name
    kind = label(a.kind)
    if not a.opened:
        head = tr("{who}　（{village} {group}，户主 {holder}）").format(
            who=who, village=a.village_name, group=a.group_name, holder=a.holder_name)
        how = tr("还没有积分账户（{kind}记分）：在“登记积分”（Alt+1）登记第一条积分时自动开户").format(kind=kind)
        if a.balance:
            how += tr("，开户记起始分 {start} 分").format(start=a.balance)
        return f"{head}<br>{how}{tr('。')}"
    head = tr("{who}　（{village} {group}，户主 {holder}，{kind}积分）").format(
        who=who, village=a.village_name, group=a.group_name, holder=a.holder_name, kind=kind)
    facts = tr("余额 <b>{balance}</b> 分　可兑换 <b>{spendable}</b> 分").format(balance=a.balance,
                                                                           spendable=a.spendable)
    if a.grade is not None:
        facts += "　" + "★" * a.grade.stars + " " + a.grade.label
    if a.suspended:
        facts += "　<span style='color:#b42318'>" + tr("积分低于暂停线，暂停兑换") + "</span>"
    return f"{head}<br>{facts}"
