"""An error nobody caught is written in full to the log in the data folder; the person sees one sentence."""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler

from app.ui import logs


def test_an_uncaught_error_goes_to_the_log_file_and_a_plain_message(qtbot, tmp_path, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(logs.QMessageBox, "warning", lambda _parent, _title, text: shown.append(text))
    before_hook = sys.excepthook
    path = logs.log_to_folder(tmp_path / "logs")
    try:
        logs.install_excepthook(path)
        try:
            raise KeyError("station_code")
        except KeyError as e:
            sys.excepthook(type(e), e, e.__traceback__)
        for h in logging.getLogger().handlers:
            h.flush()
        written = path.read_text(encoding="utf-8")
        assert "Traceback" in written and "KeyError: 'station_code'" in written
        assert len(shown) == 1 and shown[0].startswith("出了点问题") and "Traceback" not in shown[0]
        assert str(path) in shown[0]
    finally:
        sys.excepthook = before_hook
        root = logging.getLogger()
        for h in [h for h in root.handlers if isinstance(h, RotatingFileHandler)]:
            root.removeHandler(h)
            h.close()
