"""The money page through real widgets on a real demo station: opening the drawer, taking a water bill in
cash with its change and receipt, a QR payment without its number refused, a void approved by the station
head in the approval dialog, counting the drawer by denomination and closing the day."""

from __future__ import annotations

import subprocess

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.domain.money import PaymentState
from app.services import closing
from app.services.cases import accept_case
from app.services.demo import DEMO_PASSWORD
from app.services.payments import get_payment
from app.services.residents import find_residents
from app.services.staff import authenticate
from app.ui.money.dialogs import ApprovalDialog, CountDialog
from app.ui.money.view import MoneyView
from app.ui.money.view_model import MoneyViewModel
from tests.printing.pdfcheck import squeezed
from tests.ui.modal import answer as _answer
from tests.ui.modal import back as _back
from tests.ui.modal import when_modal as _when_modal

TIMEOUT = 10_000


def _view(qtbot, ctx, runner, username: str = "xiaoli") -> MoneyView:
    actor = authenticate(ctx, username=username, password=DEMO_PASSWORD)
    view = MoneyView(MoneyViewModel(ctx, runner, actor=actor))
    qtbot.addWidget(view)
    view.resize(1366, 720)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=TIMEOUT)
    return view


def _bill(ctx, amount: str = "88.5") -> str:
    clerk = authenticate(ctx, username="xiaoli", password=DEMO_PASSWORD)
    person = find_residents(ctx, query="zs").residents[0]
    item = ctx.catalog.item("N01")
    return accept_case(ctx, actor=clerk, applicant_id=person.id, item_code="N01",
                       received_materials=[m.code for m in item.materials],
                       form={"account_no": "330127001234", "amount": amount}).case.case_no


def _choose(qtbot, view: MoneyView, case_no: str) -> None:
    qtbot.waitUntil(lambda: any(view.due.row(i).case_no == case_no for i in range(view.due.rowCount())),
                    timeout=TIMEOUT)
    view.due_table.selectRow(next(i for i in range(view.due.rowCount()) if view.due.row(i).case_no == case_no))


def _open_drawer(qtbot, view: MoneyView, amount: str = "200") -> None:
    qtbot.waitUntil(lambda: view.open_button.isVisible(), timeout=TIMEOUT)
    qtbot.keyClicks(view.float_line, amount)
    qtbot.keyClick(view.float_line, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.drawer is not None, timeout=TIMEOUT)


def test_a_water_bill_is_taken_in_cash_with_its_change_and_its_receipt_printed(qtbot, demo_ctx, runner, tmp_path):
    case_no = _bill(demo_ctx)
    view = _view(qtbot, demo_ctx, runner)
    view.opened()
    _open_drawer(qtbot, view)
    assert "¥200.00" in view.drawer_label.text()
    _choose(qtbot, view, case_no)
    assert "应收 ¥88.50" in view.change.text()
    qtbot.keyClicks(view.tendered, "100")
    assert view.change.text() == "找零 ¥11.50"
    qtbot.keyClick(view.tendered, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: view.preview.page_count >= 1, timeout=TIMEOUT)
    assert "已收款 ¥88.50" in view.status.text() and "找零 ¥11.50" in view.status.text()
    paid = get_payment(demo_ctx, case_id=case_no)
    assert (paid.total_fen, paid.tendered_fen, paid.change_fen, paid.state) == (8850, 10000, 1150,
                                                                                PaymentState.COLLECTED)
    receipt = squeezed(view.vm.paper.pdf)
    assert "收款收据" in receipt and "捌拾捌元伍角" in receipt and "找零¥11.50" in receipt
    qtbot.waitUntil(lambda: view.payments.rowCount() == 1 and view.drawer is not None
                    and view.drawer.expected_fen == 20000 + 8850, timeout=TIMEOUT)
    assert not any(view.due.row(i).case_no == case_no for i in range(view.due.rowCount()))  # no longer due
    out = tmp_path / "receipt.pdf"
    with qtbot.waitSignal(view.vm.done, timeout=TIMEOUT * 2):
        view.vm.print_paper(to_file=out)
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert abs(float(info.split("Page size:")[1].split("x")[0]) - 80 / 25.4 * 72) < 3  # 80 mm stays 80 mm


