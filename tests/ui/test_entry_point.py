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
def test_the_demo_counter_starts_logs_in_and_renders_at_1366_by_768(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STATIONDESK_PASSWORD": "demo2026"}
    data = tmp_path / "demo"
    for page, extra in (("counter", ["--query", "zs", "--item", "S09"]), ("work", [])):
        shot = tmp_path / f"{page}.png"
        out = subprocess.run([sys.executable, "-m", "app", "--demo", "--data-dir", str(data), "--user", "xiaoli",
                              "--page", page, "--screenshot", str(shot), *extra],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        assert "Traceback" not in out.stderr
        assert _png_size(shot) == (1366, 768)
    assert (data / "logs" / "counter.log").exists()
