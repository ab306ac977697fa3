"""Starting the counter: one window, its login page first; the station (the demo one with ``--demo``) opens
behind it and the counter is built while staff type; a login shows the counter in the same window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from app import __version__
from app.domain.errors import DomainError
from app.domain.staff import Actor
from app.messages import render
from app.paths import DataLocation, data_location, station_database
from app.ui.errors import message_for
from app.ui.i18n import tr, use_language
from app.ui.login.view import LoginPage
from app.ui.login.view_model import LoginViewModel
from app.ui.logs import install_excepthook, log_to_folder
from app.ui.look import (
    DEFAULT_LOCK_MINUTES,
    TextSize,
    install_qt_translations,
    install_ui_font,
    settings_file,
    store_language,
    stored_language,
)
from app.ui.opening import StationOpening, warm_up
from app.ui.shell import SMALL_SCREEN_WINDOW, MainWindow
from app.ui.single import SingleInstance
from app.ui.system import SystemMenu
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.services.context import ServiceContext
    from app.services.station import StationView
    from app.ui.counter.view import CounterView

# Only what the login page needs is imported before it first paints: the database layer loads on the
# database thread (app/ui/opening.py), the counter's modules after the paint. Nothing before the paint
# touches PySide6's ``Qt`` namespace either: building its Python enums takes longer than the page.

log = logging.getLogger(__name__)
# The points page and its tabs, for --page:
POINTS_PAGES = ("points", "points-review", "points-redeem", "points-statement", "points-board")
MONEY_PAGE = "money"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    # The command line's help is read before a language is chosen, so it says everything in both.
    p = argparse.ArgumentParser(prog="python -m app", description="村站通 StationDesk 窗口 / the counter")
    p.add_argument("--demo", action="store_true",
                   help="打开演示站点（第一次使用时自动建立）/ open the demo station (made on first use)")
    p.add_argument("--data-dir", help="数据文件夹 / data folder")
    p.add_argument("--lang", choices=("zh", "en"),
                   help="界面语言（默认取上次在登录窗口选的）/ language (default: the one last chosen at login)")
    p.add_argument("--screenshot",
                   help="登录（--user，密码取自 STATIONDESK_PASSWORD）后截图到此文件并退出 / "
                        "log in, save a screenshot to this file and exit")
    p.add_argument("--user", help="截图时自动登录的账号 / user to log in as for --screenshot")
    p.add_argument("--query", default="", help="截图前在找人框里输入的内容 / text typed into the search box")
    p.add_argument("--item", default="", help="截图前选中的事项编号（如 S09）/ item code to choose (e.g. S09)")
    p.add_argument("--page", choices=("counter", "work", MONEY_PAGE, *POINTS_PAGES), default="counter",
                   help="截图的页面 / page to capture")
    p.add_argument("--lock-minutes", type=float, default=DEFAULT_LOCK_MINUTES,
                   help=f"无人操作多少分钟后锁屏（默认 {DEFAULT_LOCK_MINUTES}，0 为不自动锁屏）/ "
                        "minutes without input before the screen locks (0: never)")
    p.add_argument("--version", action="version", version=f"StationDesk {__version__}")
    return p.parse_args(argv)


def location_for(args: argparse.Namespace) -> DataLocation:
    """The data folder and how it was chosen (``--data-dir`` is a folder of the user's choosing; the demo
    station lives in ``demo`` inside the usual folder)."""
    if args.data_dir:
        return DataLocation(Path(args.data_dir).expanduser(), "custom")
    found = data_location()
    return DataLocation(found.path / "demo", found.mode) if args.demo else found


def _wait(app: QApplication, runner: TaskRunner, ms: int = 200) -> None:
    """Let queued work and painting finish (used only by the screenshot option)."""
    loop = QEventLoop()
    for _ in range(100):
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        if not runner.busy:
            break
    app.processEvents()


def run(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("StationDesk")
    install_ui_font(app)
    args.location = location_for(args)
    data_dir = args.location.path
    instance = SingleInstance(data_dir)
    if not instance.acquire():  # this data folder is open in another counter already: bring that one forward
        return _already_open(instance, args.lang or stored_language(settings_file(data_dir)) or "zh")
    text_size = TextSize(app, settings_file(data_dir))  # the size staff chose, from the first screen on
    args.lang = args.lang or stored_language(settings_file(data_dir)) or "zh"
    use_language(args.lang)
    args.qt_words = install_qt_translations(app, args.lang)  # kept alive while it is installed
    install_excepthook(None)  # until the log file is open, just after the window first paints
    runner = TaskRunner()
    opening = StationOpening(runner, data_dir, args.lang)
    restart = False
    try:
        if not station_database(data_dir).exists():
            _start_log(data_dir)
            stop = _prepare(app, args, opening)  # a new installation, or the demo station's first use
            if stop is not None:
                return stop
        start = CounterStart(app, args, runner, opening, text_size)
        instance.show_requested.connect(start.bring_forward)
        code = app.exec()
        start.dispose()
        restart = start.restart
        return start.exit_code if start.exit_code is not None else code
    finally:
        runner.shutdown()
        if opening.is_open:
            if not args.screenshot:
                _backup_on_exit(app, opening.context(), args.lang)
            opening.context().db.dispose()
        instance.release()
        if restart:  # a restore waits: the program opens again (after letting go of the folder) and does it
            _start_again()


def _backup_on_exit(app: QApplication, ctx: ServiceContext, lang: str) -> None:
    """The automatic backup when the counter closes (skipped at once when nothing was recorded since the last
    one). A big station takes seconds: a small window says what is happening meanwhile."""
    from app.services.backups import backup_on_exit

    note = QLabel(render("ui.backing_up", {}, lang))
    note.setMinimumSize(460, 100)
    note.setContentsMargins(24, 16, 24, 16)
    note.setWindowTitle(tr("村站通"))
    shown = False
    if _may_take_a_while(ctx):
        note.show()
        app.processEvents()
        shown = True
    done = backup_on_exit(ctx)
    if shown:
        note.close()
    log.info("exit backup: %s in %.1f s", done.path or "skipped (nothing new)", done.seconds)


def _may_take_a_while(ctx: ServiceContext) -> bool:
    """More than a blink: a station file over 50 MB (about 50,000 residents)."""
    try:
        return ctx.db.sqlite_path().stat().st_size > 50 * 1024 * 1024
    except (OSError, DomainError):
        return False


def _start_again() -> None:
    """The same program with the same arguments, as a new process (frozen: the executable itself)."""
    from PySide6.QtCore import QProcess

    args = sys.argv[1:] if getattr(sys, "frozen", False) else ["-m", "app", *sys.argv[1:]]
    if not QProcess.startDetached(sys.executable, args):
        log.error("could not start the counter again: %s %s", sys.executable, args)


def _already_open(instance: SingleInstance, lang: str) -> int:
    """A second start: the first window comes forward and this one ends (it says so if the first is stuck)."""
    if instance.ask_first_to_show():
        log.info("the counter on %s is open already: brought it forward", instance.data_dir)
        return 0
    QMessageBox.information(None, tr("村站通"), render("instance.not_answering", {}, lang))
    return 0


class CounterStart(QObject):
    """Brings the counter up in one window: the login page paints first; the station opens on the database
    thread and the counter is built behind the login page while staff type; a login shows the counter."""

    def __init__(self, app: QApplication, args: argparse.Namespace, runner: TaskRunner, opening: StationOpening,
                 text_size: TextSize) -> None:
        super().__init__()
        self.app, self.args, self.runner, self.opening, self.text_size = app, args, runner, opening, text_size
        self.exit_code: int | None = None
        self.restart = False  # a restore is waiting and the person chose to reopen now
        self.actor: Actor | None = None
        self.devices: TaskRunner | None = None
        self.syncing: TaskRunner | None = None  # the town sync's own thread: the counter never waits on the network
        self.window: MainWindow | None = None
        self._counter: CounterView | None = None  # built, waiting for the rest of the window
        opening.opened.connect(self._on_opened)
        opening.failed.connect(self._on_failed)
        self._open_window()

    def _open_window(self) -> None:
        self.login = LoginPage(LoginViewModel(self.opening.context, self.runner, self.args.lang),
                               station_name=_station_name(self.opening.station))
        self.login.vm.logged_in.connect(self._on_logged_in)
        self.login.language_chosen.connect(self._on_language_chosen)
        self.window = MainWindow(login=self.login, text_size=self.text_size,
                                 lock_after_ms=int(self.args.lock_minutes * 60_000))
        if self.opening.station is not None:
            self.window.set_station(self.opening.station)
        menu = SystemMenu(self.window, getattr(self.args, "location", DataLocation(self.opening.data_dir, "custom")),
                          lang=self.args.lang, station_name=lambda: _station_name(self.opening.station))
        menu.restart_requested.connect(self._on_restart_requested)
        self.window.add_system_menu(menu)
        self._first_paint = _AfterFirstPaint(self.window, self._after_first_paint)
        # A screenshot has no real screen to fill (Qt's offscreen one is small): the window a maximised one
        # is on a 1366×768 screen, under its title bar and above the taskbar.
        self.window.show_on_screen(SMALL_SCREEN_WINDOW if self.args.screenshot else None)
        self.login.start()

    def _after_first_paint(self) -> None:
        if not self.opening.started:
            self.opening.start()  # the database layer loads now, on its own thread
            _start_log(self.opening.data_dir)
        elif self.opening.station is not None:  # the window was made again (another language)
            self._on_opened(self.opening.station)
        if self.args.screenshot and self.args.user:
            self.login.username.setText(self.args.user)
            self.login.password.setText(os.environ.get("STATIONDESK_PASSWORD", ""))
            self.login.button.click()

    # -- the station is open: build the counter behind the login page, in steps ---------------------------
    def _on_opened(self, station: StationView | None) -> None:
        if station is None:  # the database is there but the station was never set up
            assert self.window is not None
            self.window.hide()
            stop = _prepare(self.app, self.args, self.opening)
            if stop is not None:
                self._stop(stop)
                return
            station = self.opening.station
            assert station is not None
            self.window.show_on_screen(SMALL_SCREEN_WINDOW if self.args.screenshot else None)
        assert self.window is not None
        self.window.set_station(station)
        self.login.set_station_name(_station_name(station))
        if self.args.demo:  # the simulated card reader's cards come from the database, on its thread
            from app.services.demo import demo_id_cards

            ctx = self.opening.context()
            self.runner.submit(lambda: demo_id_cards(ctx), self._build_counter, self._on_build_failed)
        else:
            QTimer.singleShot(0, lambda: self._build_counter(None))

    def _build_counter(self, demo_cards: list[Any] | None) -> None:
        from app.ui.counter.view import CounterView
        from app.ui.counter.view_model import CounterViewModel
        from app.ui.devices import NoCardReader, SimulatedCardReader

        if self.window is None:
            return
        reader = SimulatedCardReader(demo_cards) if demo_cards is not None else NoCardReader()
        self.devices = TaskRunner(thread_name="stationdesk-devices")  # the card reader may take a second
        vm = CounterViewModel(self.opening.context(), self.runner, self.args.lang, actor=self.actor, reader=reader,
                              devices=self.devices)
        self._counter = CounterView(vm)
        warm_up(self.opening.context(), self.runner, self.devices)
        QTimer.singleShot(0, self._build_rest)  # the next part after the events waiting (keys typed)

    def _build_rest(self) -> None:
        from app.ui.lock import LockPage
        from app.ui.money.view import MoneyView
        from app.ui.money.view_model import MoneyViewModel
        from app.ui.points.view import PointsView
        from app.ui.points.view_model import PointsViewModel
        from app.ui.work.view import WorkView
        from app.ui.work.view_model import WorkViewModel

        if self.window is None:
            return
        ctx = self.opening.context()
        work = WorkView(WorkViewModel(ctx, self.runner, self.args.lang, actor=self.actor))
        lock = LockPage(self.actor, LoginViewModel(ctx, self.runner, self.args.lang))
        points = PointsView(PointsViewModel(ctx, self.runner, self.args.lang, actor=self.actor, devices=self.devices))
        money = MoneyView(MoneyViewModel(ctx, self.runner, self.args.lang, actor=self.actor, devices=self.devices))
        assert self._counter is not None
        self.window.install(self._counter, work, lock, points, money)
        if self.window.system is not None:
            self.window.system.attach(ctx, self.runner, devices=self.devices)
        if not self.args.screenshot:
            from app.ui.sync_status import SyncWatch

            self.syncing = TaskRunner(thread_name="stationdesk-sync")
            self.window.watch_sync(SyncWatch(ctx, self.syncing, self.args.lang))
        self._counter = None
        if self.actor is not None:  # logged in while the counter was being built
            self._begin()
        elif self.args.screenshot and not self.args.user:
            QTimer.singleShot(0, self._screenshot)  # the login page, station named

    def _on_build_failed(self, error: BaseException) -> None:
        self._on_failed(message_for(error, self.args.lang))

    # -- logging in ---------------------------------------------------------------------------------------
    def _on_logged_in(self, actor: Actor) -> None:
        self.actor = actor
        if self.window is not None and self.window.installed:
            self._begin()
        else:
            self.login.set_waiting(tr("正在打开窗口，请稍候…"))

    def _begin(self) -> None:
        assert self.window is not None and self.window.counter is not None and self.actor is not None
        self.window.begin(self.actor)  # every page's view model acts under this person
        if self.args.screenshot:
            if self.args.page == "work":
                self.window.show_work()
            QTimer.singleShot(0, self._screenshot)

    def _screenshot(self) -> None:
        assert self.window is not None
        self._stop(_screenshot(self.app, self.runner, self.window, self.args.query, self.args.item,
                               Path(self.args.screenshot), self.args.page))

    # -- the other ways out -------------------------------------------------------------------------------
    def _on_restart_requested(self) -> None:
        self.restart = True
        self._stop(0)

    def bring_forward(self) -> None:
        log.info("another start of the counter asked for this window")
        if self.window is not None:
            self.window.bring_forward()

    def _on_language_chosen(self, lang: str) -> None:
        """The whole window again in the other language (the station stays open)."""
        _switch_language(self.app, self.args, lang, self.opening.data_dir)
        self._close_window()
        self._open_window()

    def _on_failed(self, text: str) -> None:
        QMessageBox.critical(self.window, tr("村站通"), text)
        self._stop(1)

    def _stop(self, code: int) -> None:
        self.exit_code = code
        self.app.exit(code)

    def _close_window(self) -> None:
        if self.window is not None:
            self.window.hide()  # hidden, not closed: closing the last window would end the program
            self.window.deleteLater()
            self.window = None
        self._counter = None
        if self.devices is not None:
            self.devices.shutdown()
            self.devices = None
        if self.syncing is not None:
            self.syncing.shutdown()
            self.syncing = None

    def dispose(self) -> None:
        self.opening.opened.disconnect(self._on_opened)
        self.opening.failed.disconnect(self._on_failed)
        self._close_window()


def _start_log(data_dir: Path) -> None:
    """The log file in the data folder, and the error handler's pointer to it."""
    try:
        install_excepthook(log_to_folder(data_dir / "logs"))
    except OSError:  # a read-only folder must not stop the counter; the console still gets the log
        log.warning("cannot write the log in %s", data_dir)