def test_a_qr_payment_needs_its_transaction_number_and_cash_needs_the_drawer(qtbot, demo_ctx, runner):
    case_no = _bill(demo_ctx, "20")
    view = _view(qtbot, demo_ctx, runner)
    view.opened()
    _choose(qtbot, view, case_no)
    qtbot.keyClicks(view.tendered, "20")
    qtbot.keyClick(view.due_table, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: "钱箱还没有打开" in view.status.text(), timeout=TIMEOUT)
    assert view.status.objectName() == "error"
    view.method.setCurrentIndex(view.method.findData("wechat"))
    assert not view.tendered.isEnabled() and view.reference.isEnabled()
    qtbot.keyClick(view.due_table, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: "交易号" in view.status.text(), timeout=TIMEOUT)
    qtbot.keyClicks(view.reference, "4200001234202611240009")
    qtbot.keyClick(view.reference, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: "已收款 ¥20.00（微信）" in view.status.text(), timeout=TIMEOUT)
    assert get_payment(demo_ctx, case_id=case_no).txn_ref == "4200001234202611240009"


def test_a_void_is_approved_by_the_station_head_in_the_dialog(qtbot, demo_ctx, runner):
    case_no = _bill(demo_ctx, "35")
    view = _view(qtbot, demo_ctx, runner)
    view.opened()
    _open_drawer(qtbot, view, "100")
    _choose(qtbot, view, case_no)
    qtbot.keyClicks(view.tendered, "50")
    qtbot.keyClick(view.tendered, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: view.payments.rowCount() == 1, timeout=TIMEOUT)
    view.payments_table.selectRow(0)
    qtbot.keyClick(view.payments_table, Qt.Key.Key_F11)
    assert "要写明原因" in view.status.text()
    view.reason.setText("户号填错了")  # typed through the input method (QTest types ASCII only)

    asked: list[str] = []
    _answer(Qt.Key.Key_Escape, asked)  # the question names the payment; Esc keeps it
    qtbot.keyClick(view.reason, Qt.Key.Key_F11)
    assert case_no in asked[0] and "¥35.00" in asked[0] and "户号填错了" in asked[0] and "不能撤回" in asked[0]
    assert "没有作废" in view.status.text() and get_payment(demo_ctx, case_id=case_no).state is PaymentState.COLLECTED
    _back(qtbot, view)
    kept: list[str] = []

    def wrong_then_right(dialog: ApprovalDialog) -> None:
        dialog.username.setText("zhanzhang")
        dialog.password.setText("not-the-password")
        dialog.accept()  # a wrong password: the dialog stays open, says so, and keeps the account

        def again() -> None:
            if not dialog.buttons.isEnabled():
                QTimer.singleShot(50, again)
                return
            kept.extend((dialog.problem.text(), dialog.username.text(), str(dialog.isVisible())))
            dialog.password.setText(DEMO_PASSWORD)
            dialog.accept()
        QTimer.singleShot(50, again)

    def yes_then_sign(box) -> None:
        from PySide6.QtTest import QTest
        _when_modal(wrong_then_right, ApprovalDialog)
        QTest.keyClick(box, Qt.Key.Key_Y)
    from PySide6.QtWidgets import QMessageBox
    _when_modal(yes_then_sign, QMessageBox)
    qtbot.keyClick(view.reason, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: "已作废" in view.status.text(), timeout=TIMEOUT)
    voided = get_payment(demo_ctx, case_id=case_no)
    assert voided.state is PaymentState.VOIDED and voided.events[0].approver_name == "王秀英"
    assert "密码" in kept[0] and kept[1:] == ["zhanzhang", "True"]
    qtbot.waitUntil(lambda: view.drawer is not None and view.drawer.expected_fen == 10000, timeout=TIMEOUT)
    _choose(qtbot, view, case_no)  # due again, to be taken correctly


