"""The program's own start-up object, in this process: one window whose login page comes first, the
station opening and the counter being built behind it, the language switch, and the login."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.services.context import ServiceContext
from app.services.demo import DEMO_PASSWORD
from app.ui import i18n
from app.ui.look import TextSize, settings_file, store_language, stored_language
from app.ui.main import CounterStart, parse_args
from app.ui.opening import StationOpening
from app.ui.tasks import TaskRunner


@pytest.fixture
def start(qtbot, demo_ctx: ServiceContext, runner: TaskRunner) -> Iterator[CounterStart]:
    folder = demo_ctx.data_dir
    assert folder is not None
    args = parse_args(["--data-dir", str(folder), "--lock-minutes", "0"])
    args.lang, args.qt_words = "zh", None
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    opening = StationOpening(runner, folder, "zh")
    started = CounterStart(app, args, runner, opening, TextSize(app, None))
    try:
        yield started
    finally:
        started.dispose()
        i18n.use_language("zh")
        runner.shutdown()  # the opening's jobs end before its database closes
        if opening.is_open:
            opening.context().db.dispose()


def test_the_window_comes_first_then_the_station_and_the_counter_behind_the_login(qtbot, start: CounterStart):
    window = start.window
    assert window is not None and window.isVisible()
    assert window.login_page is not None and window.screens.currentWidget() is window.login_page
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    assert window.login_page.username.hasFocus()  # typing can start before the station is open
    qtbot.waitUntil(lambda: window.installed, timeout=20000)
    assert "青溪村便民服务站" in window.station_label.text()
    assert "青溪村便民服务站" in window.login_page.title.text()
    assert window.screens.currentWidget() is window.login_page  # built, but behind the login page

    page = window.login_page
    qtbot.keyClicks(page.username, "xiaoli")
    qtbot.keyClick(page.username, Qt.Key.Key_Return)
    qtbot.keyClicks(page.password, DEMO_PASSWORD)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.actor is not None, timeout=10000)
    assert window.counter is not None and window.counter.isVisible()
    assert window.counter.vm.actor is window.actor and window.work is not None and window.work.vm.actor is window.actor
    assert window.counter.search.hasFocus()  # the first key after the login goes to the search
    assert window.lock_page is not None and window.lock_page.actor is window.actor


def test_a_login_typed_before_the_counter_is_ready_waits_for_it(qtbot, start: CounterStart):
    window = start.window
    assert window is not None and window.login_page is not None
    window.login_page.username.setText("xiaoli")
    window.login_page.password.setText(DEMO_PASSWORD)
    window.login_page.button.click()  # at once: the station may not even be open yet
    qtbot.waitUntil(lambda: window.actor is not None, timeout=20000)
    assert window.counter is not None and window.counter.isVisible()


def test_the_language_button_makes_the_window_again_in_english_and_remembers_it(qtbot, start: CounterStart):
    first = start.window
    assert first is not None and first.login_page is not None
    qtbot.waitUntil(lambda: first.installed, timeout=20000)
    assert first.login_page.language_button.text() == "English"
    first.login_page.language_button.click()
    window = start.window
    assert window is not None and window is not first and not first.isVisible()
    assert i18n.language() == "en"
    assert window.login_page is not None and window.login_page.button.text() == "Log in (Enter)"
    assert window.login_page.language_button.text() == "中文"
    assert window.staff_label.text() == "Not logged in"
    assert "青溪村便民服务站" in window.login_page.title.text()  # the station is open already: named at once
    assert stored_language(settings_file(start.opening.data_dir)) == "en"  # the next start opens in English
    qtbot.waitUntil(lambda: window.installed, timeout=20000)
    window.login_page.username.setText("xiaoli")
    window.login_page.password.setText(DEMO_PASSWORD)
    window.login_page.button.click()
    qtbot.waitUntil(lambda: window.actor is not None, timeout=10000)
    assert window.counter is not None and window.counter.search.placeholderText().startswith("Find")


def test_a_spoilt_language_setting_falls_back_to_chinese(tmp_path: Path):
    store_language(settings_file(tmp_path), "klingon")
    assert stored_language(settings_file(tmp_path)) is None
