"""The 系统 menu: About (where the data lives), a backup to a USB stick, a support bundle — each for whom it is
meant, and never from a locked screen."""

from __future__ import annotations

import zipfile
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from app.paths import DataLocation
from app.persistence.storage import looks_like_station, quick_check
from app.services.context import ServiceContext
from app.services.demo import DEMO_PASSWORD
from app.services.staff import authenticate
from app.ui.shell import MainWindow
from app.ui.system import AboutDialog, SystemMenu
from app.ui.tasks import TaskRunner


def _window(qtbot, ctx: ServiceContext, runner: TaskRunner) -> tuple[MainWindow, SystemMenu]:
    assert ctx.data_dir is not None
    window = MainWindow()
    qtbot.addWidget(window)
    menu = SystemMenu(window, DataLocation(ctx.data_dir, "per-user"), station_name=lambda: "青溪村便民服务站")
    window.add_system_menu(menu)
    menu.attach(ctx, runner)
    return window, menu


def test_about_says_where_the_data_lives_and_copies_it_for_the_technician(qtbot, demo_ctx: ServiceContext,
                                                                          tmp_path: Path) -> None:
    assert demo_ctx.data_dir is not None
    dialog = AboutDialog(DataLocation(demo_ctx.data_dir, "all-users"), "青溪村便民服务站")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.values["数据文件夹"].text() == str(demo_ctx.data_dir)
    assert dialog.values["存放方式"].text() == "本机所有用户共用"
    assert "MB" in dialog.values["数据库"].text()
    assert dialog.values["本站"].text() == "青溪村便民服务站"
    dialog.copy.click()
    assert str(demo_ctx.data_dir) in QGuiApplication.clipboard().text()
    assert dialog.copy.text() == "已复制"
    dialog.grab().save(str(tmp_path / "about.png"))


def test_the_menu_waits_for_a_login_and_gives_backups_to_the_head_only(qtbot, demo_ctx: ServiceContext,
                                                                       runner: TaskRunner) -> None:
    _, menu = _window(qtbot, demo_ctx, runner)
    assert menu.about.isEnabled()
    assert not menu.backup.isEnabled() and not menu.support.isEnabled()
    menu.set_actor(authenticate(demo_ctx, username="xiaoli", password=DEMO_PASSWORD))
    assert menu.support.isEnabled() and not menu.backup.isEnabled()
    assert menu.backup.toolTip() == "需要站长账号登录"
    menu.set_actor(authenticate(demo_ctx, username="zhanzhang", password=DEMO_PASSWORD))
    assert menu.backup.isEnabled() and menu.support.isEnabled()


def test_a_backup_to_a_usb_stick_is_a_checked_station_file(qtbot, demo_ctx: ServiceContext, runner: TaskRunner,
                                                           tmp_path: Path) -> None:
    _, menu = _window(qtbot, demo_ctx, runner)
    menu.set_actor(authenticate(demo_ctx, username="zhanzhang", password=DEMO_PASSWORD))
    usb = tmp_path / "usb"
    usb.mkdir()
    menu.backup_to(usb)
    qtbot.waitUntil(lambda: menu.last_message != "", timeout=20000)
    copies = list(usb.glob("*.sqlite3"))
    assert len(copies) == 1 and str(copies[0]) in menu.last_message
    assert quick_check(copies[0]) is None and looks_like_station(copies[0])
    assert menu.box is not None and menu.box.isVisible()


def test_a_clerk_writes_a_support_bundle_and_a_full_stick_is_said_in_words(qtbot, demo_ctx: ServiceContext,
                                                                            runner: TaskRunner, tmp_path: Path) -> None:
    _, menu = _window(qtbot, demo_ctx, runner)
    menu.set_actor(authenticate(demo_ctx, username="xiaoli", password=DEMO_PASSWORD))
    menu.write_support_bundle(tmp_path)
    qtbot.waitUntil(lambda: menu.last_message != "", timeout=20000)
    bundles = list(tmp_path.glob("stationdesk-support-*.zip"))
    assert len(bundles) == 1 and "没有居民的个人信息" in menu.last_message and "站长" in menu.last_message
    with zipfile.ZipFile(bundles[0]) as z:
        assert {"versions.json", "settings.json", "check.json"} <= set(z.namelist())
        assert '"qt"' in z.read("versions.json").decode()
    menu.last_message = ""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    menu.write_support_bundle(blocked / "usb")
    qtbot.waitUntil(lambda: menu.last_message != "", timeout=20000)
    assert "支持包写不进" in menu.last_message


def test_a_locked_screen_offers_nothing_of_the_station(qtbot, demo_ctx: ServiceContext, runner: TaskRunner) -> None:
    from app.ui.counter.view import CounterView
    from app.ui.counter.view_model import CounterViewModel
    from app.ui.lock import LockPage
    from app.ui.login.view_model import LoginViewModel

    head = authenticate(demo_ctx, username="zhanzhang", password=DEMO_PASSWORD)
    window, menu = _window(qtbot, demo_ctx, runner)
    counter = CounterView(CounterViewModel(demo_ctx, runner, "zh", actor=head))
    window.install(counter, lock=LockPage(head, LoginViewModel(demo_ctx, runner, "zh")))
    window.begin(head)
    assert menu.backup.isEnabled()
    window.lock()
    assert not menu.backup.isEnabled() and not menu.support.isEnabled() and menu.about.isEnabled()
    window.unlock()
    assert menu.backup.isEnabled()


