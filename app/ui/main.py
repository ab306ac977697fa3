"""Starting the counter: open the station (the demo one with ``--demo``), log in, show the window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from app import __version__
from app.domain.staff import Actor
from app.messages import render
from app.paths import default_data_dir, station_database
from app.ui.errors import message_for
from app.ui.i18n import tr, use_language
from app.ui.lock import DEFAULT_LOCK_MINUTES
from app.ui.login.view import LoginDialog
from app.ui.login.view_model import LoginViewModel
from app.ui.logs import install_excepthook, log_to_folder
from app.ui.look import (
    TextSize,
    base_stylesheet,
    install_qt_translations,
    install_ui_font,
    settings_file,
    store_language,
    stored_language,
)
from app.ui.opening import StationOpening
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.services.station import StationView
    from app.ui.shell import MainWindow

# Only what the login window needs is imported before it appears: the database layer loads on the database
# thread while staff type their password (app/ui/opening.py), the counter's modules after the login.

log = logging.getLogger(__name__)


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
    p.add_argument("--page", choices=("counter", "work"), default="counter", help="截图的页面 / page to capture")
    p.add_argument("--lock-minutes", type=float, default=DEFAULT_LOCK_MINUTES,
                   help=f"无人操作多少分钟后锁屏（默认 {DEFAULT_LOCK_MINUTES}，0 为不自动锁屏）/ "
                        "minutes without input before the screen locks (0: never)")
    p.add_argument("--version", action="version", version=f"StationDesk {__version__}")
    return p.parse_args(argv)


def data_dir_for(args: argparse.Namespace) -> Path:
    if args.data_dir:
        return Path(args.data_dir).expanduser()
    base = default_data_dir()
    return base / "demo" if args.demo else base


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
    app.setStyleSheet(base_stylesheet())
    data_dir = data_dir_for(args)
    args.lang = args.lang or stored_language(settings_file(data_dir)) or "zh"
    use_language(args.lang)
    args.qt_words = install_qt_translations(app, args.lang)  # kept alive while it is installed
    log_path: Path | None = None
    try:
        log_path = log_to_folder(data_dir / "logs")
    except OSError:  # a read-only folder must not stop the counter; the console still gets the log
        log.warning("cannot write the log in %s", data_dir)
    install_excepthook(log_path)
    runner = TaskRunner()
    opening = StationOpening(runner, data_dir, args.lang)
    try:
        if not station_database(data_dir).exists():
            stop = _prepare(app, args, opening)  # a new installation, or the demo station's first use
            if stop is not None:
                return stop
        actor = _log_in(app, args, runner, opening)
        if not isinstance(actor, Actor):
            return actor
        return _session(app, args, runner, opening, actor)
    finally:
        runner.shutdown()
        if opening.is_open:
            opening.context().db.dispose()


_FAILED, _NOT_SET_UP = 3, 4  # login dialog results besides accepted, rejected and LANGUAGE_CHANGED


def _log_in(app: QApplication, args: argparse.Namespace, runner: TaskRunner, opening: StationOpening) -> Actor | int:
    """The login window at once; the station opens behind it. Returns who logged in, or the exit code."""
    while True:
        dialog = LoginDialog(LoginViewModel(opening.context, runner, args.lang),
                             station_name=_station_name(opening.station))
        problem: list[str] = []

        def opened(station: StationView | None, dialog: LoginDialog = dialog) -> None:
            if station is None:
                dialog.done(_NOT_SET_UP)
            else:
                dialog.set_station_name(_station_name(station))

        def failed(text: str, dialog: LoginDialog = dialog, problem: list[str] = problem) -> None:
            problem.append(text)
            dialog.done(_FAILED)

        opening.opened.connect(opened)
        opening.failed.connect(failed)
        first_paint = _AfterFirstPaint(dialog, opening.start) if not opening.started else None
        if args.screenshot and args.user:
            dialog.username.setText(args.user)
            dialog.password.setText(os.environ.get("STATIONDESK_PASSWORD", ""))
            QTimer.singleShot(0, dialog.button.click)
        result = dialog.exec()
        opening.opened.disconnect(opened)
        opening.failed.disconnect(failed)
        del first_paint
        if result == LoginDialog.LANGUAGE_CHANGED:
            _switch_language(app, args, dialog.other_language, opening.data_dir)  # and show the login again
            continue
        if result == _FAILED:
            QMessageBox.critical(None, tr("村站通"), problem[0])
            return 1
        if result == _NOT_SET_UP:
            stop = _prepare(app, args, opening)
            if stop is not None:
                return stop
            continue
        if not result or dialog.actor is None:
            return 0
        if opening.station is None:  # logged in before the opening reported back: wait for it
            failure = opening.wait()
            if failure is not None:
                QMessageBox.critical(None, tr("村站通"), failure)
                return 1
        return dialog.actor


class _AfterFirstPaint(QObject):
    """Calls ``then`` once ``widget`` has been painted: the station opens after the login window shows."""

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


def _session(app: QApplication, args: argparse.Namespace, runner: TaskRunner, opening: StationOpening,
             actor: Actor) -> int:
    from app.services.demo import demo_id_cards
    from app.ui.counter.view import CounterView
    from app.ui.counter.view_model import CounterViewModel
    from app.ui.devices import NoCardReader, SimulatedCardReader
    from app.ui.lock import LockPage
    from app.ui.shell import MainWindow
    from app.ui.work.view import WorkView
    from app.ui.work.view_model import WorkViewModel

    ctx, station = opening.context(), opening.station
    assert station is not None  # a login needs an open, set-up station
    devices = TaskRunner(thread_name="stationdesk-devices")  # the card reader may take a second
    try:
        reader = SimulatedCardReader(demo_id_cards(ctx)) if args.demo else NoCardReader()
        counter_vm = CounterViewModel(ctx, runner, args.lang, actor=actor, reader=reader, devices=devices)
        work = WorkView(WorkViewModel(ctx, runner, args.lang, actor=actor))
        lock = LockPage(actor, LoginViewModel(ctx, runner, args.lang))
        text_size = TextSize(app, settings_file(ctx.data_dir) if ctx.data_dir else None)
        window = MainWindow(station=station, actor=actor, counter=CounterView(counter_vm), work=work, lock=lock,
                            lock_after_ms=int(args.lock_minutes * 60_000), text_size=text_size)
        window.show()
        window.counter.focus_search()
        if args.screenshot:
            if args.page == "work":
                window.show_work()
            return _screenshot(app, runner, window, args.query, args.item, Path(args.screenshot))
        return app.exec()
    finally:
        devices.shutdown()


def _switch_language(app: QApplication, args: argparse.Namespace, lang: str, data_dir: Path | None) -> None:
    """The login window's language button: every word from now on, Qt's own included, and at the next start."""
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
                path: Path) -> int:
    if query:
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
    _wait(app, runner)
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(path))
    print(f"screenshot: {path}" if ok else f"could not write {path}")
    return 0 if ok else 1
