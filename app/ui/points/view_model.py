"""The points page's view model (积分): every call to the points services runs on the database thread, and
its frozen result comes back as a signal. Paper (slips, the public notice, statements) is issued there too;
its preview is drawn and it is printed on the devices thread."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage

from app.domain.errors import DomainError, NotFound
from app.domain.staff import Actor
from app.services import points as pts
from app.services.context import ServiceContext
from app.services.documents import IssuedDocument
from app.services.paper import PointsPaper
from app.ui.errors import message_for
from app.ui.i18n import N_, tr
from app.ui.look import settings_file
from app.ui.paper import PaperOut, pdf_pages
from app.ui.tasks import TaskRunner

T = TypeVar("T")
PREVIEW_A4 = 500  # pixels: an A4 page readable on a 1366-pixel screen beside the list
PREVIEW_SLIP = 360  # an 80 mm slip at about its printed size


def _issue(ctx: ServiceContext, actor: Actor, data: PointsPaper | IssuedDocument) -> IssuedDocument:
    """Issue ``data`` as a numbered document, or print an issued one again (补打, same number). On the
    database thread: the printing code loads there."""
    from app.printing.documents import issue, issue_points_slip

    if isinstance(data, IssuedDocument):
        return issue(ctx, actor=actor, kind=data.kind, subject=data.number, reprint=True)
    return issue_points_slip(ctx, actor=actor, data=data)


def _open_notices(ctx: ServiceContext, actor: Actor) -> tuple[IssuedDocument, ...]:
    """The paper of every public notice this station has open (one per village, the newest first): printed
    again under its number, or issued if it never was (a notice posted from the CLI without --out)."""
    from app.printing.documents import issue_points_slip

    papers = []
    for notice in pts.open_notices(ctx):
        sheet = pts.notice_sheet(ctx, notice_id=notice.id)
        try:
            papers.append(issue_points_slip(ctx, actor=actor, data=sheet, reprint=True))
        except NotFound as e:
            if e.code != "document.nothing_to_reprint":
                raise
            papers.append(issue_points_slip(ctx, actor=actor, data=sheet))
    if not papers:
        raise NotFound("points.no_open_notice")
    return tuple(papers)


class PointsViewModel(QObject):
    account_loaded = Signal(object, object)  # AccountView, tuple[Indicator, ...]
    declared = Signal(object)  # DeclarationView
    declarations_loaded = Signal(object)  # tuple[DeclarationView, ...]
    evidence_loaded = Signal(object, str)  # QImage (null when it is not a picture), declaration id
    goods_loaded = Signal(object)  # tuple[GoodsView, ...]
    redeemed = Signal(object)  # RedemptionView
    statement_loaded = Signal(object)  # Statement
    board_loaded = Signal(object)  # Board
    summary_loaded = Signal(object)  # Summary
    paper_ready = Signal(str, object, object)  # which panel ("review" | "redeem" | "statement"), document, pages
    done = Signal(str, str)  # panel, a sentence for its status line
    failed = Signal(str, str)  # panel, what went wrong and what to do
    no_printer = Signal(object, str)  # a document, why: no printer here (the view offers to save a PDF)

    def __init__(self, ctx: ServiceContext, runner: TaskRunner, lang: str = "zh", *, actor: Actor | None = None,
                 devices: TaskRunner | None = None) -> None:
        super().__init__()
        self._ctx = ctx
        self._runner = runner
        self._devices = devices or runner
        self.lang = lang
        self.actor = actor
        self.camera_folder: Path | None = ctx.data_dir / "camera" if ctx.data_dir else None
        self.resident_id = ""
        self.account: pts.AccountView | None = None
        self.papers: dict[str, IssuedDocument] = {}  # the last document of each panel
        self.paper_sets: dict[str, tuple[IssuedDocument, ...]] = {}  # all of them (a notice for each village)
        self._outs: dict[str, PaperOut] = {}
        self._saving: dict[str, str] = {}  # document number → the panel that tried to print it (no printer)

    # -- the resident --------------------------------------------------------------------------------------
    def set_resident(self, resident_id: str) -> None:
        """The resident chosen at the counter: their (household) account and what they can be given."""
        self.resident_id = resident_id
        ctx = self._ctx

        def fetch() -> tuple[pts.AccountView, tuple[Any, ...]]:
            account = pts.account_of(ctx, resident_id=resident_id)
            return account, pts.indicators_for(ctx, village_code=account.village_code)

        def loaded(found: tuple[pts.AccountView, tuple[Any, ...]]) -> None:
            if resident_id != self.resident_id:
                return  # another resident was chosen meanwhile
            self.account = found[0]
            self.account_loaded.emit(*found)

        self._runner.submit(fetch, loaded, lambda e: self._fail("account", e))

    # -- registering (登记申报) ------------------------------------------------------------------------------
    def declare(self, *, indicator: str, hours: str, activity_on: date, note: str, declared_by: str,
                evidence: Path | None) -> None:
        if not self.resident_id:
            self.failed.emit("declare", tr("请先在“窗口办理”页找到居民（F1 回去，F2 找人），再回到积分页登记。"))
            return
        if not indicator:
            self.failed.emit("declare", tr("请先选积分指标（↑↓ 选，或输入编号、名称）。"))
            return
        resident_id = self.resident_id
        self._act("declare", lambda ctx, actor: pts.declare(
            ctx, actor=actor, resident_id=resident_id, indicator=indicator, hours=hours or None,
            activity_on=activity_on, note=note, declared_by=declared_by, evidence=evidence), self._on_declared)

    def _on_declared(self, view: pts.DeclarationView) -> str:
        self.declared.emit(view)
        sign = "+" if view.points > 0 else ""
        return tr("已登记：{name}　{indicator}　{sign}{points} 分，等评议（站长审核后公示 {days} 天再入账）。").format(
            name=view.resident_name, indicator=view.indicator_name, sign=sign, points=view.points,
            days=pts.points_rules(self._ctx).notice_days)

    # -- review and public notice (评议、公示) ----------------------------------------------------------------
    def load_declarations(self) -> None:
        """Everything still on its way: waiting for review, approved, and in the public notice."""
        ctx = self._ctx
        self._runner.submit(lambda: pts.list_declarations(ctx, states=("pending", "approved", "noticed")),
                            self.declarations_loaded.emit, lambda e: self._fail("review", e))

    def review(self, declaration_id: str, *, approve: bool, reason: str, body: str) -> None:
        if not approve and not reason.strip():
            self.failed.emit("review", tr("不通过要写明理由：请在“理由”框里写清楚，再按 F10。"))
            return
        self._act("review", lambda ctx, actor: pts.review(ctx, actor=actor, declaration_id=declaration_id,
                                                          approve=approve, reason=reason, body=body),
                  lambda v: tr("{name}　{indicator}：{state}。").format(
                      name=v.resident_name, indicator=v.indicator_name, state=v.state_label), reload=True)

    def post_notice(self) -> None:
        """Post the public notice of everything approved here, one per village (the station serves the whole
        town; each notice goes up in its village), and show their sheets ready to print."""
        def call(ctx: ServiceContext, actor: Actor) -> tuple[tuple[pts.NoticeView, ...], tuple[IssuedDocument, ...]]:
            notices = pts.post_notices(ctx, actor=actor)
            return notices, tuple(_issue(ctx, actor, pts.notice_sheet(ctx, notice_id=n.id)) for n in notices)

        def said(found: tuple[tuple[pts.NoticeView, ...], tuple[IssuedDocument, ...]]) -> str:
            notices, issued = found
            self._show_papers("review", issued, PREVIEW_A4)
            parts = tr("、").join(tr("{village} {n} 条（公示单 {number}）").format(
                village=n.village_name, n=len(n.lines), number=doc.number) for n, doc in zip(notices, issued,
                                                                                              strict=True))
            if len(notices) == 1:
                return tr("公示已发布：{parts}，公示到 {day}；按 Ctrl+P 打印后张贴。").format(
                    parts=parts, day=notices[0].ends_on.isoformat())
            return tr("公示已发布：{parts}，公示到 {day}；按 Ctrl+P 打印，分别张贴在各村的公示栏。").format(
                parts=parts, day=notices[0].ends_on.isoformat())

        self._act("review", call, said, reload=True)

    def object_to(self, declaration_id: str, text: str) -> None:
        self._act("review", lambda ctx, actor: pts.object_to(ctx, actor=actor, declaration_id=declaration_id,
                                                             text=text),
                  lambda v: tr("已记下对 {name} 的异议：这条积分先不入账，等站长处理。").format(name=v.resident_name),
                  reload=True)

    def decide_objection(self, declaration_id: str, *, uphold: bool, reason: str) -> None:
        self._act("review", lambda ctx, actor: pts.decide_objection(
            ctx, actor=actor, declaration_id=declaration_id, uphold=uphold, reason=reason),
            lambda v: (tr("异议成立：{name} 的这条积分已撤回。") if uphold else
                       tr("异议不成立：{name} 的这条积分公示期满后入账。")).format(name=v.resident_name),
            reload=True)

    def settle(self) -> None:
        """Credits notices that have ended and expires old points: run whenever the page is opened."""
        def said(r: pts.SettleResult) -> str:
            if not (r.credited or r.lots_expired):
                return ""
            return tr("公示期满入账 {n} 条；到期清零 {m} 分。").format(n=r.credited, m=r.points_expired)

        self._act("review", lambda ctx, actor: pts.settle(ctx, actor=actor), said, reload=True)

    def load_evidence(self, declaration_id: str, width: int) -> None:
        """The declaration's photo, read and scaled to ``width`` off the GUI thread (a phone photo is
        12 million pixels: scaling it on the GUI thread would freeze the window)."""
        ctx = self._ctx

        def fetch() -> tuple[QImage, str]:
            path = pts.evidence_file(ctx, declaration_id=declaration_id)
            image = QImage(str(path))  # QImage, unlike QPixmap, may be made on any thread
            if not image.isNull() and image.width() > width:
                image = image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            return image, str(path)

        def shown(found: tuple[QImage, str]) -> None:
            image, path = found
            if image.isNull():
                self.failed.emit("review", tr("证明材料不是图片，文件在：{path}").format(path=path))
            self.evidence_loaded.emit(image, declaration_id)

        self._devices.submit(fetch, shown, lambda e: self._fail("review", e))

    # -- the points supermarket (积分超市) -------------------------------------------------------------------
    def load_goods(self) -> None:
        ctx = self._ctx
        self._runner.submit(lambda: pts.list_goods(ctx), self.goods_loaded.emit, lambda e: self._fail("redeem", e))

    def redeem(self, lines: Sequence[tuple[str, int]]) -> None:
        if not self.resident_id:
            self.failed.emit("redeem", tr("请先在“窗口办理”页找到居民（F1 回去，F2 找人），再回到积分页兑换。"))
            return
        if not lines:
            self.failed.emit("redeem", tr("还没有选商品：↑↓ 选中商品，输入数量，按回车放进兑换单。"))
            return
        resident_id, wanted = self.resident_id, tuple(lines)

        def call(ctx: ServiceContext, actor: Actor) -> tuple[pts.RedemptionView, IssuedDocument]:
            view = pts.redeem(ctx, actor=actor, resident_id=resident_id, lines=wanted)
            return view, _issue(ctx, actor, pts.redemption_slip(ctx, view))

        def said(found: tuple[pts.RedemptionView, IssuedDocument]) -> str:
            view, issued = found
            self._after_redemption(view)
            self._show_paper("redeem", issued, PREVIEW_SLIP)
            return tr("已兑换 {total} 分，余额 {balance} 分；兑换单 {number} 按 Ctrl+P 打印。").format(
                total=view.total, balance=view.account.balance, number=issued.number)

        self._act("redeem", call, said)

    def reverse(self, redemption_id: str, reason: str) -> None:
        if not reason.strip():
            self.failed.emit("redeem", tr("撤销兑换要写明原因（如 群众退回商品），再按 F11。"))
            return
        def said(v: pts.RedemptionView) -> str:
            self._after_redemption(v)
            return tr("兑换已撤销：积分 {total} 分已退回，商品已回库。").format(total=v.total)

        self._act("redeem", lambda ctx, actor: pts.reverse_redemption(
            ctx, actor=actor, redemption_id=redemption_id, reason=reason), said)

    def _after_redemption(self, view: pts.RedemptionView) -> None:
        self.account = view.account
        self.redeemed.emit(view)
        self.load_goods()

    def receive_stock(self, code: str, quantity: int) -> None:
        def said(g: pts.GoodsView) -> str:
            self.load_goods()
            return tr("{name} 入库 {n}{unit}，现有 {stock}{unit}。").format(
                name=g.name, n=quantity, unit=g.unit, stock=g.stock)

        note = N_("收货入库")  # the stock record stays in Chinese, whatever the screen's language
        self._act("redeem", lambda ctx, actor: pts.move_stock(ctx, actor=actor, code=code, quantity=quantity,
                                                              note=note), said)

    # -- the statement (对账单) ------------------------------------------------------------------------------
    def load_statement(self) -> None:
        account = self.account
        if account is None or not account.opened:
            return
        ctx, account_id = self._ctx, account.id
        self._runner.submit(lambda: pts.statement(ctx, account_id=account_id), self.statement_loaded.emit,
                            lambda e: self._fail("statement", e))

    def issue_statement(self, *, to_file: Path | None = None) -> None:
        """Ctrl+P: a new statement (each printing is its own numbered document, dated), shown and printed."""
        account = self.account
        if account is None or not account.opened:
            self.failed.emit("statement", tr("这户还没有积分账户（还没有登记过积分），没有对账单可打。"))
            return
        account_id = account.id

        def call(ctx: ServiceContext, actor: Actor) -> IssuedDocument:
            return _issue(ctx, actor, pts.statement_sheet(ctx, account_id=account_id))

        def said(issued: IssuedDocument) -> str:
            self._show_paper("statement", issued, PREVIEW_A4)
            assert self.actor is not None  # _act runs only for a signed-in actor
            self._out("statement").print(issued, self.actor, to_file=to_file)
            return tr("对账单 {number} 已生成，正在打印…").format(number=issued.number)

        self._act("statement", call, said)

    # -- the board (积分榜) and the period's summary ----------------------------------------------------------
    def load_board(self) -> None:
        ctx = self._ctx
        self._runner.submit(lambda: pts.board(ctx), self.board_loaded.emit, lambda e: self._fail("board", e))

    def load_summary(self, period: str) -> None:
        ctx = self._ctx
        self._runner.submit(lambda: pts.summary(ctx, period=period), self.summary_loaded.emit,
                            lambda e: self._fail("board", e))

    # -- paper ---------------------------------------------------------------------------------------------
    def _show_paper(self, panel: str, issued: IssuedDocument, width: int) -> None:
        self._show_papers(panel, (issued,), width)

    def _show_papers(self, panel: str, issued: tuple[IssuedDocument, ...], width: int) -> None:
        """The panel's documents (the notices of several villages: one after the other) in its preview."""
        self.papers[panel] = issued[-1]
        self.paper_sets[panel] = issued

        def pages() -> list[QImage]:
            return [page for doc in issued for page in pdf_pages(doc.pdf, width)]

        self._devices.submit(pages, lambda shown: self.paper_ready.emit(panel, issued[-1], shown),
                             lambda e: self._fail(panel, e))

    def print_paper(self, panel: str, *, to_file: Path | None = None) -> None:
        """Ctrl+P: the panel's documents to the printer; printed once already, a 补打 copy (same number).
        On the review tab with no notice posted since the page opened: every notice open here (its paper
        again)."""
        issued, actor, ctx = self.paper_sets.get(panel, ()), self.actor, self._ctx
        if not issued and panel == "review" and actor is not None:
            def shown(papers: tuple[IssuedDocument, ...]) -> None:
                out = self._out(panel)
                out.printed.update(p.number for p in papers)  # printed before: the next press is a copy
                self._show_papers("review", papers, PREVIEW_A4)
                for paper in papers:
                    out.print(paper, actor, to_file=to_file)

            self._runner.submit(lambda: _open_notices(ctx, actor), shown, lambda e: self._fail("review", e))
            return
        if not issued or actor is None:
            self.failed.emit(panel, tr("还没有要打印的单子。"))
            return
        for paper in issued:
            self._out(panel).print(paper, actor, to_file=to_file)

    def _out(self, panel: str) -> PaperOut:
        """Each panel says what its printing did on its own status line."""
        if panel not in self._outs:
            self._outs[panel] = PaperOut(self._ctx, self._runner, self._devices,
                                         done=lambda text: self.done.emit(panel, text),
                                         failed=lambda text: self.failed.emit(panel, text), lang=self.lang,
                                         no_printer=lambda paper, problem: self._on_no_printer(panel, paper,
                                                                                               problem))
        return self._outs[panel]

    @property
    def settings_path(self) -> Path | None:
        """This PC's screen settings (where a PDF was last saved)."""
        return settings_file(self._ctx.data_dir) if self._ctx.data_dir else None

    def _on_no_printer(self, panel: str, paper: IssuedDocument, problem: str) -> None:
        """No printer here: the panel says so and the page offers the document as a PDF to save."""
        self._saving[paper.number] = panel
        self.failed.emit(panel, problem)
        self.no_printer.emit(paper, problem)

    def save_paper(self, paper: IssuedDocument, folder: Path) -> None:
        """The document as a PDF in the folder the clerk chose; the panel that printed it says where."""
        self._out(self._saving.pop(paper.number, "review")).save(paper, folder)

    # -- plumbing ------------------------------------------------------------------------------------------
    def _act(self, panel: str, call: Callable[[ServiceContext, Actor], T], say: Callable[[T], str], *,
             reload: bool = False) -> None:
        """A staff action on the database thread; its sentence goes to the panel's status line."""
        actor, ctx = self.actor, self._ctx
        if actor is None:
            self.failed.emit(panel, tr("请先登录。"))
            return

        def finished(result: T) -> None:
            text = say(result)
            if text:
                self.done.emit(panel, text)
            if reload:
                self.load_declarations()

        self._runner.submit(lambda: call(ctx, actor), finished, lambda e: self._fail(panel, e))

    def _fail(self, panel: str, error: BaseException) -> None:
        text = message_for(error, self.lang)
        if isinstance(error, DomainError) and error.code == "points.nothing_approved":
            text += tr("选中一条，按 F9 通过（自己登记的要由别的评议人员通过），再按 F11。")
        self.failed.emit(panel, text)
