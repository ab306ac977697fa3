"""A damaged station file at start: the counter offers the last good backup (恢复 / 退出), restores it with a safety
copy and opens the station with its data — driven through the real opening, a really damaged file and a real
backup."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.services.backups import automatic_backup
from app.services.context import open_context
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
    """Waits for the recovery dialog, photographs it, and presses one of its buttons."""

    def __init__(self, press: Callable[[RecoveryDialog], None], shot: Path) -> None:
        self.seen: RecoveryDialog | None = None
        self.texts: list[str] = []
        self._press, self._shot = press, shot
        self._timer = QTimer()
        self._timer.timeout.connect(self._look)
        self._timer.start(50)

    def _look(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, RecoveryDialog) and widget.isVisible():
                self._timer.stop()
                self.seen = widget
                self.texts = [widget.text(), widget.restore_button.text(), widget.quit_button.text()]
                widget.grab().save(str(self._shot))
                self._press(widget)
                return

    def stop(self) -> None:
        self._timer.stop()


def test_choosing_restore_brings_back_the_last_good_backup_and_opens_the_station(
        qtbot, runner: TaskRunner, station_dir: Path, tmp_path: Path) -> None:
    db = station_dir / "station.sqlite3"
    [backup] = list((station_dir / "backups" / "auto").glob("*.sqlite3"))
    people = _residents(backup)
    damaged = _damage(db)
    answer = _Answer(lambda box: box.restore_button.click(), tmp_path / "recovery.png")
    opening = StationOpening(runner, station_dir, "zh")
    with qtbot.waitSignal(opening.opened, timeout=60000) as opened:
        opening.start()
    answer.stop()
    assert answer.seen is not None
    question, restore_word, quit_word = answer.texts
    assert (restore_word, quit_word) == ("恢复", "退出")
    assert question.startswith("本站数据库文件已损坏") and "（每日结账）。用它恢复吗？" in question
    assert "当前文件会另存为安全副本，不会删除" in question
    assert (tmp_path / "recovery.png").stat().st_size > 0
    station = opened.args[0]
    assert station is not None and station.station_code == "QX01"
    assert _residents(db) == people  # the data is back
    [safety] = list((station_dir / "backups").glob("before-restore-*.sqlite3"))
    assert safety.stat().st_size == len(damaged)  # the damaged file kept for a technician


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
    assert (restore_word, quit_word) == ("Restore", "Quit")
    assert "(daily close). Restore it?" in question and "safety copy" in question
    assert failed.args[0].startswith("Not restored")
