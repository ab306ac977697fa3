"""Starting the counter: open the station (the demo one with ``--demo``), log in, show the window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from app import __version__
from app.domain.staff import Actor
from app.messages import render
from app.paths import default_data_dir
from app.services.context import ServiceContext, open_context
from app.services.demo import build_demo, demo_id_cards
from app.services.station import is_initialised, station_view
from app.ui.counter.view import CounterView
from app.ui.counter.view_model import CounterViewModel
from app.ui.devices import NoCardReader, SimulatedCardReader
from app.ui.errors import message_for
from app.ui.lock import DEFAULT_LOCK_MINUTES, LockPage
from app.ui.login.view import LoginDialog
from app.ui.login.view_model import LoginViewModel
from app.ui.logs import install_excepthook, log_to_folder
from app.ui.look import TextSize, base_stylesheet, install_qt_translations
from app.ui.setup.view import SetupDialog, SetupViewModel
from app.ui.shell import MainWindow
from app.ui.tasks import TaskRunner
from app.ui.work.view import WorkView
from app.ui.work.view_model import WorkViewModel

log = logging.getLogger(__name__)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m app", description="村站通 StationDesk 窗口 / the counter")
    p.add_argument("--demo", action="store_true", help="打开演示站点（第一次使用时自动建立）")
    p.add_argument("--data-dir", help="数据文件夹")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--screenshot", help="登录（--user，密码取自 STATIONDESK_PASSWORD）后截图到此文件并退出")
    p.add_argument("--user", help="截图时自动登录的账号")
    p.add_argument("--query", default="", help="截图前在找人框里输入的内容")
    p.add_argument("--item", default="", help="截图前选中的事项编号（如 S09），需同时给 --query")
    p.add_argument("--page", choices=("counter", "work"), default="counter", help="截图的页面")
    p.add_argument("--lock-minutes", type=float, default=DEFAULT_LOCK_MINUTES,
                   help=f"无人操作多少分钟后锁屏（默认 {DEFAULT_LOCK_MINUTES}，0 为不自动锁屏）")
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
    app.setStyleSheet(base_stylesheet())
    translations = install_qt_translations(app, args.lang)  # noqa: F841 - kept alive for the whole run
    data_dir = data_dir_for(args)
    log_path: Path | None = None
    try:
        log_path = log_to_folder(data_dir / "logs")
    except OSError:  # a read-only folder must not stop the counter; the console still gets the log
        log.warning("cannot write the log in %s", data_dir)
    install_excepthook(args.lang, log_path)
    try:
        ctx = open_context(data_dir)
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
        station = station_view(ctx)
    except Exception as e:  # a plain message instead of a traceback; details go to the log
        QMessageBox.critical(None, "村站通", message_for(e, args.lang))
        return 1
    runner = TaskRunner()
    try:
        return _session(app, args, ctx, runner, station)
    finally:
        runner.shutdown()
        ctx.db.dispose()


def _session(app: QApplication, args: argparse.Namespace, ctx: ServiceContext, runner: TaskRunner,
             station: object) -> int:
    from app.services.station import StationView

    assert isinstance(station, StationView)
    login_vm = LoginViewModel(ctx, runner, args.lang)
    dialog = LoginDialog(login_vm, station_name=f"{station.town_name} {station.station_name}")
    if args.screenshot and args.user:
        dialog.username.setText(args.user)
        dialog.password.setText(os.environ.get("STATIONDESK_PASSWORD", ""))
        QTimer.singleShot(0, dialog.button.click)
    if not dialog.exec() or dialog.actor is None:
        return 0
    actor: Actor = dialog.actor
    devices = TaskRunner(thread_name="stationdesk-devices")  # the card reader may take a second
    try:
        reader = SimulatedCardReader(demo_id_cards(ctx)) if args.demo else NoCardReader()
        counter_vm = CounterViewModel(ctx, runner, args.lang, actor=actor, reader=reader, devices=devices)
        work = WorkView(WorkViewModel(ctx, runner, args.lang, actor=actor))
        lock = LockPage(actor, LoginViewModel(ctx, runner, args.lang))
        text_size = TextSize(app, ctx.data_dir / "ui-settings.ini" if ctx.data_dir else None)
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
