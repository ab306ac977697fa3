"""The real entry point, in a fresh process: `python -m app --demo` builds the demo station on first use,
logs in and renders the counter (and today's work) to a PNG of the screen size staff have."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.mark.slow
def test_the_demo_counter_starts_logs_in_and_renders_as_maximised_on_1366_by_768(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STATIONDESK_PASSWORD": "demo2026"}
    data = tmp_path / "demo"
    for page, extra in (("counter", ["--query", "zs", "--item", "S09"]), ("work", [])):
        shot = tmp_path / f"{page}.png"
        out = subprocess.run([sys.executable, "-m", "app", "--demo", "--data-dir", str(data), "--user", "xiaoli",
                              "--page", page, "--screenshot", str(shot), *extra],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        assert "Traceback" not in out.stderr
        assert _png_size(shot) == (1366, 705)  # a maximised window on a 1366×768 screen, title bar and taskbar off
    assert (data / "logs" / "counter.log").exists()


PROBE = r"""
import sys
import PySide6.QtCore
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])
from app.ui import shell
from app.ui.main import run


class Probe(QObject):
    def eventFilter(self, window, event):
        if event.type() == QEvent.Type.Paint:
            # What was loaded when the window first painted, and whether it names the station later.
            window.removeEventFilter(self)
            print("sqlalchemy" if "sqlalchemy" in sys.modules else "no-sqlalchemy", flush=True)
            print("qt-namespace" if "Qt" in vars(PySide6.QtCore) else "no-qt-namespace", flush=True)
            print("page:" + type(window.screens.currentWidget()).__name__, flush=True)

            def check():
                print("title:" + window.login_page.title.text(), flush=True)
                print("counter-built" if window.installed else "counter-not-built", flush=True)
                window.close()

            QTimer.singleShot(3000, check)
        return False


probe = Probe()
show = shell.MainWindow.show_on_screen


def watched(window, size=None):
    window.installEventFilter(probe)
    show(window, size)


shell.MainWindow.show_on_screen = watched
sys.exit(run(["--data-dir", sys.argv[1]]))
"""


@pytest.mark.slow
def test_the_window_paints_its_login_page_before_the_database_layer_loads_and_then_names_the_station(tmp_path: Path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    data = tmp_path / "station"
    made = subprocess.run([sys.executable, "-m", "app.cli", "--data-dir", str(data), "demo"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr[-2000:]
    out = subprocess.run([sys.executable, "-c", PROBE, str(data)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.split()
    assert lines[:3] == ["no-sqlalchemy", "no-qt-namespace", "page:LoginPage"]  # the window came first
    assert "青溪镇" in out.stdout  # ...the station opened behind it and the window names it
    assert "counter-built" in lines  # ...and the counter is ready behind the login page
