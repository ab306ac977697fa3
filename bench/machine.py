"""The machine the figures were measured on (printed and written with every run)."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import sqlalchemy


def _first(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def _filesystem(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    try:
        out = subprocess.run(["df", "-T", str(folder)], capture_output=True, text=True, check=True).stdout
        return out.splitlines()[-1].split()[1]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "?"


def machine_info(data_dir: Path) -> dict[str, Any]:
    mem_kib = _first("/proc/meminfo", "MemTotal").split()[0]
    return {
        "cpu": _first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "ram_gib": round(int(mem_kib) / 1024 / 1024, 1) if mem_kib.isdigit() else "?",
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        "data_fs": _filesystem(data_dir),
        "load_avg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
