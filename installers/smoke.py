"""The bundle's smoke run: the built program starts on a fresh data folder (offscreen), migrates a new
database, builds the demo station, logs in as its head, saves the counter's screenshot and exits 0."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_FILE = "station.sqlite3"
MIN_SIZE = (800, 600)  # the counter's window is 1366x768 offscreen


@dataclass(frozen=True)
class SmokeRun:
    returncode: int
    output: str  # stdout and stderr
    seconds: float
    screenshot: Path
    data_dir: Path
    database: Path | None  # the station's file found in the data folder
    revision: str | None  # its Alembic revision
    head: str  # the newest migration in db/versions
    image: str  # what the screenshot holds, in words ("1366x768, 212 colours")
    image_ok: bool


def demo_login() -> tuple[str, str]:
    """The demo station head's account and password (app/services/demo.py)."""
    from app.services.demo import DEMO_PASSWORD, DEMO_STAFF

    return DEMO_STAFF[0][0], DEMO_PASSWORD


def head_revision() -> str:
    """The newest migration of db/versions, as Alembic sees it."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(ROOT / "db")).get_current_head()
    if head is None:
        raise RuntimeError("db/versions has no migration")
    return head


def database_revision(db: Path) -> str | None:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def describe_image(png: Path) -> tuple[str, bool]:
    """Size and colours of a screenshot, and whether it is a real picture: big enough, many colours, and
    not one colour over nearly all of it (a blank or black window)."""
    if not png.is_file() or png.stat().st_size == 0:
        return "no file", False
    if png.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
        return "not a PNG", False
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    if image.isNull():
        return "a PNG Qt cannot read", False
    w, h = image.width(), image.height()
    colours: Counter[int] = Counter(image.pixel(x, y) for x in range(0, w, 4) for y in range(0, h, 4))
    top_share = colours.most_common(1)[0][1] / sum(colours.values())
    ok = w >= MIN_SIZE[0] and h >= MIN_SIZE[1] and len(colours) >= 16 and top_share < 0.95
    return f"{w}x{h}, {len(colours)} colours, commonest {top_share:.0%}", ok


def run_bundle(exe: Path, work: Path, *, expect_data_in: Path | None = None, env: dict[str, str] | None = None,
               timeout: float = 300) -> SmokeRun:
    """Runs ``exe --demo --screenshot`` logged in as the demo head, searching ``zs`` (pinyin initials) and
    choosing item S09. The data folder is STATIONDESK_DATA_DIR=``work``/data (which must not exist yet); with
    ``expect_data_in`` the variable is not set, and the program's own choice is looked for there."""
    data = expect_data_in or work / "data"
    if data.exists():
        raise ValueError(f"{data} exists: the smoke run needs a fresh data folder")
    work.mkdir(parents=True, exist_ok=True)
    png = work / "counter.png"
    user, password = demo_login()
    env = {k: v for k, v in {**os.environ, **(env or {})}.items() if k != "STATIONDESK_DATA_DIR"}
    env.update(STATIONDESK_PASSWORD=password, QT_QPA_PLATFORM="offscreen")
    if expect_data_in is None:
        env["STATIONDESK_DATA_DIR"] = str(data)
    t0 = time.perf_counter()
    proc = subprocess.run([str(exe), "--demo", "--screenshot", str(png), "--user", user, "--query", "zs",
                           "--item", "S09"], env=env, capture_output=True, text=True, encoding="utf-8",
                          errors="replace", timeout=timeout, check=False)
    seconds = time.perf_counter() - t0
    found = sorted(data.rglob(DB_FILE)) if data.is_dir() else []
    database = found[0] if found else None
    image, image_ok = describe_image(png)
    return SmokeRun(proc.returncode, proc.stdout + proc.stderr, seconds, png, data, database,
                    database_revision(database) if database else None, head_revision(), image, image_ok)


def check_run(run: SmokeRun) -> list[str]:
    """What went wrong in a smoke run, in words (empty: all held)."""
    problems = []
    if run.returncode != 0:
        problems.append(f"exit code {run.returncode}")
    if not run.image_ok:
        problems.append(f"the screenshot {run.screenshot} is not a real picture: {run.image}")
    if run.database is None:
        problems.append(f"no {DB_FILE} in the fresh data folder {run.data_dir}")
    elif run.revision != run.head:
        problems.append(f"the database is at revision {run.revision}, not at the head {run.head}")
    return problems
