"""Every page at every text size on a 1366×768 screen (the window a maximised one is there): nothing needed
is cut or off the window, the counter needs no scrolling and keeps its accept and print buttons in view,
and the columns that tell people apart are never cut (tests/ui/fit.py says what it checks).

Known and accepted, each named below: at the larger sizes the money and points pages scroll down (Tab
scrolls to the field it reaches). No page is wider than the screen at any size (their rows of buttons wrap,
app/ui/flow.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QEventLoop, QTimer

from app.services.demo import DEMO_PASSWORD
from app.services.residents import find_residents
from app.services.staff import authenticate
from app.services.station import station_view
from app.ui.counter.view import CounterView
from app.ui.counter.view_model import CounterViewModel
from app.ui.lock import LockPage
from app.ui.login.view_model import LoginViewModel
from app.ui.look import TEXT_SIZES, TextSize
from app.ui.money.view import MoneyView
from app.ui.money.view_model import MoneyViewModel
from app.ui.points.view import PointsView
from app.ui.points.view_model import PointsViewModel
from app.ui.shell import SMALL_SCREEN_WINDOW, MainWindow
from app.ui.work.view import WorkView
from app.ui.work.view_model import WorkViewModel
from tests.ui.fit import problems

# (page, language) → the smallest text step at which it may scroll down / be wider than the window
MAY_SCROLL_DOWN = {("money", "zh"): 4, ("money", "en"): 3, ("points", "zh"): 2, ("points", "en"): 2}
MAY_BE_WIDER: dict[tuple[str, str], int] = {}


def _settle(ms: int = 250) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _apply(text_size: TextSize, step: int) -> None:
    text_size.step = step
    text_size.apply()
    _settle()


@contextmanager
def _at(text_size: TextSize, step: int) -> Iterator[None]:
    """At this text size, and back to the standard one afterwards (the next test starts there)."""
    try:
        _apply(text_size, step)
        yield
    finally:
        _apply(text_size, 0)


def _allowed(found: list[str], page: str, step: int, lang: str) -> list[str]:
    page = (page, lang)  # type: ignore[assignment]
    left = []
    scrolls = step >= min(MAY_SCROLL_DOWN.get(page, 99), MAY_BE_WIDER.get(page, 99))
    for p in found:
        if scrolls and "is cut or outside the window" in p:  # below the fold of a page that may scroll
            continue
        if "it scrolls" in p and step >= MAY_SCROLL_DOWN.get(page, 99):
            continue
        if p.startswith("pageScroll") and "sideways" in p and step >= MAY_BE_WIDER.get(page, 99):
            continue
        left.append(p)
    return left


def _with_the_system_menu(window: MainWindow, ctx, lang: str) -> None:
    """As the program has it: the 系统 menu takes its height from every page."""
    from app.paths import DataLocation
    from app.ui.system import SystemMenu

    window.add_system_menu(SystemMenu(window, DataLocation(ctx.data_dir, "custom"), lang=lang))


@pytest.fixture(params=["zh", "en"])
def lang(request):
    from app.ui import i18n

    i18n.use_language(request.param)
    yield request.param
    i18n.use_language("zh")


@pytest.mark.slow
def test_every_page_fits_a_1366_by_768_screen_at_every_text_size(qtbot, qapp, demo_ctx, runner, tmp_path, lang):
    actor = authenticate(demo_ctx, username="xiaoli", password=DEMO_PASSWORD)
    text_size = TextSize(qapp, tmp_path / "ui-settings.ini")
    window = MainWindow(station=station_view(demo_ctx), text_size=text_size, lock_after_ms=0)
    _with_the_system_menu(window, demo_ctx, lang)
    counter = CounterView(CounterViewModel(demo_ctx, runner, lang, actor=actor))
    window.install(counter, WorkView(WorkViewModel(demo_ctx, runner, lang, actor=actor)),
                   LockPage(actor, LoginViewModel(demo_ctx, runner, lang)),
                   PointsView(PointsViewModel(demo_ctx, runner, lang, actor=actor)),
                   MoneyView(MoneyViewModel(demo_ctx, runner, lang, actor=actor)))
    qtbot.addWidget(window)
    window.begin(actor)
    window.show_on_screen(SMALL_SCREEN_WINDOW)
    # Two people of one surname in the results; one of them chosen, with S07's form and a proxy open.
    counter.search.setText("张")
    qtbot.waitUntil(lambda: counter.residents.rowCount() >= 2, timeout=10_000)
    person = find_residents(demo_ctx, query="张").residents[0]
    counter.vm.resident_chosen(person.id)
    qtbot.waitUntil(lambda: counter.vm.resident is not None, timeout=10_000)
    counter.vm.item_chosen("S07")
    qtbot.waitUntil(lambda: counter.service.item is not None, timeout=10_000)
    counter.service.proxy.setChecked(True)
    must_show = (counter.service.accept_button, counter.service.notice_button, counter.search)
    failures: list[str] = []
    with _at(text_size, 0):
        for step in range(len(TEXT_SIZES)):
            _apply(text_size, step)
            assert window.size() == SMALL_SCREEN_WINDOW, f"the window grew to {window.size()} at step {step}"
            for name, page in (("counter", window.counter), ("work", window.work), ("money", window.money),
                               ("points", window.points)):
                window._show_page(page)
                _settle()
                tabs = [None] if name != "points" else list(range(window.points.tabs.count()))
                for tab in tabs:
                    if tab is not None:
                        window.points.tabs.setCurrentIndex(tab)
                        _settle(150)
                    # A short counter shows either the results (while searching) or the person chosen.
                    for browsing in ((True, False) if name == "counter" else (None,)):
                        if browsing is not None:
                            counter._browse(browsing)
                            _settle(100)
                        found = _allowed(problems(window, screen=None, always=must_show), name, step, lang)
                        if name == "counter":
                            found += [f"{w.objectName() or w.text()} not visible" for w in must_show
                                      if not w.isVisible()]
                        where = "" if tab is None else f" tab {tab}"
                        where += {True: " (results)", False: " (the person)", None: ""}[browsing]
                        failures += [f"text step {step}, {name}{where}: {p}" for p in found]
            window.lock()
            _settle()
            failures += [f"text step {step}, lock page: {p}" for p in problems(window)]
            window.lock_page.unlocked.emit()
            _settle(100)
        # After an accept: the case's summary, its receipt and the print button, at every size.
        window._show_page(window.counter)
        counter.vm.item_chosen("S08")
        qtbot.waitUntil(lambda: counter.service.item is not None and counter.service.item.code == "S08",
                        timeout=10_000)
        counter.service.tick_all()
        counter.service.accept_button.click()
        qtbot.waitUntil(lambda: counter.service.print_button.isVisible(), timeout=10_000)
        for step in range(len(TEXT_SIZES)):
            _apply(text_size, step)
            found = problems(window, always=(counter.service.print_button,))
            found += ["print button not visible"] if not counter.service.print_button.isVisible() else []
            failures += [f"text step {step}, counter after an accept: {p}" for p in found]
    assert failures == [], "\n".join(failures)


@pytest.mark.slow
def test_a_counter_started_at_the_largest_text_fits_too(qtbot, qapp, demo_ctx, runner, tmp_path, lang):
    """Started at the largest size (the size is remembered on the PC), not stepped up to it: widgets that
    were hidden (the registration form behind the service) are sized in that text from the start."""
    text_size = TextSize(qapp, tmp_path / "ui-settings.ini")
    with _at(text_size, len(TEXT_SIZES) - 1):
        actor = authenticate(demo_ctx, username="xiaoli", password=DEMO_PASSWORD)
        window = MainWindow(station=station_view(demo_ctx), text_size=text_size, lock_after_ms=0)
        _with_the_system_menu(window, demo_ctx, lang)
        counter = CounterView(CounterViewModel(demo_ctx, runner, lang, actor=actor))
        window.install(counter, WorkView(WorkViewModel(demo_ctx, runner, lang, actor=actor)),
                       LockPage(actor, LoginViewModel(demo_ctx, runner, lang)))
        qtbot.addWidget(window)
        window.begin(actor)
        window.show_on_screen(SMALL_SCREEN_WINDOW)
        counter.search.setText("zs")
        qtbot.waitUntil(lambda: counter.residents.rowCount() >= 2, timeout=10_000)
        counter.vm.resident_chosen(counter.residents.row(0).id)
        qtbot.waitUntil(lambda: counter.vm.resident is not None, timeout=10_000)
        counter.vm.item_chosen("S07")
        qtbot.waitUntil(lambda: counter.service.item is not None, timeout=10_000)
        must_show = (counter.service.accept_button, counter.service.notice_button, counter.search)
        failures: list[str] = []
        for browsing in (True, False):
            counter._browse(browsing)
            _settle()
            failures += [f"{'results' if browsing else 'the person'}: {p}"
                         for p in problems(window, screen=None, always=must_show)]
        # Ctrl+P: the proxy's first field gets the cursor and the form scrolls to show it.
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QApplication

        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        qtbot.keyClick(counter.service.accept_button, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        proxy = counter.service.proxy
        first = proxy.member if proxy.member.isVisibleTo(proxy) else proxy.name
        qtbot.waitUntil(first.hasFocus, timeout=5000)
        # Shown whole: not clipped by the form's own scroll area nor by the work's around it.
        qtbot.waitUntil(lambda: first.visibleRegion().boundingRect().size() == first.size(), timeout=5000)
        for _ in range(4):  # and each next field Tab reaches
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            field = QApplication.focusWidget()
            if field is None or not counter.service.isAncestorOf(field):
                break
            qtbot.waitUntil(lambda f=field: f.visibleRegion().boundingRect().size() == f.size(), timeout=5000)
    assert failures == [], "\n".join(failures)


@pytest.mark.slow
def test_the_login_page_fits_at_every_text_size_with_a_long_station_name(qtbot, qapp, demo_ctx, runner, tmp_path,
                                                                          lang):
    from app.ui.login.view import LoginPage

    text_size = TextSize(qapp, tmp_path / "ui-settings.ini")
    login = LoginPage(LoginViewModel(demo_ctx, runner, lang), station_name="青溪镇 青溪村便民服务站（第二窗口）")
    window = MainWindow(station=station_view(demo_ctx), text_size=text_size, login=login, lock_after_ms=0)
    _with_the_system_menu(window, demo_ctx, lang)
    qtbot.addWidget(window)
    window.show_on_screen(SMALL_SCREEN_WINDOW)
    failures: list[str] = []
    with _at(text_size, 0):
        for step in range(len(TEXT_SIZES)):
            _apply(text_size, step)
            failures += [f"text step {step}, login page: {p}" for p in problems(window)]
            if login.title.width() < login.title.sizeHint().width():
                failures.append(f"text step {step}: the station's name is cut")
    assert failures == [], "\n".join(failures)


def test_the_check_itself_finds_a_cut_label_and_a_page_that_scrolls(qtbot):
    from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

    from app.ui.shell import PageScroll

    page = QWidget()
    column = QVBoxLayout(page)
    label = QLabel("一句很长很长很长很长很长的话")
    label.setFixedWidth(40)
    column.addWidget(label)
    page.setMinimumHeight(2000)
    window = QWidget()
    QVBoxLayout(window).addWidget(PageScroll(page))
    qtbot.addWidget(window)
    window.resize(600, 400)
    window.show()
    _settle()
    found = "\n".join(problems(window))
    assert "一句很长" in found and "it scrolls" in found  # the squeezed label, cut by the page that scrolls
