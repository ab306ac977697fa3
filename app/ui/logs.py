"""Where the counter's log goes (a file in the data folder), and what happens to an error nobody caught:
it is written there in full, and the person at the counter gets one plain sentence — never a traceback."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from app.messages import render
from app.ui.i18n import language, tr

log = logging.getLogger("app.ui")
LOG_FILE = "counter.log"


def log_to_folder(folder: Path) -> Path:
    """Log to ``folder/counter.log`` (1 MB × 5 files kept), besides the console."""
    from logging.handlers import RotatingFileHandler  # its imports (socket, pickle…) wait until after the login shows

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    root = logging.getLogger()
    if not any(isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == path for h in root.handlers):
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def install_excepthook(log_path: Path | None) -> None:
    """An exception escaping a slot would otherwise print a traceback (or, from Qt, end the program)."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error", exc_info=(kind, error, tb))
        if QApplication.instance() is None:
            return
        where = "\n\n" + tr("（详细情况已记在 {path}）").format(path=log_path) if log_path else ""
        QMessageBox.warning(None, tr("村站通"), render("ui.internal_error", {}, language()) + where)

    sys.excepthook = hook
