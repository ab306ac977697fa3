"""UI tests run on Qt's offscreen platform with a real demo station on disk."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from app.services.context import ServiceContext, open_context
from app.services.demo import build_demo


@pytest.fixture(scope="session", autouse=True)
def counter_look(qapp: object) -> None:
    """The counter's own font and stylesheet (15 pt text and up), so sizes and layouts are the ones staff see."""
    from app.ui.look import base_stylesheet, install_ui_font

    install_ui_font(qapp)  # type: ignore[arg-type]
    qapp.setStyleSheet(base_stylesheet())  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small demo station built once per run; each test gets its own copy."""
    root = tmp_path_factory.mktemp("demo-template")
    ctx = open_context(root)
    build_demo(ctx, residents=400)
    ctx.db.dispose()
    return root


@pytest.fixture
def demo_ctx(demo_template: Path, tmp_path: Path) -> Iterator[ServiceContext]:
    import shutil

    target = tmp_path / "station"
    shutil.copytree(demo_template, target)
    ctx = open_context(target)
    yield ctx
    ctx.db.dispose()


@pytest.fixture
def runner(qtbot: object) -> Iterator[object]:
    from app.ui.tasks import TaskRunner

    r = TaskRunner()
    yield r
    r.shutdown()


class FakePrinter:
    """Stands in for ``print_pdf``: keeps every PDF sent (on the devices thread, as the real one runs)."""

    def __init__(self, problem: str | None = None) -> None:
        self.sent: list[tuple[str, bytes]] = []
        self.problem = problem

    def __call__(self, pdf: bytes, *, printer_name: str = "", title: str = "", to_file: Any = None) -> str | None:
        if self.problem is not None:
            return _paper().NoPrinter(self.problem)
        self.sent.append((printer_name, pdf))
        return None


@pytest.fixture
def printer(monkeypatch: pytest.MonkeyPatch) -> FakePrinter:
    fake = FakePrinter()
    monkeypatch.setattr(_paper(), "print_pdf", fake)
    monkeypatch.setattr("app.ui.print_setup.print_pdf", fake)
    return fake


@pytest.fixture
def no_printer(monkeypatch: pytest.MonkeyPatch) -> FakePrinter:
    fake = FakePrinter(problem="这台电脑没有装打印机。请装好打印机（或连接小票机）后再打印；"
                               "单据已经生成，可以稍后补打。")
    monkeypatch.setattr(_paper(), "print_pdf", fake)
    monkeypatch.setattr("app.ui.print_setup.print_pdf", fake)
    return fake


def _paper():  # the Qt module, imported when a test asks for a printer (after the offscreen platform is set)
    from app.ui import paper

    return paper
