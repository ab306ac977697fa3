"""The counter's log holds what support needs — failed logins, print failures, sync failures — and never a
password, a credential, or a whole ID-card or mobile number (a filter on the log's handlers masks them)."""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt

from app.domain.errors import DomainError
from app.services import replication as rep
from app.services.demo import DEMO_PASSWORD
from app.services.documents import list_documents
from app.services.masking import MaskPersonalData
from app.services.staff import authenticate
from app.ui import logs
from app.ui.login.view import LoginPage
from app.ui.login.view_model import LoginViewModel

TIMEOUT = 10_000
ID_18, ID_15, MOBILE = "11010519491231002X", "130503670401001", "13812345678"


@pytest.fixture
def counter_log(tmp_path: Path) -> Iterator[Path]:
    """The counter's log file, as ``_start_log`` makes it; the root logger is put back afterwards."""
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    path = logs.log_to_folder(tmp_path / "logs")
    try:
        yield path
    finally:
        for h in root.handlers:
            for f in [f for f in h.filters if isinstance(f, MaskPersonalData)]:
                h.removeFilter(f)
            if h not in before:
                root.removeHandler(h)
                h.close()
        root.setLevel(level)


def _written(path: Path) -> str:
    for h in logging.getLogger().handlers:
        h.flush()
    return path.read_text(encoding="utf-8")


def test_a_failed_login_is_logged_with_the_username_and_reason_and_never_the_password(
        qtbot, demo_ctx, runner, counter_log):
    page = LoginPage(LoginViewModel(demo_ctx, runner))
    qtbot.addWidget(page)
    page.show()
    qtbot.keyClicks(page.username, "xiaoli")
    qtbot.keyClick(page.username, Qt.Key.Key_Tab)
    qtbot.keyClicks(page.password, "Wrong-Secret-42")
    with qtbot.waitSignal(page.vm.login_failed, timeout=TIMEOUT):
        qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.keyClicks(page.username, "x")  # a user that does not exist
    with qtbot.waitSignal(page.vm.login_failed, timeout=TIMEOUT):
        page.vm.log_in("nobody", "Another-Secret-7")

    text = _written(counter_log)
    assert "WARNING app.ui.login: login failed: user 'xiaoli': login.failed left=4" in text
    assert "login failed: user 'nobody': login.failed (Wrong user name or password.)" in text
    assert "Wrong-Secret-42" not in text and "Another-Secret-7" not in text


def test_a_sync_failure_is_logged_by_its_kind_with_numbers_masked_and_no_credential(demo_ctx, counter_log):
    rep.save_sync_settings(demo_ctx, url="https://town.example", credential="cred-SECRET-0123456789")
    said = f"resident {ID_18} (old card {ID_15}, phone {MOBILE}) is held by another station"

    def town(request: httpx.Request) -> httpx.Response:
        return httpx.Response(409, json={"code": "sync.refused", "params": {"reason": said}})

    from app.sync.client import sync_once

    with (httpx.Client(base_url="https://town.example", transport=httpx.MockTransport(town)) as http,
          pytest.raises(DomainError)):
        sync_once(demo_ctx, http=http)

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)

    with (httpx.Client(base_url="https://town.example", transport=httpx.MockTransport(down)) as http,
          pytest.raises(DomainError)):
        sync_once(demo_ctx, http=http)

    text = _written(counter_log)
    assert "INFO app.sync: sync failed: sync.refused reason=resident 110105********002X" in text
    assert "130503*****1001" in text and "138****5678" in text
    assert "sync failed: sync.unreachable reason=ConnectError url=https://town.example" in text
    for whole in (ID_18, ID_15, MOBILE, "cred-SECRET-0123456789"):
        assert whole not in text


def _receipt(ctx) -> object:
    """A receipt issued for one of the demo's cases."""
    from app.printing.documents import issue

    clerk = authenticate(ctx, username="xiaoli", password=DEMO_PASSWORD)
    with ctx.read() as uow:
        case_no = uow.conn.exec_driver_sql("SELECT case_no FROM cases ORDER BY case_no LIMIT 1").scalar_one()
    return issue(ctx, actor=clerk, kind="receipt", subject=case_no)


def _failing_lp(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ``lp`` on PATH that refuses like CUPS does for an unknown printer."""
    folder.mkdir()
    script = folder / "lp"
    script.write_text('#!/bin/sh\necho "lp: The printer or class does not exist." >&2\nexit 1\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def test_a_print_failure_is_logged_with_the_document_the_printer_and_the_error(
        demo_ctx, counter_log, tmp_path, monkeypatch):
    from app.printing.documents import print_issued

    doc = _receipt(demo_ctx)
    number = doc.number
    _failing_lp(tmp_path / "bin", monkeypatch)
    with pytest.raises(DomainError):
        print_issued(demo_ctx, doc, printer="Front-Desk")
    assert number in {d.number for d in list_documents(demo_ctx, unprinted=True)}  # it waits to be printed again
    text = _written(counter_log)
    assert f"INFO app.printing: print failed: document {number}, printer 'Front-Desk': print.printer_failed" in text
    assert "The printer or class does not exist" in text


def test_a_print_failure_at_the_counter_is_logged_with_the_document_and_the_printer(
        qtbot, demo_ctx, runner, counter_log, monkeypatch):
    from app.ui import paper

    doc = _receipt(demo_ctx)
    monkeypatch.setattr(paper, "print_pdf", lambda *_a, **_k: "打印机没有响应。")
    failed: list[str] = []
    out = paper.PaperOut(demo_ctx, runner, runner, done=lambda _t: None, failed=failed.append)
    out.send(doc)
    qtbot.waitUntil(lambda: bool(failed), timeout=TIMEOUT)
    text = _written(counter_log)
    assert "print failed" in text and doc.number in text and "打印机没有响应" in text


def test_every_record_is_masked_in_the_file_whatever_its_logger_let_through(counter_log):
    noisy = logging.getLogger("app.somewhere")
    noisy.warning("looked up %s and %s, called %s about case QX01-20261124-0007", ID_18, ID_15, MOBILE)
    try:
        raise ValueError(f"bad row {json.dumps({'id_number': ID_18})}")
    except ValueError:
        noisy.exception("import stopped")
    text = _written(counter_log)
    assert "looked up 110105********002X and 130503*****1001, called 138****5678 about case QX01-20261124-0007" in text
    assert "Traceback" in text and "ValueError: bad row" in text
    for whole in (ID_18, ID_15, MOBILE):
        assert whole not in text
    assert all(any(isinstance(f, MaskPersonalData) for f in h.filters) for h in logging.getLogger().handlers
               if isinstance(h, RotatingFileHandler))
