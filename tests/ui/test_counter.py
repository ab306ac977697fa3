"""The counter window: logging in and finding a resident, driven through real widgets."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from app.services.context import ServiceContext
from app.services.demo import DEMO_PASSWORD
from app.services.residents import find_residents
from app.services.station import station_view
from app.ui.counter.view import CounterView
from app.ui.counter.view_model import CounterViewModel
from app.ui.login.view import LoginDialog
from app.ui.login.view_model import LoginViewModel
from app.ui.shell import MainWindow
from app.ui.tasks import TaskRunner

FULL_ID = re.compile(r"\d{17}[\dX]")


def test_a_wrong_password_shows_a_plain_message_and_keeps_the_dialog_open(qtbot, demo_ctx, runner):
    dialog = LoginDialog(LoginViewModel(demo_ctx, runner), station_name="青溪村便民服务站")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "xiaoli")
    qtbot.keyClicks(dialog.password, "not-the-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=5000)
    assert "密码不对" in dialog.message.text()
    assert dialog.actor is None
    assert dialog.isVisible() or dialog.result() == 0


def test_logging_in_with_enter_gives_the_staff_member(qtbot, demo_ctx, runner):
    dialog = LoginDialog(LoginViewModel(demo_ctx, runner), station_name="青溪村便民服务站")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    dialog.username.setFocus()
    qtbot.keyClicks(dialog.username, "xiaoli")
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)  # Enter moves to the password field, no login yet
    assert dialog.focusWidget() is dialog.password
    assert dialog.message.text() == ""
    qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.vm.logged_in, timeout=5000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.actor is not None and dialog.actor.username == "xiaoli"


def _window(qtbot, ctx: ServiceContext, runner: TaskRunner) -> MainWindow:
    from app.services.staff import authenticate

    actor = authenticate(ctx, username="xiaoli", password=DEMO_PASSWORD)
    window = MainWindow(station=station_view(ctx), actor=actor, counter=CounterView(CounterViewModel(ctx, runner)))
    qtbot.addWidget(window)
    window.show()
    return window


def test_typing_pinyin_initials_lists_residents_with_masked_numbers(qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner)
    counter = window.counter
    expected = len(find_residents(demo_ctx, query="zs").residents)
    assert expected > 0
    qtbot.keyClicks(counter.search, "zs")
    qtbot.waitUntil(lambda: counter.residents.rowCount() == expected, timeout=5000)
    shown = [counter.residents.data(counter.residents.index(r, c)) for r in range(expected) for c in range(7)]
    assert not any(FULL_ID.search(str(cell)) for cell in shown)
    assert any("********" in str(cell) for cell in shown)
    assert "拼音首字母" in counter.hint.text()


def test_down_and_enter_open_the_residents_card_with_household_and_cases(qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner)
    counter = window.counter
    person = next(r for q in "zlwcyh" for r in find_residents(demo_ctx, query=q).residents if r.household_id)
    tail = person.id_masked[-4:]
    counter.focus_search()
    qtbot.keyClicks(counter.search, tail)
    qtbot.waitUntil(lambda: counter.residents.rowCount() > 0, timeout=5000)
    qtbot.keyClick(counter.search, Qt.Key.Key_Down)
    assert counter.results.hasFocus()
    row = next(i for i in range(counter.residents.rowCount()) if counter.residents.row(i).id == person.id)
    counter.results.selectRow(row)
    qtbot.keyClick(counter.results, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: person.name in counter.card.text(), timeout=5000)
    assert person.id_masked in counter.card.text()
    assert counter.household.rowCount() >= 1


def test_a_search_with_too_few_digits_asks_for_more(qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner)
    counter = window.counter
    qtbot.keyClicks(counter.search, "12")
    qtbot.waitUntil(lambda: "多输入几位" in counter.hint.text(), timeout=5000)
    assert counter.residents.rowCount() == 0
