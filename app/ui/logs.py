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
    """Log to ``folder/counter.log`` (1 MB × 5 files kept), besides the console. Every handler of the log masks
    ID-card and mobile numbers in what it writes (``MaskPersonalData``): whatever a logger lets through, the
    file a technician takes away holds first 6 + last 4 of an ID and first 3 + last 4 of a phone only.

    What support finds there, each under its logger: failed logins (``app.ui.login``: the username and why,
    never the password), print failures (``app.printing``, ``app.ui.paper``: the document's number, the
    printer, the error), sync failures (``app.sync``: the kind of error and its details, masked), and every
    error nobody caught (``app.ui``) with its traceback."""
    from logging.handlers import RotatingFileHandler  # its imports (socket, pickle…) wait until after the login shows

    from app.services.masking import install_masking

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    root = logging.getLogger()
    if not any(isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == path for h in root.handlers):
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    for h in root.handlers:  # the console too: a record is masked before the first handler writes it
        install_masking(h)
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
