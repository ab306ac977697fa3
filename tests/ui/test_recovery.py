"""A damaged (or empty) station file at start: the counter offers the last good backup, a station head signs in with
an account held in that backup, and it is restored with a safety copy and the station opens with its data — driven
through the real opening, a really damaged file and a real backup, by the keyboard. 不恢复，退出 is the default:
Enter never restores without a valid sign-in."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.services.backups import automatic_backup
from app.services.context import open_context
from app.services.demo import DEMO_PASSWORD
from app.ui.opening import StationOpening
from app.ui.recovery import RecoveryDialog
from app.ui.tasks import TaskRunner


def _residents(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM residents").fetchone()[0])
    finally:
        conn.close()


def _damage(path: Path) -> bytes:
    """Garbage over the middle pages of the file, as a failing disk or a power cut in the wrong place leaves it."""
    size, page = path.stat().st_size, 4096
    with path.open("r+b") as f:
        for n in range(int(size * 0.3) // page, int(size * 0.7) // page):
            f.seek(n * page)
            f.write(os.urandom(page))
    return path.read_bytes()


@pytest.fixture
def station_dir(demo_template: Path, tmp_path: Path) -> Path:
    """The demo station with one automatic backup (a daily close's), then damaged."""
    target = tmp_path / "station"
    shutil.copytree(demo_template, target)
    ctx = open_context(target)
    automatic_backup(ctx, reason="close")
    ctx.db.dispose()
    return target


class _Answer:
    """Waits for the recovery dialog, photographs it, and answers it with ``press`` (which may type first)."""

    def __init__(self, press: Callable[[RecoveryDialog], None], shot: Path) -> None:
        self.seen: RecoveryDialog | None = None
        self.texts: list[str] = []
        self.error: BaseException | None = None
        self._press, self._shot = press, shot
        self._timer = QTimer()
        self._timer.timeout.connect(self._look)
        self._timer.start(50)

    def _look(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, RecoveryDialog) and widget.isVisible():
                if not widget.isActiveWindow():  # keys typed before it is active would go nowhere
                    widget.activateWindow()
                    return
                self._timer.stop()
                self.seen = widget
                self.texts = [widget.question.text(), widget.restore_button.text(), widget.quit_button.text()]
                widget.grab().save(str(self._shot))
                try:
                    self._press(widget)
                except BaseException as e:  # a failed check must not leave the dialog waiting for ever
                    self.error = e
                    widget.done(0)
                return

    def stop(self) -> None:
        self._timer.stop()
        if self.error is not None:
            raise self.error


def _type(dialog: RecoveryDialog, user: str, password: str) -> None:
    QTest.keyClicks(dialog.account, user)
    QTest.keyClick(dialog.account, Qt.Key.Key_Return)  # on to the password
    assert dialog.password.hasFocus()
    QTest.keyClicks(dialog.password, password)


def _sign_in_and_restore(dialog: RecoveryDialog) -> None:
    _type(dialog, "zhanzhang", DEMO_PASSWORD)
    QTest.keyClick(dialog.password, Qt.Key.Key_Return)


def _audit(db: Path, action: str) -> list[dict[str, object]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT detail FROM audit_log WHERE action = ?", (action,)).fetchall()
    finally:
        conn.close()
    return [json.loads(r[0]) for r in rows]


def test_a_head_held_in_the_backup_signs_in_and_the_station_opens_with_its_data(
        qtbot, runner: TaskRunner, station_dir: Path, tmp_path: Path) -> None:
    db = station_dir / "station.sqlite3"
    [backup] = list((station_dir / "backups" / "auto").glob("*.sqlite3"))
    people = _residents(backup)
    damaged = _damage(db)
    answer = _Answer(_sign_in_and_restore, tmp_path / "recovery.png")
    opening = StationOpening(runner, station_dir, "zh")
    with qtbot.waitSignal(opening.opened, timeout=60000) as opened:
        opening.start()
    answer.stop()
    assert answer.seen is not None
    question, restore_word, quit_word = answer.texts
    assert (restore_word, quit_word) == ("登录并恢复(&R)", "不恢复，退出(&Q)")
    assert question.startswith("本站数据库文件已损坏") and "（每日结账）。用它恢复吗？" in question
    assert "当前文件会另存为安全副本，不会删除" in question
    assert (tmp_path / "recovery.png").stat().st_size > 0
    station = opened.args[0]
    assert station is not None and station.station_code == "QX01"
    assert _residents(db) == people  # the data is back
    [safety] = list((station_dir / "backups").glob("before-restore-*.sqlite3"))
    assert safety.stat().st_size == len(damaged)  # the damaged file kept for a technician
    [entry] = _audit(db, "station.restored")
    assert entry["username"] == "zhanzhang" and entry["signed_in_to"] == "backup"
    assert entry["safety_copy"] == safety.name


def test_an_empty_station_file_is_offered_its_backup_not_made_a_new_station(
        qtbot, runner: TaskRunner, station_dir: Path, tmp_path: Path) -> None:
    db = station_dir / "station.sqlite3"
    db.write_bytes(b"")  # a power cut in the wrong place, a copy that went wrong
    answer = _Answer(_sign_in_and_restore, tmp_path / "empty.png")
    opening = StationOpening(runner, station_dir, "zh")
    with qtbot.waitSignal(opening.opened, timeout=60000) as opened:
        opening.start()
    answer.stop()
    assert answer.seen is not None
    assert opened.args[0] is not None and opened.args[0].station_code == "QX01"
    assert _residents(db) > 0


def test_enter_never_restores_without_a_valid_sign_in(qtbot, runner: TaskRunner, station_dir: Path,
                                                     tmp_path: Path) -> None:
    db = station_dir / "station.sqlite3"
    damaged = _damage(db)
    seen: list[str] = []

    def press(dialog: RecoveryDialog) -> None:
        assert dialog.account.hasFocus() and dialog.quit_button.isDefault()
        assert not dialog.restore_button.isDefault() and not dialog.restore_button.autoDefault()
        QTest.keyClick(dialog.account, Qt.Key.Key_Return)  # nothing typed: asked for the account
        assert dialog.isVisible()
        seen.append(dialog.problem.text())
        _type(dialog, "zhanzhang", "not-the-password")
        QTest.keyClick(dialog.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.password.isEnabled() and dialog.password.text() == "", timeout=20000)
        seen.append(dialog.problem.text())
        dialog.account.clear()
        _type(dialog, "xiaoli", DEMO_PASSWORD)  # a clerk's account
        dialog.restore_button.click()
        qtbot.waitUntil(lambda: dialog.password.isEnabled() and dialog.password.text() == "", timeout=20000)
        seen.append(dialog.problem.text())
        dialog.grab().save(str(tmp_path / "refused.png"))
        QTest.keyClick(dialog, Qt.Key.Key_Escape)

    answer = _Answer(press, tmp_path / "enter.png")
    opening = StationOpening(runner, station_dir, "zh")
    with qtbot.waitSignal(opening.failed, timeout=60000) as failed:
        opening.start()
    answer.stop()
    assert answer.seen is not None
    asked, wrong, clerk = seen
    assert asked == "请填写站长的账号和密码。"
    assert wrong.startswith("账号或密码不对") and "还可以再试 4 次" in wrong
    assert "不是站长账号" in clerk
    assert failed.args[0].startswith("没有恢复")
    assert db.read_bytes() == damaged  # nothing restored
    assert not list((station_dir / "backups").glob("before-restore-*"))


def test_choosing_quit_changes_nothing_and_says_whom_to_call(qtbot, runner: TaskRunner, station_dir: Path,
                                                             tmp_path: Path) -> None:
    db = station_dir / "station.sqlite3"
    damaged = _damage(db)
    answer = _Answer(lambda box: box.quit_button.click(), tmp_path / "quit.png")
    opening = StationOpening(runner, station_dir, "zh")
    with qtbot.waitSignal(opening.failed, timeout=60000) as failed:
        opening.start()
    answer.stop()
    assert answer.seen is not None
    text = failed.args[0]
    assert text.startswith("没有恢复") and "镇技术人员" in text and str(db) in text
    assert db.read_bytes() == damaged
    assert not list((station_dir / "backups").glob("before-restore-*"))


def test_without_a_station_identity_the_station_code_is_asked_for(qtbot, runner: TaskRunner, station_dir: Path,
                                                                  tmp_path: Path) -> None:
    (station_dir / "station.json").unlink()  # a station set up before the identity file existed
    _damage(station_dir / "station.sqlite3")
    seen: list[str] = []

    def press(dialog: RecoveryDialog) -> None:
        assert dialog.station is not None
        _type(dialog, "zhanzhang", DEMO_PASSWORD)
        QTest.keyClick(dialog.password, Qt.Key.Key_Return)  # on to the station's code, still empty
        assert dialog.station.hasFocus()
        QTest.keyClicks(dialog.station, "qx02")
        QTest.keyClick(dialog.station, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.password.isEnabled() and dialog.password.text() == "", timeout=20000)
        seen.append(dialog.problem.text())
        dialog.station.clear()
        QTest.keyClicks(dialog.station, "QX01")
        QTest.keyClicks(dialog.password, DEMO_PASSWORD)
        QTest.keyClick(dialog.password, Qt.Key.Key_Return)

    answer = _Answer(press, tmp_path / "station.png")
    opening = StationOpening(runner, station_dir, "zh")
    with qtbot.waitSignal(opening.opened, timeout=60000) as opened:
        opening.start()
    answer.stop()
    assert "QX01" in seen[0] and "QX02" in seen[0]  # the backup is QX01's, not the QX02 typed
    assert opened.args[0].station_code == "QX01"
    assert (station_dir / "station.json").exists()


def test_without_a_backup_the_counter_says_so_and_where_the_file_is(qtbot, runner: TaskRunner, station_dir: Path,
                                                                    tmp_path: Path) -> None:
    shutil.rmtree(station_dir / "backups" / "auto")
    _damage(station_dir / "station.sqlite3")
    answer = _Answer(lambda box: box.restore_button.click(), tmp_path / "none.png")
    opening = StationOpening(runner, station_dir, "zh")
    with qtbot.waitSignal(opening.failed, timeout=60000) as failed:
        opening.start()
    answer.stop()
    assert answer.seen is None  # nothing to offer: no question
    text = failed.args[0]
    assert "没有可用的备份" in text and "不要删除" in text and str(station_dir / "station.sqlite3") in text


def test_the_offer_in_english(qtbot, runner: TaskRunner, station_dir: Path, tmp_path: Path) -> None:
    _damage(station_dir / "station.sqlite3")
    answer = _Answer(lambda box: box.quit_button.click(), tmp_path / "en.png")
    opening = StationOpening(runner, station_dir, "en")
    with qtbot.waitSignal(opening.failed, timeout=60000) as failed:
        opening.start()
    answer.stop()
    question, restore_word, quit_word = answer.texts
    assert (restore_word, quit_word) == ("Sign in and &restore", "Do not restore, &quit")
    assert "(daily close). Restore it?" in question and "safety copy" in question
    assert answer.seen is not None and "as it is in this backup" in answer.seen.note.text()
    assert failed.args[0].startswith("Not restored")
