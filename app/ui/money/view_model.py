"""The money page's view model (收款日结): the drawer, taking a payment and printing its receipt, what happens
to a payment afterwards, counting the drawer and closing the day. Every service call runs on the database
thread; previews are drawn and paper printed on the devices thread."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from app.domain.forms import format_money, parse_money
from app.domain.staff import Actor
from app.services import cash, closing
from app.services import payments as pay
from app.services.context import ServiceContext
from app.services.documents import IssuedDocument
from app.services.staff import authenticate
from app.ui.errors import message_for
from app.ui.i18n import tr
from app.ui.look import settings_file
from app.ui.paper import PREVIEW_WIDTH, PaperOut, pdf_pages
from app.ui.tasks import TaskRunner

T = TypeVar("T")
PREVIEW_A4 = 480


def _issue(ctx: ServiceContext, actor: Actor, kind: str, subject: str, *, reprint: bool = False) -> IssuedDocument:
    from app.printing.documents import issue  # loaded on the database thread, not before the first window

    return issue(ctx, actor=actor, kind=kind, subject=subject, reprint=reprint)


class MoneyViewModel(QObject):
    drawer_loaded = Signal(object)  # DrawerView | None
    due_loaded = Signal(object)  # tuple[DueView, ...]
    payments_loaded = Signal(object)  # tuple[PaymentView, ...]
    paid = Signal(object)  # PaymentView
    closed = Signal(object)  # CloseView
    paper_ready = Signal(object, object)  # IssuedDocument, pages
    done = Signal(str)
    failed = Signal(str)
    no_printer = Signal(object, str)  # a document, why: no printer here (the view offers to save a PDF)

    def __init__(self, ctx: ServiceContext, runner: TaskRunner, lang: str = "zh", *, actor: Actor | None = None,
                 devices: TaskRunner | None = None) -> None:
        super().__init__()
        self._ctx = ctx
        self._runner = runner
        self._devices = devices or runner
        self.lang = lang
        self.actor = actor
        self.paper: IssuedDocument | None = None
        self._out = PaperOut(ctx, runner, self._devices, done=self.done.emit, failed=self.failed.emit, lang=lang,
                             no_printer=self._on_no_printer)
        self.tolerance_fen = cash.DEFAULT_TOLERANCE_FEN

    def today(self) -> date:
        return self._ctx.now().date()

    # -- reading -----------------------------------------------------------------------------------------
    def load(self) -> None:
        ctx = self._ctx
        today = ctx.now().date()
        self._runner.submit(lambda: cash.current_drawer(ctx), self.drawer_loaded.emit, self._on_error)
        self._runner.submit(lambda: pay.awaiting_payment(ctx), self.due_loaded.emit, self._on_error)
        self._runner.submit(lambda: pay.payments_of_day(ctx, day=today), self.payments_loaded.emit, self._on_error)

        def tolerance_known(fen: int) -> None:
            self.tolerance_fen = fen

        self._runner.submit(lambda: cash.tolerance(ctx), tolerance_known, self._on_error)

    # -- the drawer --------------------------------------------------------------------------------------
    def open_drawer(self, float_text: str) -> None:
        def call(ctx: ServiceContext, actor: Actor) -> cash.DrawerView:
            return cash.open_drawer(ctx, actor=actor, float_fen=parse_money(float_text or "0"))

        self._act(call, lambda d: tr("钱箱已打开，备用金 {amount}。").format(amount=format_money(d.float_fen)))

    def move_cash(self, amount_text: str, reason: str, *, into: bool) -> None:
        """Cash put into the drawer or taken out of it, with a reason (e.g. 上缴镇财政所)."""
        def call(ctx: ServiceContext, actor: Actor) -> cash.DrawerView:
            fen = parse_money(amount_text)
            return cash.move_cash(ctx, actor=actor, amount_fen=fen if into else -fen, reason=reason)

        self._act(call, lambda d: tr("已记下钱箱{way} {amount}：现在应有 {expected}。").format(
            way=tr("放入") if into else tr("取出"), amount=amount_text.strip(), expected=format_money(d.expected_fen)))

    def close_drawer(self, counts: Mapping[int, int], note: str, approver: Actor | None) -> None:
        wanted = dict(counts)

        def call(ctx: ServiceContext, actor: Actor) -> cash.DrawerView:
            return cash.close_drawer(ctx, actor=actor, count=wanted, note=note, approver=approver)

        def said(d: cash.DrawerView) -> str:
            return tr("钱箱已结账：应有 {expected}，实点 {counted}，差额 {difference}。").format(
                expected=format_money(d.expected_fen), counted=format_money(d.counted_fen or 0),
                difference=format_money(d.difference_fen or 0))

        self._act(call, said)

    def check_head(self, username: str, password: str, ok: Callable[[Actor], None], bad: Callable[[str], None]) -> None:
        """The approval dialog's check: the account signed in on the database thread, the answer to the
        dialog (which stays open on a wrong password) rather than to the page."""
        ctx = self._ctx
        self._runner.submit(lambda: authenticate(ctx, username=username.strip(), password=password), ok,
                            lambda error: bad(message_for(error, self.lang)))

    # -- taking a payment ----------------------------------------------------------------------------------
    def take(self, case_id: str, *, method: str, tendered: str, reference: str) -> None:
        if not case_id:
            self.failed.emit(tr("先在“待收款”里用 ↑↓ 选中一件。"))
            return

        def call(ctx: ServiceContext, actor: Actor) -> tuple[pay.PaymentView, IssuedDocument | str]:
            p = pay.record_payment(ctx, actor=actor, case_id=case_id, method=method,
                                   tendered_fen=parse_money(tendered) if tendered.strip() else None,
                                   reference=reference)
            try:
                return p, _issue(ctx, actor, "payment", p.case_no)
            except Exception as e:  # the money is recorded; the receipt can be issued again from the list
                return p, message_for(e, self.lang)

        def said(found: tuple[pay.PaymentView, IssuedDocument | str]) -> str:
            p, receipt = found
            self.paid.emit(p)
            change = (tr("，找零 {change}").format(change=format_money(p.change_fen))
                      if p.tendered_fen is not None else "")
            said = tr("已收款 {total}（{method}）{change}。").format(total=format_money(p.total_fen),
                                                               method=p.method_label, change=change)
            if isinstance(receipt, str):  # the money is recorded either way
                return said + tr("收据没有生成：{problem}").format(problem=receipt)
            self._show(receipt, PREVIEW_WIDTH)
            return said + tr("按 F10 打印收据。")

        self._act(call, said)

    def after_payment(self, payment_id: str, event: str, *, reason: str = "", reference: str = "",
              approver: Actor | None = None) -> None:
        def call(ctx: ServiceContext, actor: Actor) -> pay.PaymentView:
            return pay.payment_event(ctx, actor=actor, payment_id=payment_id, event=event, reason=reason,
                                     reference=reference, approver=approver)

        self._act(call, lambda p: tr("{case_no}：{state}。").format(case_no=p.case_no, state=p.state.label_zh))

    # -- the daily close ---------------------------------------------------------------------------------
    def close_day(self) -> None:
        def call(ctx: ServiceContext, actor: Actor) -> tuple[closing.CloseView, IssuedDocument]:
            done = closing.close_day(ctx, actor=actor)
            return done, _issue(ctx, actor, "day-close", done.day.isoformat())

        def said(found: tuple[closing.CloseView, IssuedDocument]) -> str:
            done, report = found
            self.closed.emit(done)
            self._show(report, PREVIEW_A4)
            text = tr("{day} 已日结：收款 {total}，净额 {net}。日结报表 {number} 按 F10 打印，签字后存档。").format(
                day=done.day.isoformat(), total=format_money(done.sheet.payments_total_fen),
                net=format_money(done.sheet.net_fen), number=report.number)
            if done.backup_warning is not None:  # the close stands; the backup after it must be made by hand
                text += "\n" + message_for(done.backup_warning, self.lang)
            return text

        self._act(call, said)

    # -- paper -------------------------------------------------------------------------------------------
    def _show(self, issued: IssuedDocument, width: int) -> None:
        self.paper = issued
        self._devices.submit(lambda: pdf_pages(issued.pdf, width),
                             lambda pages: self.paper_ready.emit(issued, pages), self._on_error)

    @property
    def settings_path(self) -> Path | None:
        """This PC's screen settings (where a PDF was last saved)."""
        return settings_file(self._ctx.data_dir) if self._ctx.data_dir else None

    def _on_no_printer(self, paper: IssuedDocument, problem: str) -> None:
        """No printer here: the page says so and offers the document as a PDF to save."""
        self.failed.emit(problem)
        self.no_printer.emit(paper, problem)

    def save_paper(self, paper: IssuedDocument, folder: Path) -> None:
        """The document as a PDF in the folder the clerk chose (no printer here)."""
        self._out.save(paper, folder)

    def print_paper(self, *, to_file: Path | None = None) -> None:
        """F10: the receipt or the close report; printed once already, a 补打 copy under the same number."""
        if self.paper is None or self.actor is None:
            self.failed.emit(tr("还没有要打印的单子。"))
            return
        self._out.print(self.paper, self.actor, to_file=to_file)

    # -- plumbing ----------------------------------------------------------------------------------------
    def _act(self, call: Callable[[ServiceContext, Actor], T], say: Callable[[T], str]) -> None:
        actor, ctx = self.actor, self._ctx
        if actor is None:
            self.failed.emit(tr("请先登录。"))
            return

        def finished(result: T) -> None:
            self.done.emit(say(result))
            self.load()

        self._runner.submit(lambda: call(ctx, actor), finished, self._on_error)

    def _on_error(self, error: BaseException) -> None:
        self.failed.emit(message_for(error, self.lang))