def test_restoring_from_the_menu_asks_first_then_waits_for_the_next_start(qtbot, demo_ctx: ServiceContext,
                                                                          runner: TaskRunner, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.services.backups import pending_restore
    from app.services.maintenance import backup

    assert demo_ctx.data_dir is not None
    head = authenticate(demo_ctx, username="zhanzhang", password=DEMO_PASSWORD)
    usb = tmp_path / "usb"
    usb.mkdir()
    made = backup(demo_ctx, actor=head, dest=usb)
    _, menu = _window(qtbot, demo_ctx, runner)
    menu.set_actor(head)
    assert menu.restore.isEnabled()

    menu.restore_from(made)  # 不恢复 first: nothing changes
    qtbot.waitUntil(lambda: menu.confirm is not None, timeout=20000)
    assert "安全副本" in menu.last_message and "重新录入" in menu.last_message and "MB" in menu.last_message
    box = menu.confirm
    assert box is not None and box.defaultButton().text() == "不恢复"  # Enter does no harm
    box.defaultButton().click()
    assert menu.last_message == "没有恢复。" and pending_restore(demo_ctx.data_dir) is None

    menu.restore_from(made)
    qtbot.waitUntil(lambda: menu.confirm is not None, timeout=20000)
    assert menu.confirm_restore is not None
    menu.confirm_restore.click()
    qtbot.waitUntil(lambda: pending_restore(demo_ctx.data_dir) is not None, timeout=20000)
    qtbot.waitUntil(lambda: menu.reopen is not None and menu.box is not None and menu.box.isVisible(), timeout=20000)
    assert "关闭村站通再打开" in menu.last_message
    with qtbot.waitSignal(menu.restart_requested, timeout=5000):
        menu.reopen.click()
    assert isinstance(menu.box, QMessageBox)


def test_a_file_that_is_not_a_backup_is_refused_in_words(qtbot, demo_ctx: ServiceContext, runner: TaskRunner,
                                                         tmp_path: Path) -> None:
    _, menu = _window(qtbot, demo_ctx, runner)
    menu.set_actor(authenticate(demo_ctx, username="zhanzhang", password=DEMO_PASSWORD))
    odd = tmp_path / "photo.sqlite3"
    odd.write_bytes(b"not a database at all" * 100)
    menu.restore_from(odd)
    qtbot.waitUntil(lambda: menu.last_message != "", timeout=20000)
    assert "不是可用的村站通备份" in menu.last_message and menu.confirm is None


def test_closing_the_counter_backs_up_only_when_something_new_was_recorded(qtbot, demo_ctx: ServiceContext) -> None:
    from PySide6.QtWidgets import QApplication

    from app.services.backups import auto_folder
    from app.ui.main import _backup_on_exit

    assert demo_ctx.data_dir is not None
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    _backup_on_exit(app, demo_ctx, "zh")
    made = sorted(auto_folder(demo_ctx.data_dir).glob("auto-*-exit.sqlite3"))
    assert len(made) == 1 and quick_check(made[0]) is None and looks_like_station(made[0])
    _backup_on_exit(app, demo_ctx, "zh")  # nothing recorded since: no second copy
    assert sorted(auto_folder(demo_ctx.data_dir).glob("auto-*.sqlite3")) == made


def test_another_stations_backup_is_refused_before_anything_is_asked(qtbot, demo_ctx: ServiceContext,
                                                                    runner: TaskRunner, tmp_path: Path) -> None:
    import sqlite3

    from app.services.backups import pending_restore
    from app.services.maintenance import backup

    assert demo_ctx.data_dir is not None
    head = authenticate(demo_ctx, username="zhanzhang", password=DEMO_PASSWORD)
    theirs = backup(demo_ctx, actor=head, dest=tmp_path / "qx02.sqlite3")
    conn = sqlite3.connect(theirs)  # as if it came from 石门村's station
    conn.execute("UPDATE meta SET value = 'QX02' WHERE key = 'station_code'")
    conn.execute("UPDATE stations SET code = 'QX02' WHERE code = 'QX01'")
    conn.commit()
    conn.close()
    _, menu = _window(qtbot, demo_ctx, runner)
    menu.set_actor(head)
    menu.restore_from(theirs)
    qtbot.waitUntil(lambda: menu.last_message != "", timeout=20000)
    assert "QX02 站的备份" in menu.last_message and "不是本站（QX01）" in menu.last_message
    assert menu.confirm is None and pending_restore(demo_ctx.data_dir) is None


def test_the_menu_is_a_button_on_the_header_line_that_alt_s_opens_taking_no_line_of_its_own(
        qtbot, demo_ctx: ServiceContext, runner: TaskRunner) -> None:
    from PySide6.QtCore import Qt, QTimer

    window, menu = _window(qtbot, demo_ctx, runner)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    assert window.menuWidget() is None  # no menu bar: every page keeps that line
    button = window.system_button
    assert button is not None and button.isVisible() and "Alt+S" in button.text()
    assert button.mapTo(window, button.rect().topLeft()).y() < window.station_label.mapTo(
        window, window.station_label.rect().bottomLeft()).y()  # on the header's line
    seen: list[bool] = []
    # The menu pops up in an event loop of its own (as a menu does): looked at, then closed, from a timer.
    QTimer.singleShot(300, lambda: (seen.append(menu.menu.isVisible()), menu.menu.close()))
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: seen != [], timeout=5000)
    assert seen == [True]