class _AfterFirstPaint(QObject):
    """Calls ``then`` once ``widget`` has been painted: the station opens after the window shows."""

    def __init__(self, widget: QObject, then: Callable[[], None]) -> None:
        super().__init__()
        self._then = then
        self._widget = widget
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            self._widget.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False


def _station_name(station: StationView | None) -> str:
    return f"{station.town_name} {station.station_name}" if station is not None else ""


def _prepare(app: QApplication, args: argparse.Namespace, opening: StationOpening) -> int | None:
    """Opens the station and, when it has not been set up, runs the first-run setup (or builds the demo
    station). Returns an exit code to stop with, or None to go on to the login."""
    from app.services.demo import build_demo
    from app.services.station import is_initialised, station_view
    from app.ui.setup.view import SetupDialog, SetupViewModel

    failure = opening.wait()
    if failure is not None:
        QMessageBox.critical(None, tr("村站通"), failure)
        return 1
    ctx = opening.context()
    try:
        if not is_initialised(ctx) and not args.demo:
            # A new installation: set up the town, this station and its head, then log in as usual.
            setup_runner = TaskRunner()
            try:
                setup = SetupDialog(SetupViewModel(ctx, setup_runner, args.lang))
                if not setup.exec():
                    return 0
            finally:
                setup_runner.shutdown()
        if not is_initialised(ctx):
            splash = QLabel(render("ui.preparing_demo", {}, args.lang))
            splash.setMinimumSize(520, 120)
            splash.show()
            app.processEvents()
            build_demo(ctx)
            splash.close()
        opening.station = station_view(ctx)
    except Exception as e:  # a plain message instead of a traceback; details go to the log
        QMessageBox.critical(None, tr("村站通"), message_for(e, args.lang))
        return 1
    return None


