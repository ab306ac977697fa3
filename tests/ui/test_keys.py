"""The key list (Shift+F1): the keys of the page in front and the window's own, each with what it does, read
from the shortcuts really on the screen; the list has the focus and Esc closes it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut

from app.services.demo import DEMO_PASSWORD
from app.services.staff import authenticate
from app.services.station import station_view
from app.ui.counter.view import CounterView
from app.ui.counter.view_model import CounterViewModel
from app.ui.i18n import use_language
from app.ui.keys import KeyListDialog, page_keys, show_keys
from app.ui.money.view import MoneyView
from app.ui.money.view_model import MoneyViewModel
from app.ui.shell import MainWindow
from app.ui.work.view import WorkView
from app.ui.work.view_model import WorkViewModel

TIMEOUT = 10_000


def _window(qtbot, ctx, runner, lang: str = "zh") -> MainWindow:
    actor = authenticate(ctx, username="xiaoli", password=DEMO_PASSWORD)
    counter = CounterView(CounterViewModel(ctx, runner, lang, actor=actor))
    work = WorkView(WorkViewModel(ctx, runner, lang, actor=actor))
    money = MoneyView(MoneyViewModel(ctx, runner, lang, actor=actor))
    window = MainWindow(station=station_view(ctx), actor=actor, counter=counter, work=work)
    window.install(counter, work, money=money)
    window.begin(actor)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()  # shortcuts go to the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT)
    return window


def _rows(dialog: KeyListDialog) -> dict[str, str]:
    """Key → what it does, as the list shows them (the page's lines first)."""
    m = dialog.model
    shown: dict[str, str] = {}
    for n in range(m.rowCount()):
        key, what = (m.data(m.index(n, c)) for c in (0, 1))
        shown.setdefault(key, what)
    return shown


def test_the_counters_key_list_shows_f9_accept_and_f8_the_one_time_notice_and_esc_closes_it(
        qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner)
    page = window.current_page()
    assert isinstance(page, CounterView)
    dialog = show_keys(window, page)
    qtbot.waitExposed(dialog)
    rows = _rows(dialog)
    assert rows["F9"] == "受理" and rows["F8"] == "一次性告知"
    assert rows["F2"].startswith("找居民") and rows["F12"] == "读身份证"
    assert rows["Alt+1…9"] == "选常用事项（★）"  # nine keys, one line
    assert rows["F4"] == "今日工作" and rows["Ctrl+M"] == "收款日结"  # the window's own, on every page
    assert "（没有说明）" not in rows.values()
    on_page = [dialog.model.row(n) for n in range(dialog.model.rowCount())]
    assert [r.window for r in on_page] == sorted(r.window for r in on_page)  # the page's keys come first
    assert dialog.title.text() == "“窗口办理”页的按键"
    qtbot.waitUntil(dialog.table.hasFocus, timeout=TIMEOUT)
    assert dialog.table.currentIndex().row() == 0
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    assert dialog.table.currentIndex().row() == 1
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)


def test_the_money_pages_key_list_shows_its_own_keys_and_none_of_the_counters(qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner)
    qtbot.keyClick(window.counter.search, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(window.current_page(), MoneyView), timeout=TIMEOUT)
    page = window.current_page()
    assert isinstance(page, MoneyView)
    rows = {r.keys: r for r in page_keys(window, page)}
    assert rows["F9"].what == "收款" and not rows["F9"].window
    assert rows["F8"].what == "清点结账" and rows["F12"].what == "日结"
    assert rows["Alt+2"].what == "今日收款" and rows["F5"].what == "刷新"
    assert "F2" not in rows and "Ctrl+N" not in rows  # the counter's keys do not work here
    assert rows["F1"].window and rows["F1"].what.startswith("窗口办理")


def test_a_screens_own_description_and_a_disabled_key(qtbot, demo_ctx, runner):
    window = _window(qtbot, demo_ctx, runner)
    page = window.current_page()
    told = QShortcut(QKeySequence("Ctrl+Shift+K"), page)
    told.setProperty("help", "一个说明过的键")
    off = QShortcut(QKeySequence("Ctrl+Shift+J"), page)
    off.setEnabled(False)
    rows = {r.keys: r.what for r in page_keys(window, page)}
    assert rows["Ctrl+Shift+K"] == "一个说明过的键" and "Ctrl+Shift+J" not in rows


def test_the_key_list_reads_in_english(qtbot, demo_ctx, runner):
    use_language("en")
    try:
        window = _window(qtbot, demo_ctx, runner, "en")
        dialog = show_keys(window, window.current_page())
        rows = _rows(dialog)
        assert rows["F9"] == "Accept" and rows["F12"] == "Read the ID card"
        assert dialog.model.headerData(0, Qt.Orientation.Horizontal) == "Key"
        dialog.reject()
    finally:
        use_language("zh")
