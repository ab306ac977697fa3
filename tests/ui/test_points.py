"""The points page, through real widgets on a real demo station: registering a declaration with its photo,
the review (and the rule that nobody approves their own), the public notice, redeeming at the counter with
its slip, undoing it, and the statement. Paper is read back from the issued PDFs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from app.services import points as pts
from app.services.demo import DEMO_PASSWORD
from app.services.documents import list_documents
from app.services.residents import get_resident
from app.services.staff import authenticate
from app.ui.points.view import PointsView
from app.ui.points.view_model import PointsViewModel
from tests.printing.pdfcheck import assert_no_full_numbers, page_sizes_mm, squeezed

TIMEOUT = 10_000


def _view(qtbot, ctx, runner, username: str = "xiaoli") -> PointsView:
    actor = authenticate(ctx, username=username, password=DEMO_PASSWORD)
    view = PointsView(PointsViewModel(ctx, runner, actor=actor))
    qtbot.addWidget(view)
    view.resize(1366, 720)
    view.show()
    view.activateWindow()  # shortcuts (F9, Alt+1…5) go to the active window, as at the counter
    qtbot.waitUntil(view.isActiveWindow, timeout=TIMEOUT)
    return view


def _richest(ctx) -> str:
    """The resident whose household leads the village board (the demo credits a few households)."""
    top = pts.board(ctx).lines[0]
    return next(d.resident_id for d in pts.list_declarations(ctx, states=("credited",))
                if d.account_id == top.account_id)


def _open_for(qtbot, view: PointsView, ctx, resident_id: str) -> pts.AccountView:
    with qtbot.waitSignal(view.vm.account_loaded, timeout=TIMEOUT):
        view.opened(get_resident(ctx, resident_id=resident_id))
    assert view.vm.account is not None and view.vm.resident_id == resident_id
    return view.vm.account


def _photo(tmp_path) -> str:
    image = QImage(1600, 1200, QImage.Format.Format_RGB32)
    image.fill(QColor("#2e7d32"))
    path = tmp_path / "helping-neighbour.jpg"
    assert image.save(str(path))
    return str(path)


def test_a_declaration_is_registered_with_its_photo_and_waits_for_review(qtbot, demo_ctx, runner, tmp_path):
    view = _view(qtbot, demo_ctx, runner)
    resident_id = _richest(demo_ctx)
    before = _open_for(qtbot, view, demo_ctx, resident_id)
    qtbot.waitUntil(lambda: view.declare.list.count() > 10, timeout=TIMEOUT)

    qtbot.keyClicks(view.declare.filter, "T17")  # volunteering, by the hour
    assert view.declare.list.count() == 1 and view.declare.hours.isEnabled()
    qtbot.keyClicks(view.declare.hours, "1.5")
    view.declare.note.setText("帮助邻居抢收稻谷")  # typed through the input method (QTest types ASCII only)
    from pathlib import Path
    view.declare.set_evidence(Path(_photo(tmp_path)))
    qtbot.keyClick(view.declare.filter, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "已登记" in view.declare.status.text(), timeout=TIMEOUT)

    [mine] = [d for d in pts.list_declarations(demo_ctx, states=("pending",)) if d.resident_id == resident_id]
    assert (mine.indicator_code, mine.hours, mine.points, mine.has_evidence) == ("T17", "1.5", 1, True)
    assert mine.note == "帮助邻居抢收稻谷" and mine.declared_by == "本人"
    assert pts.account_of(demo_ctx, resident_id=resident_id).balance == before.balance  # nothing credited yet
    assert view.declare.hours.text() == "" and view.declare.evidence is None  # ready for the next one


def test_a_declaration_without_an_indicator_or_with_too_many_hours_says_what_to_do(qtbot, demo_ctx, runner):
    view = _view(qtbot, demo_ctx, runner)
    _open_for(qtbot, view, demo_ctx, _richest(demo_ctx))
    qtbot.keyClicks(view.declare.filter, "no such thing")
    assert view.declare.list.count() == 0
    view.declare.button.click()
    qtbot.waitUntil(lambda: "请先选积分指标" in view.declare.status.text(), timeout=TIMEOUT)
    assert view.declare.status.objectName() == "error"

    view.declare.filter.clear()
    qtbot.keyClicks(view.declare.filter, "T17")
    qtbot.keyClicks(view.declare.hours, "abc")
    view.declare.button.click()
    qtbot.waitUntil(lambda: "小时" in view.declare.status.text() and "已登记" not in view.declare.status.text(),
                    timeout=TIMEOUT)
    assert not pts.list_declarations(demo_ctx, states=("pending",), account_id=view.vm.account.id)


def test_the_head_approves_with_f9_sees_the_photo_and_the_recorder_cannot_approve_their_own(
        qtbot, demo_ctx, runner, tmp_path):
    clerk = authenticate(demo_ctx, username="xiaoli", password=DEMO_PASSWORD)
    resident_id = _richest(demo_ctx)
    from pathlib import Path
    decl = pts.declare(demo_ctx, actor=clerk, resident_id=resident_id, indicator="T08",
                       evidence=Path(_photo(tmp_path)), note="调解了两家的宅基地纠纷")

    own = _view(qtbot, demo_ctx, runner, "xiaoli")  # the clerk who recorded it
    own.show_panel(own.review)
    own.vm.load_declarations()
    qtbot.waitUntil(lambda: any(own.review.model.row(i).id == decl.id for i in range(own.review.model.rowCount())),
                    timeout=TIMEOUT)
    own.review.table.selectRow(next(i for i in range(own.review.model.rowCount())
                                    if own.review.model.row(i).id == decl.id))
    qtbot.keyClick(own.review.table, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: own.review.status.text() != "", timeout=TIMEOUT)
    assert "站长" in own.review.status.text() or "评议" in own.review.status.text()
    assert pts.list_declarations(demo_ctx, account_id=decl.account_id, states=("pending",))

    head = _view(qtbot, demo_ctx, runner, "zhanzhang")
    head.show_panel(head.review)
    head.vm.load_declarations()
    qtbot.waitUntil(lambda: head.review.model.rowCount() >= 3, timeout=TIMEOUT)
    row = next(i for i in range(head.review.model.rowCount()) if head.review.model.row(i).id == decl.id)
    head.review.table.selectRow(row)
    qtbot.waitUntil(lambda: head.review.evidence.pixmap() is not None and not head.review.evidence.pixmap().isNull(),
                    timeout=TIMEOUT)
    assert head.review.evidence.pixmap().width() <= 440  # scaled off the GUI thread, not 1600 wide

    qtbot.keyClick(head.review.table, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: "待公示" in head.review.status.text(), timeout=TIMEOUT)
    assert pts.list_declarations(demo_ctx, account_id=decl.account_id, states=("approved",))[0].id == decl.id

    # Rejecting needs a reason: first without one, then with it.
    other = next(i for i in range(head.review.model.rowCount()) if head.review.model.row(i).state == "pending")
    head.review.table.selectRow(other)
    rejected_id = head.review.model.row(other).id
    qtbot.keyClick(head.review.table, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: "理由" in head.review.status.text(), timeout=TIMEOUT)
    head.review.reason.setText("本月已评过庭院整洁")
    qtbot.keyClick(head.review.reason, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: "未通过" in head.review.status.text(), timeout=TIMEOUT)
    assert pts.list_declarations(demo_ctx, states=("rejected",))[0].id == rejected_id


def test_the_public_notice_is_posted_with_f11_previewed_and_its_pdf_masks_names(qtbot, demo_ctx, runner):
    head_actor = authenticate(demo_ctx, username="zhanzhang", password=DEMO_PASSWORD)
    for d in pts.list_declarations(demo_ctx, states=("pending",)):
        pts.review(demo_ctx, actor=head_actor, declaration_id=d.id, approve=True)  # recorded by the clerk
    approved = pts.list_declarations(demo_ctx, states=("approved",))
    assert approved

    view = _view(qtbot, demo_ctx, runner, "zhanzhang")
    view.show_panel(view.review)
    view.vm.load_declarations()
    qtbot.waitUntil(lambda: view.review.model.rowCount() == len(approved), timeout=TIMEOUT)
    qtbot.keyClick(view.review.table, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: view.review.preview.page_count >= 1, timeout=TIMEOUT)
    assert "公示已发布" in view.review.status.text()
    assert view.review.side.currentWidget() is view.review.preview
    notice = view.vm.papers["review"]
    text = squeezed(notice.pdf)
    assert "公示" in text and notice.number in text
    for d in approved:
        assert d.resident_name not in text  # masked: 许*子
        assert d.resident_name[0] + "*" in text and d.indicator_name in text
    assert_no_full_numbers(notice.pdf)
    assert all(d.state == "noticed" for d in pts.list_declarations(
        demo_ctx, states=("noticed",)) if d.id in {a.id for a in approved})

    # An objection during the notice holds the item; the head upholds it and the item is withdrawn.
    qtbot.waitUntil(lambda: all(view.review.model.row(i).state == "noticed"
                                for i in range(view.review.model.rowCount())), timeout=TIMEOUT)
    view.review.table.selectRow(0)
    target = view.review.selected()
    view.review.reason.setText("群众反映这件事不属实")
    qtbot.keyClick(view.review.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "异议" in view.review.status.text(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: view.review.selected() is not None and view.review.selected().objection != "",
                    timeout=TIMEOUT)
    view.review.reason.setText("经核实确不属实")
    qtbot.keyClick(view.review.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "已撤回" in view.review.status.text(), timeout=TIMEOUT)
    assert pts.list_declarations(demo_ctx, states=("withdrawn",))[0].id == target.id


def test_ending_notices_are_credited_when_the_page_opens(qtbot, demo_ctx, runner):
    clerk = authenticate(demo_ctx, username="xiaoli", password=DEMO_PASSWORD)
    head = authenticate(demo_ctx, username="zhanzhang", password=DEMO_PASSWORD)
    resident_id = _richest(demo_ctx)
    before = pts.account_of(demo_ctx, resident_id=resident_id).balance
    d = pts.declare(demo_ctx, actor=clerk, resident_id=resident_id, indicator="T14")
    pts.review(demo_ctx, actor=head, declaration_id=d.id, approve=True)
    pts.post_notice(demo_ctx, actor=head)
    real_now = demo_ctx.now
    demo_ctx.now = lambda: real_now() + timedelta(days=8)  # the seven days of the notice are over
    view = _view(qtbot, demo_ctx, runner)
    _open_for(qtbot, view, demo_ctx, resident_id)
    qtbot.waitUntil(lambda: "入账" in view.review.status.text(), timeout=TIMEOUT)
    view.opened(get_resident(demo_ctx, resident_id=resident_id))
    qtbot.waitUntil(lambda: f"{before + 30}" in view.card.text(), timeout=TIMEOUT)


def _goods_row(view: PointsView, code: str) -> int:
    return next(i for i in range(view.redeem.goods.rowCount()) if view.redeem.goods.row(i).code == code)


def test_redeeming_at_the_counter_prints_the_slip_and_undoing_it_gives_everything_back(
        qtbot, demo_ctx, runner, tmp_path):
    view = _view(qtbot, demo_ctx, runner, "zhanzhang")  # undoing a redemption is the station head's
    resident_id = _richest(demo_ctx)
    before = _open_for(qtbot, view, demo_ctx, resident_id)
    view.show_panel(view.redeem)
    qtbot.waitUntil(lambda: view.redeem.goods.rowCount() >= 5, timeout=TIMEOUT)
    stock_before = {g.code: g.stock for g in pts.list_goods(demo_ctx)}

    view.redeem.table.selectRow(_goods_row(view, "G01"))  # 洗衣粉, 10 points
    qtbot.keyClick(view.redeem.table, Qt.Key.Key_Return)
    qtbot.keyClick(view.redeem.table, Qt.Key.Key_Plus)
    view.redeem.table.selectRow(_goods_row(view, "G03"))  # 毛巾, 5 points
    qtbot.keyClick(view.redeem.table, Qt.Key.Key_Return)
    assert view.redeem.cart == {"G01": 2, "G03": 1} and view.redeem.total_points() == 25
    assert "合计 25 分" in view.redeem.total.text()

    qtbot.keyClick(view.redeem.table, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: view.redeem.preview.page_count >= 1, timeout=TIMEOUT)
    after = pts.account_of(demo_ctx, resident_id=resident_id)
    assert after.balance == before.balance - 25
    stock = {g.code: g.stock for g in pts.list_goods(demo_ctx)}
    assert (stock["G01"], stock["G03"]) == (stock_before["G01"] - 2, stock_before["G03"] - 1)
    assert view.redeem.cart == {} and f"余额 <b>{after.balance}</b>" in view.card.text()
    slip = view.vm.papers["redeem"]
    text = squeezed(slip.pdf)
    assert "兑换" in text and slip.number in text and "洗衣粉" in text and "毛巾" in text
    assert "办理进度" not in text  # the station's footer speaks of cases; a redemption slip has none
    assert_no_full_numbers(slip.pdf)
    qtbot.waitUntil(lambda: view.redeem.goods.row(_goods_row(view, "G01")).stock == stock["G01"], timeout=TIMEOUT)

    # Printed through the printer driver (a PDF printer here) on 80 mm paper; printed again, a 补打 copy.
    first, second = tmp_path / "slip.pdf", tmp_path / "copy.pdf"
    with qtbot.waitSignal(view.vm.done, timeout=TIMEOUT * 2):
        view.vm.print_paper("redeem", to_file=first)
    assert abs(page_sizes_mm(first.read_bytes())[0][0] - 80) < 1.5
    with qtbot.waitSignal(view.vm.done, timeout=TIMEOUT * 2):
        view.vm.print_paper("redeem", to_file=second)
    [doc] = [d for d in list_documents(demo_ctx) if d.number == slip.number]
    assert doc.reprints == 1 and doc.printed_at is not None

    # Undo: a reason first.
    qtbot.keyClick(view.redeem.table, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: "原因" in view.redeem.status.text(), timeout=TIMEOUT)
    view.redeem.reason.setText("群众退回商品")
    qtbot.keyClick(view.redeem.reason, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: "已撤销" in view.redeem.status.text(), timeout=TIMEOUT)
    assert pts.account_of(demo_ctx, resident_id=resident_id).balance == before.balance
    assert {g.code: g.stock for g in pts.list_goods(demo_ctx)} == stock_before
    assert not view.redeem.reverse_button.isEnabled()  # the same redemption cannot be undone twice


def test_a_clerk_who_redeems_is_told_that_undoing_it_is_the_heads_job(qtbot, demo_ctx, runner):
    view = _view(qtbot, demo_ctx, runner, "xiaoli")
    resident_id = _richest(demo_ctx)
    before = _open_for(qtbot, view, demo_ctx, resident_id)
    view.show_panel(view.redeem)
    qtbot.waitUntil(lambda: view.redeem.goods.rowCount() >= 5, timeout=TIMEOUT)
    view.redeem.table.selectRow(_goods_row(view, "G05"))
    qtbot.keyClick(view.redeem.table, Qt.Key.Key_Return)
    qtbot.keyClick(view.redeem.table, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: "已兑换" in view.redeem.status.text(), timeout=TIMEOUT)
    view.redeem.reason.setText("拿错了")
    qtbot.keyClick(view.redeem.reason, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: view.redeem.status.objectName() == "error", timeout=TIMEOUT)
    assert "站长" in view.redeem.status.text()
    assert pts.account_of(demo_ctx, resident_id=resident_id).balance == before.balance - 8


def test_more_than_the_spendable_part_or_the_shelf_is_refused_and_nothing_changes(qtbot, demo_ctx, runner):
    view = _view(qtbot, demo_ctx, runner)
    resident_id = _richest(demo_ctx)
    before = _open_for(qtbot, view, demo_ctx, resident_id)
    view.show_panel(view.redeem)
    qtbot.waitUntil(lambda: view.redeem.goods.rowCount() >= 5, timeout=TIMEOUT)
    view.redeem.table.selectRow(_goods_row(view, "G06"))  # soy sauce: sold out in the demo
    qtbot.keyClick(view.redeem.table, Qt.Key.Key_Return)
    assert view.redeem.cart == {} and "只剩 0" in view.redeem.status.text()

    view.redeem.table.selectRow(_goods_row(view, "G02"))  # 40 points each
    for _ in range(before.spendable // 40 + 1):
        qtbot.keyClick(view.redeem.table, Qt.Key.Key_Return)
    assert view.redeem.total_points() > before.spendable and "不够" in view.redeem.total.text()
    qtbot.keyClick(view.redeem.table, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: view.redeem.status.objectName() == "error", timeout=TIMEOUT)
    assert "可兑换" in view.redeem.status.text() or "不够" in view.redeem.status.text()
    assert pts.account_of(demo_ctx, resident_id=resident_id).balance == before.balance


def test_the_head_receives_stock_and_a_clerk_is_told_it_is_the_heads_job(qtbot, demo_ctx, runner):
    clerk = _view(qtbot, demo_ctx, runner, "xiaoli")
    clerk.opened(None)
    clerk.show_panel(clerk.redeem)
    qtbot.waitUntil(lambda: clerk.redeem.goods.rowCount() >= 5, timeout=TIMEOUT)
    clerk.redeem.table.selectRow(_goods_row(clerk, "G06"))
    clerk.redeem.receive_count.setValue(12)
    qtbot.keyClick(clerk.redeem.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: clerk.redeem.status.objectName() == "error", timeout=TIMEOUT)
    assert {g.code: g.stock for g in pts.list_goods(demo_ctx)}["G06"] == 0

    head = _view(qtbot, demo_ctx, runner, "zhanzhang")
    head.opened(None)
    head.show_panel(head.redeem)
    qtbot.waitUntil(lambda: head.redeem.goods.rowCount() >= 5, timeout=TIMEOUT)
    head.redeem.table.selectRow(_goods_row(head, "G06"))
    head.redeem.receive_count.setValue(12)
    qtbot.keyClick(head.redeem.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "入库 12" in head.redeem.status.text(), timeout=TIMEOUT)
    assert {g.code: g.stock for g in pts.list_goods(demo_ctx)}["G06"] == 12
    qtbot.waitUntil(lambda: head.redeem.goods.row(_goods_row(head, "G06")).stock == 12, timeout=TIMEOUT)


def test_the_statement_lists_the_ledger_and_ctrl_p_issues_the_a4_statement(qtbot, demo_ctx, runner):
    view = _view(qtbot, demo_ctx, runner)
    resident_id = _richest(demo_ctx)
    account = _open_for(qtbot, view, demo_ctx, resident_id)
    view.show_panel(view.statement)
    qtbot.waitUntil(lambda: view.statement.model.rowCount() >= 2, timeout=TIMEOUT)
    newest = view.statement.model.row(0)
    assert newest.balance == account.balance  # newest first, its balance is the account's
    assert view.statement.model.row(view.statement.model.rowCount() - 1).kind.value == "opening"
    qtbot.keyClick(view.statement.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.statement.preview.page_count >= 1, timeout=TIMEOUT)
    text = squeezed(view.vm.papers["statement"].pdf)
    assert "对账单" in text and str(account.balance) in text and account.holder_name in text
    # It went to the printer at once: on a PC without one, the sentence says what to do.
    qtbot.waitUntil(lambda: "打印机" in view.statement.status.text(), timeout=TIMEOUT)


def test_without_a_resident_the_page_says_where_to_find_one(qtbot, demo_ctx, runner):
    view = _view(qtbot, demo_ctx, runner)
    view.opened(None)
    assert "F2" in view.card.text()
    view.show_panel(view.redeem)
    qtbot.waitUntil(lambda: view.redeem.goods.rowCount() >= 5, timeout=TIMEOUT)
    view.redeem.table.selectRow(0)
    qtbot.keyClick(view.redeem.table, Qt.Key.Key_Return)
    qtbot.keyClick(view.redeem.table, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: "找到居民" in view.redeem.status.text(), timeout=TIMEOUT)


@pytest.mark.parametrize("lang", ["en"])
def test_the_points_page_reads_in_english(qtbot, demo_ctx, runner, lang):
    from app.ui.i18n import use_language

    use_language(lang)
    try:
        view = _view(qtbot, demo_ctx, runner)
        _open_for(qtbot, view, demo_ctx, _richest(demo_ctx))
        assert "Balance" in view.card.text()
        assert view.tabs.tabText(2).startswith("Redeem")
    finally:
        use_language("zh")


def test_ctrl_j_from_the_counter_opens_the_points_page_on_the_resident_found_there(qtbot, demo_ctx, runner):
    from app.services.station import station_view
    from app.ui.counter.view import CounterView
    from app.ui.counter.view_model import CounterViewModel
    from app.ui.shell import MainWindow

    actor = authenticate(demo_ctx, username="xiaoli", password=DEMO_PASSWORD)
    counter = CounterView(CounterViewModel(demo_ctx, runner, actor=actor))
    points = PointsView(PointsViewModel(demo_ctx, runner, actor=actor))
    window = MainWindow(station=station_view(demo_ctx), actor=actor)
    window.install(counter, points=points)
    window.begin(actor)
    qtbot.addWidget(window)
    window.show()
    resident_id = _richest(demo_ctx)
    counter.vm.resident_chosen(resident_id)
    qtbot.waitUntil(lambda: counter.vm.resident is not None and counter.vm.resident.resident.id == resident_id,
                    timeout=TIMEOUT)
    with qtbot.waitSignal(points.vm.account_loaded, timeout=TIMEOUT):
        qtbot.keyClick(counter.search, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is points
    account = pts.account_of(demo_ctx, resident_id=resident_id)
    assert f"余额 <b>{account.balance}</b>" in points.card.text()
    assert counter.vm.resident.resident.name in points.card.text()
    qtbot.keyClick(points.declare.filter, Qt.Key.Key_F1)
    assert window.current_page() is counter


def test_the_board_ranks_the_village_with_star_grades_and_the_summary_follows_the_period(qtbot, demo_ctx, runner):
    clerk = authenticate(demo_ctx, username="xiaoli", password=DEMO_PASSWORD)
    resident_id = _richest(demo_ctx)
    pts.redeem(demo_ctx, actor=clerk, resident_id=resident_id, lines=[("G01", 2)])  # 20 points, two bags
    view = _view(qtbot, demo_ctx, runner)
    view.opened(None)
    with qtbot.waitSignal(view.vm.summary_loaded, timeout=TIMEOUT):
        qtbot.keyClick(view.declare.filter, Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)
    assert view.tabs.currentWidget() is view.board
    qtbot.waitUntil(lambda: view.board.model.rowCount() >= 8, timeout=TIMEOUT)
    board = pts.board(demo_ctx)
    shown = [view.board.model.row(i) for i in range(view.board.model.rowCount())]
    assert [b.balance for b in shown] == sorted((b.balance for b in shown), reverse=True)
    assert shown[0].holder_name == board.lines[0].holder_name and "*" in shown[0].holder_name  # masked
    assert "四星文明户" in view.board.grades.text() or "三星文明户" in view.board.grades.text()
    month = demo_ctx.now().strftime("%Y-%m")
    assert view.board.period.currentText() == month
    assert "兑换积分 <b>20</b>" in view.board.summary.text() and "洗衣粉（1千克） 2袋" in view.board.summary.text()

    view.board.period.setCurrentText("2025-Q1")  # nothing happened then
    with qtbot.waitSignal(view.vm.summary_loaded, timeout=TIMEOUT):
        qtbot.keyClick(view.board.period.lineEdit(), Qt.Key.Key_Return)
    assert "发放积分 <b>0</b>" in view.board.summary.text()
    view.board.period.setCurrentText("2025-13")
    qtbot.keyClick(view.board.period.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.board.status.objectName() == "error", timeout=TIMEOUT)
    assert "2025-13" in view.board.status.text()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_tab_of_the_points_page_fits_a_1366_pixel_screen(qtbot, demo_ctx, runner, lang):
    """The old station PCs show 1366×768: no tab may force the window wider (the photo, the buttons)."""
    from app.ui.i18n import use_language

    use_language(lang)
    try:
        view = _view(qtbot, demo_ctx, runner)
        widest = max(view.tabs.widget(n).minimumSizeHint().width() for n in range(view.tabs.count()))
        assert widest <= 1366 - 60, widest  # the window's frame and margins take the rest
    finally:
        use_language("zh")


def test_ctrl_p_on_the_review_tab_prints_the_open_notice_posted_earlier(qtbot, demo_ctx, runner):
    view = _view(qtbot, demo_ctx, runner, "zhanzhang")
    view.show_panel(view.review)
    qtbot.keyClick(view.review.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.review.status.objectName() == "error", timeout=TIMEOUT)
    assert "公示" in view.review.status.text()  # nothing is on public notice now: it says so

    head = authenticate(demo_ctx, username="zhanzhang", password=DEMO_PASSWORD)
    for d in pts.list_declarations(demo_ctx, states=("pending",)):
        pts.review(demo_ctx, actor=head, declaration_id=d.id, approve=True)
    notice = pts.post_notice(demo_ctx, actor=head)  # posted from the CLI, say, with no paper issued
    qtbot.keyClick(view.review.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.review.preview.page_count >= 1, timeout=TIMEOUT)
    first = view.vm.papers["review"].number
    assert notice.lines[0].name in squeezed(view.vm.papers["review"].pdf)
    qtbot.waitUntil(lambda: "打印机" in view.review.status.text(), timeout=TIMEOUT)
    view2 = _view(qtbot, demo_ctx, runner, "zhanzhang")  # another day: the same notice, the same number
    view2.show_panel(view2.review)
    qtbot.keyClick(view2.review.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view2.review.preview.page_count >= 1, timeout=TIMEOUT)
    assert view2.vm.papers["review"].number == first and view2.vm.papers["review"].reprint


def test_f5_for_an_evidence_photo_without_a_camera_says_to_choose_a_file_instead(qtbot, demo_ctx, runner):
    pytest.importorskip("PySide6.QtMultimedia", reason="the camera extra (PySide6-Addons) is not installed")
    from app.ui.camera import find_cameras

    if find_cameras()[0]:
        pytest.skip("a camera is connected to this machine")
    view = _view(qtbot, demo_ctx, runner)
    _open_for(qtbot, view, demo_ctx, _richest(demo_ctx))
    assert view.declare.camera_folder == demo_ctx.data_dir / "camera"  # photos go to the station's data folder
    qtbot.keyClick(view.declare.filter, Qt.Key.Key_F5)
    assert "没有找到高拍仪" in view.declare.status.text() and "Ctrl+O" in view.declare.status.text()
    assert view.declare.evidence is None


def test_with_no_printer_the_statement_is_offered_as_a_pdf_saved_where_the_clerk_chooses(
        qtbot, demo_ctx, runner, no_printer, tmp_path):
    from tests.ui.test_reprint import _choose_folder

    view = _view(qtbot, demo_ctx, runner)
    account = _open_for(qtbot, view, demo_ctx, _richest(demo_ctx))
    view.show_panel(view.statement)
    qtbot.waitUntil(lambda: view.statement.model.rowCount() >= 2, timeout=TIMEOUT)
    qtbot.keyClick(view.statement.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    offer = view.save_offer
    qtbot.waitUntil(lambda: offer.box is not None and offer.box.isVisible(), timeout=TIMEOUT)
    number = view.vm.papers["statement"].number
    assert "没有装打印机" in offer.box.text() and number in offer.box.text()
    assert "没有装打印机" in view.statement.status.text()  # the tab says it too
    stick = tmp_path / "usb-stick"
    stick.mkdir()
    qtbot.keyClick(offer.box, Qt.Key.Key_Return)  # the default: 存为 PDF…
    _choose_folder(qtbot, view, stick)
    qtbot.waitUntil(lambda: any(stick.glob(f"{number}*.pdf")), timeout=TIMEOUT)
    saved = next(stick.glob(f"{number}*.pdf"))
    assert account.holder_name in squeezed(saved.read_bytes())
    qtbot.waitUntil(lambda: str(saved) in view.statement.status.text(), timeout=TIMEOUT)  # on its own tab
