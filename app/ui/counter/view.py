"""The counter view: one search line for anyone in the town, the results, and the chosen resident's card."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.catalog import ServiceItem
from app.domain.forms import format_money
from app.domain.idcard import IdCard
from app.domain.identity import IdType
from app.domain.staff import Permission
from app.services.cases import AcceptResult
from app.services.drafts import CounterDraft
from app.services.ratings import RatingResult
from app.services.residents import MatchKind, ResidentDetail, SearchResult
from app.services.station import StationView
from app.services.views import ResidentSummary
from app.ui.counter.models import CaseTableModel, ResidentTableModel
from app.ui.counter.register_panel import RegisterPanel
from app.ui.counter.service_panel import ServicePanel
from app.ui.counter.view_model import CounterViewModel
from app.ui.i18n import N_, label, tr, trn
from app.ui.paper import SaveOffer
from app.ui.rating import RatingWindow
from app.ui.tables import FittedTable

REVEAL_SECONDS = 30
DRAFT_DELAY_MS = 400  # save the draft this long after the last edit
REVEAL_PURPOSES = (N_("核对身份"), N_("填写纸质申请表"), N_("办理需要完整号码的业务"), N_("居民本人要求核对"))

_KIND_WORDS = {MatchKind.ID_EXACT: N_("身份证号"), MatchKind.ID_SUFFIX: N_("身份证后几位"), MatchKind.PHONE: N_("电话"),
            MatchKind.NAME: N_("姓名"), MatchKind.INITIALS: N_("拼音首字母")}


class _CtrlUEverywhere(QObject):
    """A text field claims Ctrl+U (delete to the start of the line) before the counter's shortcut sees it:
    inside the counter the key means 查看完整号码 wherever the cursor is."""

    def __init__(self, counter: QWidget) -> None:
        super().__init__(counter)
        self._counter = counter
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_U and event.modifiers() == Qt.KeyboardModifier.ControlModifier \
                and isinstance(watched, QWidget) and self._counter.isAncestorOf(watched):
            event.ignore()  # not overridden: the shortcut fires
            return True
        return False


class CounterView(QWidget):
    def __init__(self, vm: CounterViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(tr("找人：身份证后4-6位、姓名、拼音首字母（如 zs）或电话　　F2"))
        self.search.setClearButtonEnabled(True)
        self.hint = QLabel(tr("输入后按 ↓ 选人，Enter 确定"))
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)  # a long sentence wraps instead of widening the window
        self.residents = ResidentTableModel()
        self.results = FittedTable(self.residents, "results")

        self.card = QLabel(tr("还没有选中居民"))
        self.card.setObjectName("card")
        self.card.setWordWrap(True)
        self.card.setTextFormat(Qt.TextFormat.RichText)
        self.household = ResidentTableModel()
        self.household_view = FittedTable(self.household, "household")
        self.cases = CaseTableModel()
        self.cases_view = FittedTable(self.cases, "cases")

        self.reveal_bar = QWidget()
        self.reveal_purpose = QComboBox()
        self.reveal_purpose.setEditable(True)
        for purpose in REVEAL_PURPOSES:
            self.reveal_purpose.addItem(tr(purpose), purpose)  # the audit trail records the Chinese words
        self.reveal_purpose.setCurrentIndex(-1)
        purpose_line = self.reveal_purpose.lineEdit()
        assert purpose_line is not None  # the combo is editable
        purpose_line.setPlaceholderText(tr("查看原因（记入审计），回车显示"))
        purpose_line.returnPressed.connect(self._on_reveal_purpose_entered)
        reveal_row = QHBoxLayout(self.reveal_bar)
        reveal_row.setContentsMargins(0, 0, 0, 0)
        reveal_row.addWidget(QLabel(tr("完整号码：")))
        reveal_row.addWidget(self.reveal_purpose, 1)
        self.reveal_bar.setVisible(False)
        self._mask_timer = QTimer(self)
        self._mask_timer.setSingleShot(True)
        self._mask_timer.setInterval(REVEAL_SECONDS * 1000)
        self._mask_timer.timeout.connect(self._mask_again)
        self.service = ServicePanel()
        self.service.camera_folder = vm.camera_folder
        self._resident_id = ""
        self._shown_query = ""  # the text the result list was found for
        self._enter_pending = False
        self.message = QLabel("")
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.next_step = QLabel("")  # after an accept that takes money: what to do now, in large type
        self.next_step.setObjectName("nextStep")
        self.next_step.setWordWrap(True)
        self.next_step.setVisible(False)
        self.notice = QLabel("")  # e.g. a draft left by a power cut, waiting to be restored
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        self._draft: CounterDraft | None = None  # the one offered back
        self._restoring: CounterDraft | None = None  # being put back: resident, then item, then the rest
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self._save_draft)

        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.search)
        left.addWidget(self.hint)
        left.addWidget(self.results, 3)  # the results and the household and cases share what the card leaves
        left.addWidget(self.card)
        left.addWidget(self.reveal_bar)
        about = QTabWidget()
        about.addTab(self.household_view, tr("家庭成员"))
        about.addTab(self.cases_view, tr("办件记录"))
        left.addWidget(about, 2)
        self.about = about
        self._browsing = True  # looking through results (not yet on one person): see ``_arrange``
        left_box = QWidget()
        left_box.setLayout(left)

        self.register = RegisterPanel(vm.lang)
        self.right = QStackedWidget()
        self.right.addWidget(self.service)
        self.right.addWidget(self.register)
        self.right.currentChanged.connect(self._size_by_the_page_shown)
        self._size_by_the_page_shown()
        right = QVBoxLayout()
        right.addWidget(self.notice)
        right.addWidget(self.right, 1)
        right.addWidget(self.next_step)
        right.addWidget(self.message)
        right_box = QWidget()
        right_box.setLayout(right)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left_box)
        split.addWidget(right_box)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 0)  # the left pane is as wide as its lists need; the rest is the service's
        split.setStretchFactor(1, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(split)

        QShortcut(QKeySequence("F2"), self, self.focus_search)
        QShortcut(QKeySequence("Ctrl+N"), self, self.start_registration)
        QShortcut(QKeySequence("F12"), self, self.vm.read_card)
        QShortcut(QKeySequence("Ctrl+U"), self, self.ask_reveal)
        self._ctrl_u = _CtrlUEverywhere(self)  # a text field would take Ctrl+U for itself
        QShortcut(QKeySequence("Ctrl+R"), self, self.restore_draft)
        QShortcut(QKeySequence("Ctrl+D"), self, self.toggle_favourite)
        vm.favourite_toggled.connect(self._on_vm_favourite_toggled)
        QShortcut(QKeySequence("F7"), self, self.ask_rating)
        self.rating = RatingWindow(self)
        self.rating.panel.rated.connect(self._on_rating_chosen)
        self._last_case: AcceptResult | None = None
        vm.rated.connect(self._on_vm_rated)
        vm.rating_failed.connect(self._on_vm_rating_failed)
        self.service.changed.connect(self._draft_timer.start)
        vm.draft_found.connect(self._on_vm_draft_found)
        vm.revealed.connect(self._on_vm_revealed)
        for n in range(1, 10):
            QShortcut(QKeySequence(f"Alt+{n}"), self, lambda n=n: self._pick_frequent(n - 1))
        self.search.textChanged.connect(self.vm.search_typed)
        self.search.textEdited.connect(lambda _text: self._browse(True))
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self.results.activated.connect(self._on_results_activated)
        self.search.installEventFilter(self)
        self.service.item_typed.connect(self.vm.item_typed)
        self.service.item_picked.connect(self.vm.item_chosen)
        self.service.accept_requested.connect(self._on_service_accept_requested)
        self.service.back_requested.connect(self._on_service_back_requested)
        vm.results_changed.connect(self._on_vm_results_changed)
        vm.resident_loaded.connect(self._on_vm_resident_loaded)
        vm.items_changed.connect(self._on_vm_items_changed)
        vm.item_loaded.connect(self._on_vm_item_loaded)
        vm.accepted.connect(self._on_vm_accepted)
        vm.due_provisional.connect(self._on_vm_due_provisional)
        vm.paper_ready.connect(lambda issued, pages: self.service.show_paper(pages, issued.number))
        vm.printed.connect(self.hint.setText)
        vm.print_failed.connect(self._on_vm_failed)
        self.save_offer = SaveOffer(self, vm.settings_path)  # no printer: save the PDF to a folder instead
        vm.no_printer.connect(self.save_offer.offer)
        self.save_offer.folder_chosen.connect(vm.save_paper)
        self.service.print_button.clicked.connect(lambda: self.vm.print_paper())
        vm.form_problems.connect(self.service.show_form_problems)
        vm.failed.connect(self._on_vm_failed)
        vm.station_loaded.connect(self._on_vm_station_loaded)
        vm.registered.connect(self._on_vm_registered)
        vm.register_problems.connect(self.register.show_problems)
        vm.card_unknown.connect(self._on_vm_card_unknown)
        self.register.save_requested.connect(self.vm.register)
        self.register.back_requested.connect(self._show_service)
        vm.prepare()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
        self._browse(True)

    # -- a short page (the largest text on a small screen): the results, or the person, not both --------
    def _size_by_the_page_shown(self, _index: int = 0) -> None:
        """The right pane is as tall as the page it shows: the registration form, hidden behind the service,
        must not make the counter scroll at the larger text sizes."""
        shown = self.right.currentWidget()
        for n in range(self.right.count()):
            page = self.right.widget(n)
            if page is None:
                continue
            policy = QSizePolicy.Policy.Preferred if page is shown else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.right.updateGeometry()

    def compact(self) -> bool:
        """Too short for the results, the card and the household at once: about 19 lines of text."""
        return self.height() < 19 * self.fontMetrics().lineSpacing()

    def _browse(self, browsing: bool) -> None:
        self._browsing = browsing
        self._arrange()

    def _arrange(self) -> None:
        """On a short page the results take the left pane while searching; once a person is chosen, their
        card, household and cases take it (F2 or typing brings the results back)."""
        chosen = self.vm.resident is not None
        searching = not self.compact() or self._browsing or not chosen
        person = not self.compact() or not searching
        self.results.setVisible(searching)
        self.card.setVisible(person)
        self.about.setVisible(person)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def eventFilter(self, obj: object, event: object) -> bool:  # ↓ from the search line goes to the results
        from PySide6.QtCore import QEvent
        from PySide6.QtGui import QKeyEvent

        if obj is self.search and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and event.key() == Qt.Key.Key_Down and self.residents.rowCount() > 0:
            self.results.setFocus()
            if not self.results.currentIndex().isValid():
                self.results.selectRow(0)
            return True
        return super().eventFilter(obj, event)  # type: ignore[arg-type]

    def _on_search_return_pressed(self) -> None:
        if self._shown_query == self.search.text() and self.residents.rowCount():
            current = self.results.currentIndex()  # the highlighted row (the first one until ↓ moves it)
            self._choose(current.row() if current.isValid() else 0)
        else:
            # The results on screen are for older text: search now, and take the person if exactly one is found.
            self._enter_pending = True
            self.vm.search_now()

    def _on_results_activated(self, index: QModelIndex) -> None:
        self._choose(index.row())

    def _choose(self, row: int) -> None:
        self.vm.resident_chosen(self.residents.row(row).id)

    def _on_vm_results_changed(self, result: SearchResult) -> None:
        self._shown_query = result.query
        self.residents.matched = {r.id: m for r, m in zip(result.residents, result.matched, strict=False)}
        self.residents.set_rows(result.residents)
        if result.residents:
            self.results.selectRow(0)  # highlighted: Enter takes it, ↓ moves on from it
        if self._enter_pending and result.query == self.search.text():
            self._enter_pending = False
            if len(result.residents) == 1:  # Enter before the list was seen: only the one person it can mean
                self._choose(0)
        if not result.kinds:
            self.hint.setText(tr("请多输入几位：身份证后4-6位、姓名、拼音首字母或电话"))
        elif not result.residents:
            self.hint.setText(tr("没有找到这位居民。核对后重新输入，或按 Ctrl+N 登记新居民（有身份证可按 F12 读卡）。"))
        else:
            kinds = tr("、").join(tr(_KIND_WORDS[k]) for k in result.kinds)
            found = trn("按{kinds}找到 {n} 人。↓ 选择，Enter 确定", len(result.residents))
            self.hint.setText(found.format(kinds=kinds, n=len(result.residents)))

    # -- 好差评 ----------------------------------------------------------------------------------
    def ask_rating(self) -> None:
        """F7 after a case: the resident rates it on the rating panel (the second screen when there is one)."""
        if self._last_case is None:
            self.message.setText(tr("先办完一件，再请群众评价（F7）。"))
            return
        case = self._last_case.case
        self.rating.open_for(tr("办件 {case_no}　{item}　经办人 {handler}").format(
            case_no=case.case_no, item=case.item_name, handler=case.handler))

    def _on_rating_chosen(self, level: int) -> None:
        if self._last_case is not None:
            self.vm.rate(self._last_case.case.id, level)

    def _on_vm_rated(self, result: RatingResult) -> None:
        self.rating.panel.show_saved(int(result.level))
        self._last_case = None  # one rating per case
        if result.follow_up_due is not None:
            self.hint.setText(tr("{case_no} 收到“{level}”：已转整改回访，请在 {due} 前处理（今日工作 F4）。").format(
                case_no=result.case_no, level=label(result.level), due=result.follow_up_due.isoformat()))
        else:
            self.hint.setText(tr("{case_no} 评价：{level}。").format(case_no=result.case_no, level=label(result.level)))

    def _on_vm_rating_failed(self, text: str) -> None:
        self.rating.panel.show_failed(text)
        self.message.setText(text)

    # -- drafts ------------------------------------------------------------------------------
    def _collect_draft(self) -> CounterDraft | None:
        detail, item, actor = self.vm.resident, self.service.item, self.vm.actor
        if detail is None or item is None or actor is None or self.service.receipt.isVisible():
            return None
        return CounterDraft(staff_id=actor.staff_id, resident_id=detail.resident.id,
                            resident_name=detail.resident.name, item_code=item.code, item_name=item.name,
                            received=tuple(self.service.received()), form=self.service.form.values(),
                            proxy=self.service.proxy.as_dict())

    def _save_draft(self) -> None:
        if self._restoring is not None:
            return
        draft = self._collect_draft()
        if draft is not None:
            self._drop_draft_notice()  # the new draft replaces the old one on file
            self.vm.save_draft(draft)

    def _drop_draft_notice(self) -> None:
        self._draft = None
        self.notice.setVisible(False)

    def _on_vm_draft_found(self, draft: CounterDraft) -> None:
        if self._restoring is not None or self.vm.resident is not None:
            return  # a second look (the counter prepared, then the login) after the clerk already went on
        self._draft = draft
        when = draft.saved_at.replace("T", " ")[:16]
        self.notice.setText(tr("上次有一件没办完：{name}　{item}（{when} 保存）。"
                               "按 Ctrl+R 接着办；直接办别的，这份草稿会被新的替换。").format(
            name=draft.resident_name, item=draft.item_name, when=when))
        self.notice.setVisible(True)

    def restore_draft(self) -> None:
        if self._draft is None:
            return
        self._restoring, self._draft = self._draft, None
        self.notice.setVisible(False)
        self.vm.resident_chosen(self._restoring.resident_id)

    # -- the full ID number: a permission, audited, shown for a short while --------------------
    def ask_reveal(self) -> None:
        if self.vm.resident is None:
            self.message.setText(tr("请先找到并选中居民（F2），再按 Ctrl+U 查看完整号码。"))
            return
        actor = self.vm.actor
        if actor is not None and not actor.can(Permission.RESIDENT_UNMASK):  # said before a purpose is asked
            self.message.setText(tr("您的账号不能查看完整号码：请站长查看（系统 → 切换用户，或请站长在旁边操作）。"))
            return
        self._browse(False)
        self.reveal_bar.setVisible(True)
        self.reveal_purpose.setFocus()

    def _on_reveal_purpose_entered(self) -> None:
        self.vm.reveal(str(self.reveal_purpose.currentData() or self.reveal_purpose.currentText()))

    def _on_vm_revealed(self, resident_id: str, number: str) -> None:
        self.reveal_bar.setVisible(False)
        if self.vm.resident is None or self.vm.resident.resident.id != resident_id:
            return
        masked = self.vm.resident.resident.id_masked
        shown = f"<b>{number}</b>" + tr("（{n}秒后重新遮盖）").format(n=REVEAL_SECONDS)
        self.card.setText(self.card.text().replace(masked, shown))
        self._mask_timer.start()

    def _mask_again(self) -> None:
        if self.vm.resident is not None:
            self._on_vm_resident_loaded(self.vm.resident)

    def _forget_resident(self) -> None:
        """Registering someone new: the card of the last person must not be mistaken for them."""
        self._resident_id = ""
        self.vm.resident = None
        self.card.setText(tr("正在登记新居民"))
        self.household.set_rows(())
        self.cases.set_rows(())

    def clear_person(self) -> None:
        """Signing out: nobody's card, household, cases or case in progress stays on the screen."""
        self._save_draft()  # a half-filled case waits in its draft for the next sign-in (Ctrl+R)
        self._mask_timer.stop()
        self.reveal_bar.setVisible(False)
        self.search.clear()
        self.residents.set_rows(())
        self._forget_resident()
        self.card.setText(tr("还没有选中居民"))
        self.service.clear_item()
        self.message.setText("")
        self.next_step.setVisible(False)
        self._last_case = None

    def _on_vm_station_loaded(self, station: StationView) -> None:
        self.register.set_villages(station.villages, station.village_code)

    def start_registration(self) -> None:
        self._forget_resident()
        typed = self.search.text().strip()
        looks_like_id = len(typed) >= 15 and typed[:-1].isdigit()
        self.right.setCurrentWidget(self.register)
        self.register.start(id_number=typed if looks_like_id else "",
                            name="" if looks_like_id or typed.isascii() else typed)

    def _show_service(self) -> None:
        self.right.setCurrentWidget(self.service)
        self.focus_search()

    def _on_vm_registered(self, summary: ResidentSummary) -> None:
        self.right.setCurrentWidget(self.service)
        self.hint.setText(tr("已登记 {name}（{id}）。").format(name=summary.name, id=summary.id_masked))

    def _on_vm_card_unknown(self, card: IdCard) -> None:
        self._forget_resident()
        self.right.setCurrentWidget(self.register)
        self.register.start_from_card(card)

    def _pick_frequent(self, n: int) -> None:
        if self.vm.resident is not None and n < len(self.vm.frequent):
            self.vm.item_chosen(self.vm.frequent[n].code)

    def _on_vm_items_changed(self, items: tuple[ServiceItem, ...], frequent: bool, query: str) -> None:
        self.service.show_matches(items, frequent=frequent, query=query, favourites=self.vm.favourites)

    def toggle_favourite(self) -> None:
        item = self.service.item
        if item is None:
            self.message.setText(tr("先选一个事项，再按 Ctrl+D 把它设为常用（★）。"))
            return
        self.vm.toggle_favourite(item.code)

    def _on_vm_favourite_toggled(self, code: str, pinned: bool) -> None:
        text = tr("{code} 已设为常用（★，Alt+1…9 直接选）。") if pinned else tr("{code} 已取消常用。")
        self.hint.setText(text.format(code=code))

    def _on_vm_item_loaded(self, item: ServiceItem) -> None:
        self.message.setText("")
        self.service.set_item(item)
        self._warn_eligibility(item)
        earlier = self.vm.open_consultation(item.code)
        if earlier is not None:
            self.hint.setText(tr("这位群众上次咨询过这件事（{case_no}，缺材料）：这次受理接着用这个编号。").format(
                case_no=earlier.case_no))
        draft, self._restoring = self._restoring, None
        if draft is not None and draft.item_code == item.code:
            self.service.set_received(draft.received)
            self.service.form.set_values(draft.form)
            self.service.proxy.set_dict(draft.proxy)
            self.hint.setText(tr("已恢复上次没办完的 {name}　{item}，核对后按 F9 受理。").format(
                name=draft.resident_name, item=draft.item_name))

    def _warn_eligibility(self, item: ServiceItem) -> None:
        """The item's usual ages (高龄津贴: 80 and over) against the applicant's: a warning, never a block —
        local rules and exceptions differ, the clerk checks the conditions."""
        detail = self.vm.resident
        outside = item.age_outside(detail.resident.age) if detail is not None else None
        if detail is None or outside is None:
            return
        side, bound = outside
        under = tr("请注意：{item} 一般要年满 {bound} 周岁，这位居民 {age} 岁。请核对办理条件后再受理。")
        over = tr("请注意：{item} 一般是 {bound} 周岁以下的，这位居民 {age} 岁。请核对办理条件后再受理。")
        text = under if side == "under" else over
        self.message.setText(text.format(item=item.short_name, bound=bound, age=detail.resident.age))

    def _on_service_accept_requested(self, notice: bool) -> None:
        """F8 makes the one-time notice and nothing else; F9 accepts, once every required material is in."""
        item = self.service.item
        if item is None:
            return
        self.message.setText("")
        missing = self.service.missing_required()
        if notice:
            if not missing:
                self.message.setText(tr("必需材料都收齐了，不用一次性告知：核对填写后按 F9 受理。"))
                return
            self.vm.notice(item_code=item.code, received=self.service.received())
            return
        if missing:
            self.message.setText(tr("还缺 {names}，不能受理：按 F8 打印一次性告知交给群众，或收齐后再按 F9。").format(
                names=tr("、").join(missing)))
            return
        self.vm.accept(item_code=item.code, received=self.service.received(), form=self.service.form.values(),
                       proxy=self.service.proxy.value(), scans=list(self.service.scans))

    def _on_service_back_requested(self) -> None:
        if self.service.item is not None and not self.service.item_line.hasFocus():
            self.service.focus_item()
        else:
            self.focus_search()

    def _on_vm_accepted(self, result: AcceptResult) -> None:
        self._drop_draft_notice()
        self._last_case = result
        self.service.show_result(result)
        item = self.service.item
        fee = result.fee_fen  # what this case is charged (it may depend on the form)
        takes_money = result.accepted and item is not None and (item.payment is not None or fee)
        if takes_money:  # the next step is the main message: the resident is still at the counter
            self.next_step.setText(tr("下一步：{case_no} 要收款{amount}。按 Ctrl+M 到收款页收钱、打收据。").format(
                case_no=result.case.case_no, amount=tr(" {fee}").format(fee=format_money(fee)) if fee else ""))
        self.next_step.setVisible(bool(takes_money))
        self.hint.setText(tr("输入后按 ↓ 选人，Enter 确定"))  # a refusal said before this case went through is gone
        self.search.setFocus()
        self.search.selectAll()

    def _on_vm_due_provisional(self, text: str) -> None:
        """The promised date runs into a year without holiday data: the main message says so, beside (or
        before) the money."""
        shown = self.next_step.text() if self.next_step.isVisible() else ""
        self.next_step.setText(text + ("\n" + shown if shown else ""))
        self.next_step.setVisible(True)

    def last_case_no(self) -> str:
        """The case just accepted here, for the money page to offer first."""
        return self._last_case.case.case_no if self._last_case is not None else ""

    def _on_vm_failed(self, text: str) -> None:
        self.message.setText(text)
        self.hint.setText(text)

    def _on_vm_resident_loaded(self, detail: ResidentDetail) -> None:
        self._mask_timer.stop()
        self.reveal_bar.setVisible(False)
        r = detail.resident
        tags = "　".join(f"<span class='tag'>{t}</span>" for t in r.tags)
        gender = label(r.gender) if r.gender else ""
        age = tr("{age}岁").format(age=r.age) if r.age is not None else ""
        kind = "" if r.id_type is IdType.RESIDENT_ID else f"{label(r.id_type)} "  # e.g. 港澳台居民居住证
        phone = tr("电话 {phone}").format(phone=r.phone_masked) if r.phone_masked else tr("电话未登记")
        self.card.setText(f"<span style='font-size:x-large'><b>{r.name}</b></span>　{gender}　{age}<br>"
                          + (kind or tr("身份证") + " ") + r.id_masked + "<br>" + phone + "<br>"
                          + f"{r.address or r.village_name + r.group}<br>{tags}")
        self.household.set_rows(detail.household.members if detail.household else ())
        self.cases.not_at_town = detail.not_at_town
        self.cases.set_rows(detail.open_cases + detail.history)
        if detail.resident.id != self._resident_id:  # a new person at the counter (not a refresh after accepting)
            self._resident_id = detail.resident.id
            self._browse(False)
            self.message.setText("")  # the last person's problem (a printer, a field) is not this person's
            self.next_step.setVisible(False)
            self.service.clear_item()
            self.service.proxy.set_household(detail.household.members if detail.household else (), r)
            self.service.show_matches(self.vm.frequent, frequent=True, favourites=self.vm.favourites)
            self.service.focus_item()
        if self._restoring is not None and self._restoring.resident_id == detail.resident.id:
            if self._restoring.item_code:
                self.vm.item_chosen(self._restoring.item_code)
            else:
                self._restoring = None
