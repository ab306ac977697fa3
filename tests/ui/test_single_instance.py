"""One counter per data folder: a second start brings the first window forward and ends; a lock left by a
counter that died does not keep the station closed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.ui.single import LOCK_FILE, SingleInstance

ROOT = Path(__file__).resolve().parents[2]
ASK = ("import sys; from pathlib import Path; from PySide6.QtCore import QCoreApplication; "
       "from app.ui.single import SingleInstance; app = QCoreApplication([]); "
       "s = SingleInstance(Path(sys.argv[1])); print('first' if s.acquire() else "
       "('shown' if s.ask_first_to_show() else 'no answer'))")
HOLD = ("import sys, time; from pathlib import Path; from PySide6.QtCore import QCoreApplication; "
        "from app.ui.single import SingleInstance; app = QCoreApplication([]); "
        "s = SingleInstance(Path(sys.argv[1])); print('held' if s.acquire() else 'taken', flush=True); time.sleep(60)")


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def test_a_second_start_asks_the_first_to_show_its_window(qtbot, tmp_path: Path) -> None:
    first = SingleInstance(tmp_path)
    try:
        assert first.acquire()
        assert (tmp_path / LOCK_FILE).exists()
        assert not SingleInstance(tmp_path).acquire()  # the same folder, in this process too
        second = subprocess.Popen([sys.executable, "-c", ASK, str(tmp_path)], cwd=ROOT, env=_env(),
                                  stdout=subprocess.PIPE, text=True)
        with qtbot.waitSignal(first.show_requested, timeout=15000):
            pass
        out, _ = second.communicate(timeout=15)
        assert out.strip() == "shown" and second.returncode == 0
    finally:
        first.release()
    assert not (tmp_path / LOCK_FILE).exists()


def test_another_data_folder_is_another_counter(tmp_path: Path) -> None:
    first = SingleInstance(tmp_path / "station")
    try:
        assert first.acquire()
        other = subprocess.run([sys.executable, "-c", ASK, str(tmp_path / "demo")], cwd=ROOT, env=_env(),
                               capture_output=True, text=True, timeout=30)
        assert other.stdout.strip() == "first"
    finally:
        first.release()


def test_a_lock_left_by_a_counter_that_died_is_taken_over(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], cwd=ROOT, env=_env(),
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert not SingleInstance(tmp_path).acquire()  # alive: it holds the folder
    finally:
        holder.send_signal(signal.SIGKILL)  # the power went: no clean exit
        holder.wait(timeout=10)
    assert (tmp_path / LOCK_FILE).exists()
    again = SingleInstance(tmp_path)
    try:
        assert again.acquire()
    finally:
        again.release()


@pytest.mark.slow
def test_starting_the_counter_twice_on_one_station_keeps_one_window(demo_template: Path, tmp_path: Path) -> None:
    """The real program, twice: the second start ends at once with exit code 0, and the first one logs that
    it was asked to come forward."""
    data = tmp_path / "station"
    shutil.copytree(demo_template, data)
    first = subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(data), "--lang", "zh"], cwd=ROOT,
                             env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = data / "logs" / "counter.log"
    try:
        deadline = time.monotonic() + 60
        while not (log.exists() and (data / LOCK_FILE).exists()):  # the log opens after the first paint
            assert first.poll() is None, "the first counter ended"
            assert time.monotonic() < deadline, "the first counter did not start"
            time.sleep(0.2)
        started = time.monotonic()
        second = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data)], cwd=ROOT, env=_env(),
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stderr
        assert time.monotonic() - started < 30
        deadline = time.monotonic() + 15
        while "another start of the counter asked for this window" not in log.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, "the first counter was not asked to show itself"
            time.sleep(0.2)
        assert first.poll() is None  # the first counter is still serving
    finally:
        first.terminate()
        first.wait(timeout=30)
