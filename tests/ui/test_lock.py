"""The counter locks itself after inactivity and unlocks with the staff member's password."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.services.demo import DEMO_PASSWORD
from app.services.staff import authenticate
from app.services.station import station_view
from app.ui.counter.view import CounterView
from app.ui.counter.view_model import CounterViewModel
from app.ui.lock import LockPage
from app.ui.login.view_model import LoginViewModel
from app.ui.shell import MainWindow


def _window(qtbot, ctx, runner, lock_after_ms: int) -> MainWindow:
    actor = authenticate(ctx, username="xiaoli", password=DEMO_PASSWORD)
    window = MainWindow(station=station_view(ctx), actor=actor,
                        counter=CounterView(CounterViewModel(ctx, runner, actor=actor)),
                        lock=LockPage(actor, LoginViewModel(ctx, runner)), lock_after_ms=lock_after_ms)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()  # window-wide shortcuts (Ctrl+L) need the active window, as at the counter
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    return window


def test_the_counter_locks_when_nobody_works_and_hides_the_residents(qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner, lock_after_ms=300)
    qtbot.waitUntil(lambda: window.locked, timeout=5000)
    assert not window.counter.isVisible()
    assert window.lock_page is not None and window.lock_page.password.hasFocus()


def test_typing_keeps_it_open(qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner, lock_after_ms=600)
    for _ in range(6):
        qtbot.keyClick(window.counter.search, Qt.Key.Key_A)
        qtbot.wait(200)
    assert not window.locked


def test_a_wrong_password_keeps_it_locked_and_the_right_one_opens_it(qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner, lock_after_ms=0)  # no automatic lock: Ctrl+L
    qtbot.keyClick(window.counter.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked
    page = window.lock_page
    assert page is not None
    qtbot.keyClicks(page.password, "wrong-password")
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.message.text() != "", timeout=5000)
    assert window.locked and "密码不对" in page.message.text()

    qtbot.keyClicks(page.password, DEMO_PASSWORD)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.locked, timeout=5000)
    assert window.counter.isVisible()