def test_the_drawer_is_counted_by_denomination_and_the_day_closed_with_its_report(qtbot, demo_ctx, runner):
    case_no = _bill(demo_ctx)
    view = _view(qtbot, demo_ctx, runner)
    view.opened()
    _open_drawer(qtbot, view)
    _choose(qtbot, view, case_no)
    qtbot.keyClicks(view.tendered, "88.5")
    qtbot.keyClick(view.tendered, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: view.drawer is not None and view.drawer.expected_fen == 28850, timeout=TIMEOUT)

    qtbot.keyClick(view.due_table, Qt.Key.Key_F12)  # the drawer is still open
    qtbot.waitUntil(lambda: "钱箱还没有结账" in view.status.text(), timeout=TIMEOUT)

    def count_short(dialog: CountDialog) -> None:  # ¥5 short: over the ¥1 tolerance, the clerk alone cannot close
        dialog.pieces[10000].setValue(2)
        dialog.pieces[5000].setValue(1)
        dialog.pieces[2000].setValue(1)
        dialog.pieces[1000].setValue(1)
        dialog.pieces[100].setValue(3)
        dialog.pieces[50].setValue(1)
        assert dialog.difference_fen() == -500 and dialog.over_tolerance() and "站长" in dialog.total.text()
        dialog.accept()  # no note: the dialog stays open with every count as typed
        short.extend((str(dialog.isVisible()), dialog.problem.text(), str(dialog.counted_fen()),
                      str(dialog.note.hasFocus())))
        dialog.reject()
    short: list[str] = []
    _when_modal(count_short)
    qtbot.keyClick(view.due_table, Qt.Key.Key_F8)
    assert short[0] == "True" and "写明情况" in short[1] and short[2] == "28350" and short[3] == "True"
    assert view.drawer is not None  # nothing closed without a note
    _back(qtbot, view)

    def count_right(dialog: CountDialog) -> None:
        for fen, n in ((10000, 2), (5000, 1), (2000, 1), (1000, 1), (500, 1), (100, 3), (50, 1)):
            dialog.pieces[fen].setValue(n)
        assert dialog.difference_fen() == 0 and not dialog.over_tolerance()
        dialog.accept()
    _when_modal(count_right)
    qtbot.keyClick(view.due_table, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: "钱箱已结账" in view.status.text(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: view.drawer is None, timeout=TIMEOUT)
    _back(qtbot, view)
    asked: list[str] = []
    _answer(Qt.Key.Key_Return, asked)  # Enter out of habit: the default answer closes nothing
    qtbot.keyClick(view.due_table, Qt.Key.Key_F12)
    assert not closing.is_closed(demo_ctx, day=demo_ctx.now().date()) and "不能再改动" in asked[0]
    _back(qtbot, view)
    _answer(Qt.Key.Key_Y)
    qtbot.keyClick(view.due_table, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: view.preview.page_count >= 1 and "已日结" in view.status.text(), timeout=TIMEOUT)
    day = demo_ctx.now().date()
    assert closing.is_closed(demo_ctx, day=day)
    report = squeezed(view.vm.paper.pdf)
    assert "日结报表" in report and "¥88.50" in report and view.vm.paper.number in report


def test_a_drawer_off_by_more_than_allowed_is_closed_with_the_heads_approval(qtbot, demo_ctx, runner):
    view = _view(qtbot, demo_ctx, runner)
    view.opened()
    _open_drawer(qtbot, view, "100")

    def count_short(dialog: CountDialog) -> None:
        dialog.pieces[5000].setValue(1)
        dialog.pieces[2000].setValue(2)
        dialog.note.setText("复点两遍，少 10 元，已报站长")
        dialog.accept()

    def head_signs(dialog: ApprovalDialog) -> None:
        dialog.username.setText("zhanzhang")
        dialog.password.setText(DEMO_PASSWORD)
        dialog.accept()

    def both(dialog) -> None:
        count_short(dialog)
        _when_modal(head_signs)
    _when_modal(both)
    qtbot.keyClick(view.float_line, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: "钱箱已结账" in view.status.text(), timeout=TIMEOUT)
    assert "差额 -¥10.00" in view.status.text()


def test_a_drawer_left_open_since_yesterday_says_so_and_payments_wait_for_its_count(qtbot, demo_ctx, runner):
    from datetime import timedelta

    from app.services import cash

    clerk = authenticate(demo_ctx, username="xiaoli", password=DEMO_PASSWORD)
    real_now = demo_ctx.now
    demo_ctx.now = lambda: real_now() - timedelta(days=1)
    cash.open_drawer(demo_ctx, actor=clerk, float_fen=10000)
    demo_ctx.now = real_now
    case_no = _bill(demo_ctx, "12")
    view = _view(qtbot, demo_ctx, runner)
    view.opened()
    qtbot.waitUntil(lambda: "还没有结账" in view.drawer_label.text(), timeout=TIMEOUT)
    _choose(qtbot, view, case_no)
    qtbot.keyClicks(view.tendered, "12")
    qtbot.keyClick(view.tendered, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: "还没有结账" in view.status.text(), timeout=TIMEOUT)
    assert view.status.objectName() == "error"


def test_cash_taken_out_of_the_drawer_with_a_reason_is_recorded(qtbot, demo_ctx, runner):
    view = _view(qtbot, demo_ctx, runner)
    view.opened()
    _open_drawer(qtbot, view, "300")
    assert view.move_bar.isVisible()
    qtbot.keyClicks(view.move_amount, "100")
    view.cash_out_button.click()
    assert "原因" in view.status.text() and view.drawer.expected_fen == 30000  # nothing moved without a reason
    view.move_reason.setText("上缴镇财政所")
    view.cash_out_button.click()
    qtbot.waitUntil(lambda: view.drawer is not None and view.drawer.expected_fen == 20000, timeout=TIMEOUT)
    assert "取出 100" in view.status.text()
    assert [m.reason for m in view.drawer.moves] == ["上缴镇财政所"]


def test_a_close_whose_backup_cannot_be_made_stands_and_says_to_back_up_by_hand(qtbot, demo_ctx, runner):
    from app.services.backups import auto_folder

    assert demo_ctx.data_dir is not None
    auto_folder(demo_ctx.data_dir).parent.mkdir(parents=True, exist_ok=True)
    auto_folder(demo_ctx.data_dir).write_text("a file where the backups folder should be")
    view = _view(qtbot, demo_ctx, runner)
    view.opened()
    _answer(Qt.Key.Key_Y)
    qtbot.keyClick(view.due_table, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: "已日结" in view.status.text(), timeout=TIMEOUT)
    assert "自动备份没有做成" in view.status.text() and "手工备份" in view.status.text()
    assert closing.is_closed(demo_ctx, day=demo_ctx.now().date())


def test_the_close_names_the_cases_still_waiting_for_their_money(qtbot, demo_ctx, runner):
    case_no = _bill(demo_ctx, "42")
    view = _view(qtbot, demo_ctx, runner)
    view.opened()
    _choose(qtbot, view, case_no)
    asked: list[str] = []
    _answer(Qt.Key.Key_Escape, asked)
    qtbot.keyClick(view.due_table, Qt.Key.Key_F12)
    assert "在等收款" in asked[0] and case_no in asked[0] and "¥42.00" in asked[0]
    assert not closing.is_closed(demo_ctx, day=demo_ctx.now().date())


def test_a_drawer_opened_without_a_float_is_asked_first(qtbot, demo_ctx, runner):
    view = _view(qtbot, demo_ctx, runner)
    view.opened()
    qtbot.waitUntil(lambda: view.open_button.isVisible(), timeout=TIMEOUT)
    asked: list[str] = []
    _answer(Qt.Key.Key_Escape, asked)
    qtbot.keyClick(view.float_line, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert "¥0.00" in asked[0] and view.drawer is None and view.focusWidget() is view.float_line
    _back(qtbot, view)
    _answer(Qt.Key.Key_Y)
    qtbot.keyClick(view.float_line, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.drawer is not None and view.drawer.float_fen == 0, timeout=TIMEOUT)


def test_tab_leaves_the_lists_and_the_buttons_name_what_they_act_on(qtbot, demo_ctx, runner):
    case_no = _bill(demo_ctx, "35")
    view = _view(qtbot, demo_ctx, runner)
    view.opened()
    _open_drawer(qtbot, view, "100")
    _choose(qtbot, view, case_no)
    assert case_no in view.due_target.text() and "¥35.00" in view.due_target.text()
    view.due_table.setFocus()
    qtbot.keyClick(view.due_table, Qt.Key.Key_Tab)  # out of the list, not to its next cell
    assert not view.due_table.hasFocus()
    qtbot.keyClicks(view.tendered, "50")
    qtbot.keyClick(view.tendered, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: view.payments.rowCount() == 1, timeout=TIMEOUT)
    assert view.sides.currentIndex() == 1  # the receipt just made is in front
    qtbot.keyClick(view.tendered, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert view.payments_table.hasFocus() and case_no in view.payment_target.text()
    qtbot.keyClick(view.payments_table, Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab) if QApplication.focusWidget() is not view.reason \
        else None
    assert view.reason.hasFocus()  # the reason box is reached from the list by the keyboard
