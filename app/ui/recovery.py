"""A damaged station file at start: the last good backup is offered (恢复 / 退出), restored with a safety copy.

The station's opening (app/ui/opening.py) calls :func:`offer_recovery` when the file failed its check
(``db.unreadable``). Finding the backup and restoring it run on the database thread; the window keeps
painting meanwhile. The words come from app/messages (``db.recovery_*``), in the counter's language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QMessageBox, QWidget

from app.domain.errors import DomainError
from app.messages import render
from app.ui.errors import message_for
from app.ui.i18n import tr

if TYPE_CHECKING:
    from app.services.backups import BackupInfo
    from app.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Recovery:
    restored: bool
    message: str = ""  # when not restored: the sentence to show before the program ends


def is_damage(error: BaseException) -> TypeGuard[DomainError]:
    """Whether an opening failed because the station's file is damaged (and a backup may help)."""
    return isinstance(error, DomainError) and error.code == "db.unreadable"


class RecoveryDialog(QMessageBox):
    """The question, with 恢复 (the default) and 退出 (also Esc)."""

    def __init__(self, backup: BackupInfo, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recovery")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(tr("村站通"))
        self.setText(render("db.recovery_offer", {"made_at": f"{backup.made_at:%Y-%m-%d %H:%M}",
                                                  "reason": backup.reason}, lang))
        # Wide enough that the question reads in three lines, not seven (QMessageBox sizes its text narrowly).
        self.setStyleSheet("QLabel#qt_msgbox_label { min-width: 30em; }")
        self.setInformativeText(backup.path.name)  # the folder is in the log and in `stationdesk-admin backups`
        self.restore_button = self.addButton(render("db.recovery_restore", {}, lang),
                                             QMessageBox.ButtonRole.AcceptRole)
        self.quit_button = self.addButton(render("db.recovery_quit", {}, lang), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.restore_button)
        self.setEscapeButton(self.quit_button)

    def chose_restore(self) -> bool:
        return self.clickedButton() is self.restore_button


def offer_recovery(data_dir: Path, lang: str, *, error: DomainError | None = None, runner: TaskRunner | None = None,
                   parent: QWidget | None = None) -> Recovery:
    """Offers the last good backup of a damaged station. Restored: the caller opens the station again. Not
    restored (declined, no backup, the restore failed): ``message`` says what happened and whom to call."""
    from app.services.backups import last_good_backup, restore_last_good

    params: dict[str, Any] = {"path": str(data_dir / "station.sqlite3"), "backups": str(data_dir / "backups"),
                              "detail": ""}
    if error is not None:
        params.update({k: v for k, v in error.params.items() if k in params})
    try:
        backup = _on_database_thread(runner, lambda: last_good_backup(data_dir))
    except Exception as e:
        log.exception("could not look for a backup")
        return Recovery(False, message_for(e, lang))
    if backup is None:
        return Recovery(False, render("db.recovery_no_backup", params, lang))
    dialog = RecoveryDialog(backup, lang, parent)
    dialog.exec()
    if not dialog.chose_restore():
        log.info("the damaged station was not restored (the person chose to quit)")
        return Recovery(False, render("db.recovery_declined", params, lang))
    try:
        chosen, safety = _on_database_thread(runner, lambda: restore_last_good(data_dir))
    except Exception as e:
        log.exception("restoring the last good backup failed")
        return Recovery(False, message_for(e, lang))
    log.info("restored %s over a damaged station; the damaged file is kept as %s", chosen.path, safety)
    return Recovery(True)


def _on_database_thread(runner: TaskRunner | None, fn: Callable[[], Any]) -> Any:
    """Runs ``fn`` on the database thread and waits for it, the window still painting (inline without one)."""
    if runner is None:
        return fn()
    outcome: dict[str, Any] = {}
    loop = QEventLoop()

    def done(result: Any) -> None:
        outcome["result"] = result
        loop.quit()

    def failed(e: BaseException) -> None:
        outcome["error"] = e
        loop.quit()

    runner.submit(fn, done, failed)
    if not outcome:
        loop.exec()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