def _switch_language(app: QApplication, args: argparse.Namespace, lang: str, data_dir: Path | None) -> None:
    """The login page's language button: every word from now on, Qt's own included, and at the next start."""
    if args.qt_words is not None:
        app.removeTranslator(args.qt_words)
    args.lang = lang
    use_language(lang)
    args.qt_words = install_qt_translations(app, lang)
    if data_dir is not None:
        try:
            store_language(settings_file(data_dir), lang)
        except OSError:
            log.warning("cannot remember the language in %s", data_dir)


def _screenshot(app: QApplication, runner: TaskRunner, window: MainWindow, query: str, item: str,
                path: Path, page: str = "counter") -> int:
    if query and window.counter is not None and window.actor is not None:
        window.counter.search.setText(query)
        window.counter.vm.search_now()
        _wait(app, runner)
        if window.counter.residents.rowCount():
            window.counter.results.selectRow(0)
            window.counter.vm.resident_chosen(window.counter.residents.row(0).id)
            _wait(app, runner)
            if item:
                window.counter.vm.item_chosen(item)
                _wait(app, runner)
    if page == MONEY_PAGE and window.money is not None:
        window.show_money()
        _wait(app, runner)
    if page in POINTS_PAGES and window.points is not None:
        window.show_points()
        tabs = window.points.tabs
        tabs.setCurrentIndex(POINTS_PAGES.index(page))
        _wait(app, runner)
    _wait(app, runner)
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(path))
    print(f"screenshot: {path}" if ok else f"could not write {path}")
    return 0 if ok else 1
