"""Changing hands at the counter without closing the program: the station head (or the B post) signs in
on the lock page or through 系统 → 切换用户, everything from then on is recorded under them, and 注销
returns to the login page with nobody's data left on the screen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.services.cases import get_case
from app.services.demo import DEMO_PASSWORD
from app.services.staff import authenticate
from app.services.station import station_view
from app.ui.counter.view import CounterView
from app.ui.counter.view_model import CounterViewModel
from app.ui.lock import LockPage
from app.ui.login.view import LoginPage
from app.ui.login.view_model import LoginViewModel
from app.ui.shell import MainWindow
from tests.ui.modal import back
from tests.ui.test_counter import FULL_ID, _choose_someone, _pick

TIMEOUT = 5000


def _window(qtbot, ctx, runner) -> MainWindow:
    clerk = authenticate(ctx, username="xiaoli", password=DEMO_PASSWORD)
    window = MainWindow(station=station_view(ctx), counter=CounterView(CounterViewModel(ctx, runner)),
                        lock=LockPage(None, LoginViewModel(ctx, runner)),
                        login=LoginPage(LoginViewModel(ctx, runner)), lock_after_ms=0)
    qtbot.addWidget(window)
    window.show()
    window.begin(clerk)
    back(qtbot, window)
    return window


def _sign_in_on_the_lock_page(qtbot, window: MainWindow, username: str) -> None:
    page = window.lock_page
    qtbot.keyClick(page.password, Qt.Key.Key_F3)  # 换人登录: the account line appears and takes the cursor
    assert page.switching and page.username.hasFocus()
    qtbot.keyClicks(page.username, username)
    qtbot.keyClick(page.username, Qt.Key.Key_Return)
    assert page.password.hasFocus()
    qtbot.keyClicks(page.password, DEMO_PASSWORD)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)


def test_the_lock_page_asks_for_the_password_only_and_says_so(qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner)
    qtbot.keyClick(window.counter.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    page = window.lock_page
    assert window.locked and not page.username.isVisible() and page.password.hasFocus()
    assert "只需输入 李晓丽 的密码" in page.hint.text() and "F3" in page.hint.text()


def test_the_head_signs_in_on_the_clerks_screen_and_the_case_is_recorded_under_the_head(qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner)
    counter = window.counter
    _choose_someone(qtbot, counter, demo_ctx)
    _pick(qtbot, counter, "S08")
    # 系统 → 切换用户 (Ctrl+Shift+L): the lock page opens on the account line.
    qtbot.keyClick(counter.search, Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.locked and window.lock_page.switching
    qtbot.keyClick(window.lock_page.username, Qt.Key.Key_F3)  # F3 goes back to the clerk's own unlock
    assert not window.lock_page.switching
    _sign_in_on_the_lock_page(qtbot, window, "zhanzhang")
    qtbot.waitUntil(lambda: not window.locked, timeout=TIMEOUT)
    assert window.actor.username == "zhanzhang" and "王秀英" in window.staff_label.text()
    assert counter.vm.actor.username == "zhanzhang"
    assert counter.service.item is not None and counter.service.item.code == "S08"  # the case in hand stayed
    qtbot.keyClick(counter.service.materials, Qt.Key.Key_F6)
    qtbot.keyClick(counter.service.materials, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: counter.service.receipt.isVisible(), timeout=TIMEOUT)
    case = get_case(demo_ctx, case_id=counter._last_case.case.id)
    assert case.handler == "王秀英"


def test_log_out_leaves_nobody_on_the_screen_and_the_next_person_signs_in(qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner)
    counter = window.counter
    _choose_someone(qtbot, counter, demo_ctx)
    assert "身份证" in counter.card.text()
    window.system = None
    window.log_out()  # 系统 → 注销
    assert window.screens.currentWidget() is window.login_page and window.actor is None
    assert counter.vm.resident is None and counter.residents.rowCount() == 0
    assert "身份证" not in counter.card.text() and not FULL_ID.search(counter.card.text())
    assert window.staff_label.text() == "未登录"
    login = window.login_page
    assert login.username.hasFocus()
    qtbot.keyClicks(login.username, "zhanzhang")
    qtbot.keyClick(login.username, Qt.Key.Key_Return)
    qtbot.keyClicks(login.password, DEMO_PASSWORD)
    with qtbot.waitSignal(login.vm.logged_in, timeout=TIMEOUT) as signed:
        qtbot.keyClick(login.password, Qt.Key.Key_Return)
    window.begin(signed.args[0])  # what the program's controller does on a login
    assert window.screens.currentWidget() is window.pages and counter.vm.actor.username == "zhanzhang"
