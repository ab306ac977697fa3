"""The main window: a header saying where and who, and below it the login page, the counter, or the lock.

It is the first window on the screen. At start-up it shows the login page at once; the station opens and
the counter is built behind it (``install``), and a login shows the counter in the same window (``begin``).
It only assembles screens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSize
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.staff import Actor
from app.ui.fields import ElidedLabel
from app.ui.i18n import label, tr
from app.ui.look import DEFAULT_LOCK_MINUTES, TextSize

if TYPE_CHECKING:
    from app.services.station import StationView
    from app.ui.counter.view import CounterView
    from app.ui.lock import IdleWatch, LockPage
    from app.ui.login.view import LoginPage
    from app.ui.money.view import MoneyView
    from app.ui.points.view import PointsView
    from app.ui.sync_status import SyncWatch
    from app.ui.system import SystemMenu
    from app.ui.work.view import WorkView

# A maximised window on the small screens common at stations (1366×768), under a title bar and above the
# taskbar: the size every page must fit at every text size (tests/ui/test_fit.py), and screenshots' size.
SMALL_SCREEN_WINDOW = QSize(1366, 705)


class PageScroll(QScrollArea):
    """A page in a scroll area that gives it all the room there is and never less than its minimum: the page
    scrolls only when its minimum does not fit. (Qt's own resizable mode sizes a page with wrapping text to
    its preferred height, which scrolls pages that would fit.)"""

    def __init__(self, page: QWidget) -> None:
        super().__init__()
        self.setObjectName("pageScroll")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidget(page)
        page.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._fit()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    @staticmethod
    def _lowest(page: QWidget, width: int, least: int) -> int:
        """The least height at this width: wrapping text needs more lines when narrow."""
        layout = page.layout()
        if layout is not None and layout.hasHeightForWidth():
            return max(least, layout.minimumHeightForWidth(width))
        return least

    def _fit(self) -> None:
        page = self.widget()
        if page is None:
            return
        least = page.minimumSizeHint().expandedTo(page.minimumSize())
        room = self.maximumViewportSize()  # the viewport without scroll bars
        width = max(room.width(), least.width())
        lowest = self._lowest(page, width, least.height())
        if lowest > room.height():  # a vertical scroll bar takes its width
            width = max(room.width() - self.verticalScrollBar().sizeHint().width(), least.width())
            lowest = self._lowest(page, width, least.height())
        height = max(room.height(), lowest)
        if width > room.width():
            height = max(room.height() - self.horizontalScrollBar().sizeHint().height(), lowest)
        if page.size() != QSize(width, height):
            page.resize(width, height)


class MainWindow(QMainWindow):
    def __init__(self, *, station: StationView | None = None, actor: Actor | None = None,
                 counter: CounterView | None = None, work: WorkView | None = None, lock: LockPage | None = None,
                 login: LoginPage | None = None, lock_after_ms: int = DEFAULT_LOCK_MINUTES * 60_000,
                 text_size: TextSize | None = None) -> None:
        """With a ``login`` page the window starts on it; with a counter and an actor it starts serving."""
        super().__init__()
        self.setWindowTitle(tr("村站通 StationDesk"))
        header = QWidget()
        header.setObjectName("header")
        row = QHBoxLayout(header)
        row.setContentsMargins(8, 4, 8, 4)
        header.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # one line, any text size
        # Each part ends in … when the line is too narrow (largest text on 1366 pixels); the whole in a tooltip.
        self.station_label = ElidedLabel("")
        self.staff_label = ElidedLabel(tr("未登录"), right=True)
        self.sync_label = ElidedLabel(tr("● 离线工作"), right=True)  # until the sync watch says where things stand
        self.sync_label.setObjectName("syncState")
        self.sync_label.setToolTip(tr("本机数据库可以正常使用。"))
        self.sync_watch: SyncWatch | None = None
        self.system: SystemMenu | None = None
        self.system_button: QToolButton | None = None
        self._header_row = row
        row.addWidget(self.station_label, 2)
        row.addStretch(1)
        row.addWidget(self.staff_label, 3)
        row.addWidget(self.sync_label, 3)
        self.screens = QStackedWidget()
        frame = QWidget()
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.screens)
        self.setCentralWidget(frame)
        self.actor: Actor | None = None
        self.login_page = login
        self.counter: CounterView | None = None
        self.work: WorkView | None = None
        self.points: PointsView | None = None
        self.money: MoneyView | None = None
        self.lock_page: LockPage | None = None
        self.pages: QTabWidget | None = None
        self.idle: IdleWatch | None = None
        self._lock_after_ms = lock_after_ms
        self.text_size = text_size
        if login is not None:
            self.screens.addWidget(login)
        for keys, delta in (("Ctrl+=", 1), ("Ctrl++", 1), ("Ctrl+-", -1), ("Ctrl+0", 0)):
            QShortcut(QKeySequence(keys), self, lambda d=delta: self.change_text_size(d))
        if station is not None:
            self.set_station(station)
        if counter is not None:
            self.install(counter, work, lock)
            if actor is not None:
                self.begin(actor)

    def show_on_screen(self, size: QSize | None = None) -> None:
        """Shown maximised on the screen it opens on (title bar and taskbar left out), never larger than that
        screen's free area. ``size`` (a screenshot, a test: no real screen) shows it at that size instead."""
        if size is not None:
            self.resize(size)
            self.show()
            return
        screen = self.screen() or QGuiApplication.primaryScreen()
        free = screen.availableGeometry() if screen is not None else None
        if free is not None:
            self.resize(free.size().boundedTo(QSize(1366, 768)))  # the size to come back to from maximised
        self.showMaximized()

    def add_system_menu(self, menu: SystemMenu) -> None:
        """The 系统 menu (backups, support bundle, About), there from the login page on."""
        self.system = menu
        # A button at the head of the header line, not a menu bar: a bar for one menu would take a line of
        # its own from every page (47 pixels at the largest text, on a 768-pixel screen).
        button = QToolButton()
        button.setObjectName("systemMenu")
        button.setText(menu.menu.title().replace("(&S)", "").replace("&", "") + "　Alt+S")
        button.setMenu(menu.menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)  # out of the Tab order: ``install``
        self._header_row.insertWidget(0, button)
        self.system_button = button
        QShortcut(QKeySequence("Alt+S"), self, button.showMenu)
        menu.switch_requested.connect(lambda: self.lock(switching=True))
        menu.logout_requested.connect(self.log_out)
        menu.keys_requested.connect(self.show_keys)
        menu.set_actor(self.actor)

    def watch_sync(self, watch: SyncWatch) -> None:
        """The header shows the sync state; Ctrl+Shift+S syncs now."""
        self.sync_watch = watch
        watch.changed.connect(self._on_sync_changed)
        QShortcut(QKeySequence("Ctrl+Shift+S"), self, watch.sync_now)
        watch.start()

    def _on_sync_changed(self, text: str, tip: str, alarming: bool) -> None:
        self.sync_label.setText(text)
        self.sync_label.setToolTip(tip)
        self.sync_label.setStyleSheet("color: #ffb4a8; font-weight: bold;" if alarming else "")

    def set_station(self, station: StationView) -> None:
        self.setWindowTitle(tr("村站通 StationDesk — {station}").format(station=station.station_name))
        self.station_label.setText(f"{station.town_name}　{station.station_name}")

    def install(self, counter: CounterView, work: WorkView | None = None, lock: LockPage | None = None,
                points: PointsView | None = None, money: MoneyView | None = None) -> None:
        """Puts the counter (and today's work, the points and money pages, and the lock) into the window,
        behind the login page."""
        from PySide6.QtCore import Qt  # after the first paint (the Qt namespace takes a while to build)

        self.counter, self.work, self.lock_page, self.points = counter, work, lock, points
        self.money = money
        if self.system_button is not None:  # Tab stays in the page; Alt+S opens the menu
            self.system_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.pages = QTabWidget()
        self.pages.setObjectName("pages")
        self._wrapped: dict[QWidget, QScrollArea] = {}
        self._add_page(counter, tr("窗口办理　F1"))
        if work is not None:
            self._add_page(work, tr("今日工作　F4"))
            QShortcut(QKeySequence("F4"), self, self.show_work)
        if money is not None:  # every F key is taken on the counter: M for money
            self._add_page(money, tr("收款日结　Ctrl+M"))
            QShortcut(QKeySequence("Ctrl+M"), self, self.show_money)
        if points is not None:  # J for 积 (jī)
            self._add_page(points, tr("积分　Ctrl+J"))
            QShortcut(QKeySequence("Ctrl+J"), self, self.show_points)
        QShortcut(QKeySequence("F1"), self, self.show_counter)
        QShortcut(QKeySequence("Shift+F1"), self, self.show_keys)  # the keys of the page in front
        QShortcut(QKeySequence("Ctrl+L"), self, self.lock)  # leaving the counter for a moment
        self.pages.currentChanged.connect(self._on_page_changed)
        self.screens.addWidget(self.pages)
        if lock is not None:
            self.screens.addWidget(lock)
            lock.unlocked.connect(self.unlock)
            lock.switched.connect(self.switch_to)
            QShortcut(QKeySequence("Ctrl+Shift+L"), self, lambda: self.lock(switching=True))

    def _add_page(self, page: QWidget, title: str) -> None:
        """Each page sits in a scroll area: at the largest text on a small screen a page taller than the
        window scrolls (Tab scrolls to the field it reaches) instead of pushing the window past the screen.
        The counter is laid out to fit without it (tests/ui/test_fit.py)."""
        area = PageScroll(page)
        self._wrapped[page] = area
        self.pages.addTab(area, title)  # type: ignore[union-attr]

    def current_page(self) -> QWidget | None:
        """The page in front (the counter, today's work, money or points), not its scroll area."""
        area = self.pages.currentWidget() if self.pages is not None else None
        return area.widget() if isinstance(area, QScrollArea) else area

    def _show_page(self, page: QWidget) -> None:
        if self.pages is not None:
            self.pages.setCurrentWidget(self._wrapped.get(page, page))

    def show_keys(self) -> None:
        from app.ui.keys import show_keys

        if not self.locked:
            show_keys(self, self.current_page())

    @property
    def installed(self) -> bool:
        return self.counter is not None

    def begin(self, actor: Actor) -> None:
        """The staff member who logged in, at the counter."""
        from app.ui.lock import IdleWatch

        assert self.counter is not None and self.pages is not None, "install() the counter first"
        self.actor = actor
        self.counter.vm.set_actor(actor)  # every page acts under the person signed in
        for vm in self._page_models():
            vm.actor = actor
        if self.system is not None:
            self.system.set_actor(actor)
        self.staff_label.setText(tr("{name}（工号 {staff_no}，{role}，{post}岗）").format(
            name=actor.display_name, staff_no=actor.staff_no, role=label(actor.role), post=actor.post))
        if self.lock_page is not None:
            self.lock_page.set_actor(actor)
            if self._lock_after_ms > 0 and self.idle is None:
                self.idle = IdleWatch(self._lock_after_ms, self)
                self.idle.idle.connect(self.lock)
        self.screens.setCurrentWidget(self.pages)
        self.counter.focus_search()

    def change_text_size(self, delta: int) -> None:
        if self.text_size is not None:
            name = self.text_size.change(delta)
            if self.counter is not None:
                self.counter.hint.setText(
                    tr("字号：{name}（Ctrl+= 放大，Ctrl+- 缩小，Ctrl+0 标准）").format(name=name))

    @property
    def locked(self) -> bool:
        return self.lock_page is not None and self.screens.currentWidget() is self.lock_page

    def lock(self, *, switching: bool = False) -> None:
        """Ctrl+L (or after the idle minutes): the lock page. ``switching`` (系统 → 切换用户, Ctrl+Shift+L):
        it opens on the account line, for the B post or the head to sign in."""
        if self.lock_page is not None and self.actor is not None and not self.locked:
            self.screens.setCurrentWidget(self.lock_page)
            if self.system is not None:  # nothing of the station's is done from a locked screen
                self.system.set_actor(None)
        if self.locked and self.lock_page is not None:
            self.lock_page.reset(switching=switching)

    def switch_to(self, actor: Actor) -> None:
        """Another staff member signed in on the lock page: the screens stay as they were (a case half
        filled is still there) and everything from now on is recorded under their name."""
        self.begin(actor)
        if self.idle is not None:
            self.idle.timer.start()

    def log_out(self) -> None:
        """系统 → 注销: back to the login page. The person on the counter leaves the screen; a half-filled case
        stays in its draft for whoever signs in next (Ctrl+R)."""
        if self.login_page is None or self.actor is None:
            return
        if self.counter is not None:
            self.counter.clear_person()
            self.counter.vm.actor = None
        self.actor = None
        for vm in self._page_models():
            vm.actor = None
        self.staff_label.setText(tr("未登录"))
        if self.system is not None:
            self.system.set_actor(None)
        if self.idle is not None:
            self.idle.stop()
            self.idle = None
        self.screens.setCurrentWidget(self.login_page)
        self.login_page.start()

    def _page_models(self) -> list[Any]:
        return [page.vm for page in (self.work, self.points, self.money) if page is not None]

    def unlock(self) -> None:
        if self.pages is None or self.counter is None:
            return
        self.screens.setCurrentWidget(self.pages)
        if self.system is not None:
            self.system.set_actor(self.actor)
        if self.idle is not None:
            self.idle.timer.start()
        self.counter.focus_search()

    def bring_forward(self) -> None:
        """Another start of the counter on this data folder asked for this window: show it on top."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.idle is not None:
            self.idle.stop()
        if self.sync_watch is not None:
            self.sync_watch.stop()
        super().closeEvent(event)

    def show_counter(self) -> None:
        if self.pages is not None and self.counter is not None and self.actor is not None and not self.locked:
            self._show_page(self.counter)
            self.counter.focus_search()

    def show_work(self) -> None:
        if self.pages is not None and self.work is not None and self.actor is not None and not self.locked:
            self._show_page(self.work)

    def show_money(self) -> None:
        """Ctrl+M: the money page, on the case just accepted at the counter when it takes money."""
        if self.pages is None or self.money is None or self.actor is None or self.locked:
            return
        self._show_page(self.money)
        last = self.counter.last_case_no() if self.counter is not None else ""
        if last:
            self.money.want_case(last)

    def show_points(self) -> None:
        if self.pages is not None and self.points is not None and self.actor is not None and not self.locked:
            self._show_page(self.points)

    def _on_page_changed(self, _index: int) -> None:
        if self.pages is None:
            return
        if self.work is not None and self.current_page() is self.work:
            self.work.show_list(self.work.vm.current)
        if self.money is not None and self.current_page() is self.money:
            self.money.opened()
        if self.points is not None and self.current_page() is self.points:
            self.points.opened(self.counter.vm.resident if self.counter is not None else None)
