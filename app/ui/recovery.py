"""A damaged station file at start: the last good backup is offered, and restored (with a safety copy) once a
station head has signed in with an account held in that backup.

The station's opening (app/ui/opening.py) calls :func:`offer_recovery` when the file failed its check
(``db.unreadable``: damaged, empty, missing, or holding no station while a backup is there). The station's
own accounts cannot be read then, so the head signs in as the backup knows them (maintenance.sign_in_from_backup,
failures counted in the data folder). Finding the backup, the sign-in and the restore run on the database thread;
the window keeps painting meanwhile. 不恢复，退出 is the default answer: Enter in a field moves on or tries the
sign-in, and never restores without a valid one. The words come from app/messages, in the counter's language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

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


class RecoveryDialog(QDialog):
    """The question, the station head's account and password (as held in the backup), and two buttons:
    不恢复，退出 (the default; Esc too) and 登录并恢复. ``restore_asked`` carries what was typed; the caller
    answers with :meth:`failed` (the dialog stays, the password cleared) or :meth:`succeeded`."""

    restore_asked = Signal(str, str, str)  # user name, password, station code ("" when known)

    def __init__(self, backup: BackupInfo, lang: str, *, ask_station: str = "",
                 parent: QWidget | None = None) -> None:
        """``ask_station``: the backup's station code when this folder's own is not known (no readable file, no
        station.json): the person then types this station's code."""
        super().__init__(parent)
        self.lang = lang
        self.restored = False
        self._working = False
        self.setObjectName("recovery")
        self.setWindowTitle(tr("村站通"))
        self.setModal(True)
        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        reason = render(f"db.recovery_offer.reason.{backup.reason}", {}, lang)
        self.question = QLabel(render("db.recovery_offer", {"made_at": f"{backup.made_at:%Y-%m-%d %H:%M}",
                                                            "reason": reason}, lang))
        self.question.setObjectName("question")
        self.question.setWordWrap(True)
        self.file = QLabel(backup.path.name)  # the folder is in the log and in `stationdesk-admin backups`
        self.file.setObjectName("hint")
        self.note = QLabel(render("restore.ui_sign_in", {}, lang))
        self.note.setWordWrap(True)
        self.account = QLineEdit()
        self.account.setObjectName("account")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        self._label(form, "restore.ui_account", self.account)
        self._label(form, "restore.ui_password", self.password)
        self.station: QLineEdit | None = None
        if ask_station:
            self.station = QLineEdit()
            self.station.setObjectName("station")
            self.station.setMaxLength(20)
            hint = QLabel(render("restore.ui_station_hint", {"theirs": ask_station}, lang))
            hint.setWordWrap(True)
            form.addRow(hint)
            self._label(form, "restore.ui_station", self.station)
        self.problem = QLabel("")
        self.problem.setObjectName("error")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.restore_button = QPushButton(render("restore.ui_restore", {}, lang))
        self.restore_button.setObjectName("restore")
        self.restore_button.setAutoDefault(False)
        self.quit_button = QPushButton(render("restore.ui_quit", {}, lang))
        self.quit_button.setObjectName("quit")
        self.quit_button.setDefault(True)  # the safe answer
        self.restore_button.clicked.connect(self._ask)
        self.quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.restore_button)
        text = QVBoxLayout()
        text.addWidget(self.question)
        text.addWidget(self.file)
        text.addSpacing(8)
        text.addWidget(self.note)
        text.addLayout(form)
        text.addWidget(self.problem)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, 1)
        layout = self._layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(8)
        layout.addLayout(buttons)
        self.fields = [f for f in (self.account, self.password, self.station) if f is not None]
        for field in self.fields:
            field.installEventFilter(self)
        self.account.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Wide enough that the question reads in a few lines at the text size chosen (the stylesheet's font is
        known only once shown), and tall enough for every wrapped line: a top-level window does not grow for
        its labels' height-for-width by itself, and squeezed them when a problem appeared below."""
        screen = self.screen().availableGeometry()
        widest, highest = screen.width() - 40, screen.height() - 40
        width = min(widest, max(720, self.question.fontMetrics().averageCharWidth() * 56))
        layout = self._layout
        layout.activate()

        def needed(w: int) -> int:
            return max(layout.totalHeightForWidth(w), layout.totalMinimumSize().height())

        while needed(width) > highest and width < widest:  # the largest text on a small screen: wider, not cut
            width = min(widest, width + 80)
        height = min(highest, needed(width))
        self.setMinimumSize(width, height)
        self.resize(width, height)
        owner = self.parentWidget()
        around = owner.frameGeometry() if owner is not None else screen
        frame = self.frameGeometry()
        frame.moveCenter(around.center())
        self.move(max(screen.left(), min(frame.left(), screen.right() - frame.width())),
                  max(screen.top(), min(frame.top(), screen.bottom() - frame.height())))

    def _label(self, form: QFormLayout, code: str, field: QLineEdit) -> None:
        label = QLabel(render(code, {}, self.lang))
        label.setBuddy(field)  # its Alt+letter jumps to the field
        form.addRow(label, field)

    # -- what the person does -----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in a field never reaches the default button (不恢复): it moves to the next empty field, or asks
        for the sign-in when all are filled."""
        if watched in self.fields and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                empty = next((f for f in self.fields if not f.text().strip() and f is not watched), None)
                if not isinstance(watched, QLineEdit) or not watched.text().strip():
                    self._say(render("restore.account_needed" if watched is not self.station
                                     else "restore.ui_station_needed", {}, self.lang))
                elif empty is not None:
                    empty.setFocus()
                else:
                    self._ask()
                return True
        return super().eventFilter(watched, event)

    def _ask(self) -> None:
        user, password = self.account.text().strip(), self.password.text()
        station = self.station.text().strip().upper() if self.station is not None else ""
        if not user or not password:
            self._say(render("restore.account_needed", {}, self.lang))
            (self.account if not user else self.password).setFocus()
            return
        if self.station is not None and not station:
            self._say(render("restore.ui_station_needed", {}, self.lang))
            self.station.setFocus()
            return
        self._busy(True)
        self._say(render("db.recovery_working", {}, self.lang), error=False)
        self.restore_asked.emit(user, password, station)

    # -- the caller's answer ----------------------------------------------------------------------------------
    def failed(self, text: str) -> None:
        """The sign-in or the restore was refused: said in the dialog, the password typed again."""
        self._busy(False)
        self._say(text)
        self.password.clear()
        self.password.setFocus()

    def succeeded(self) -> None:
        self.restored = True
        self.accept()

    def chose_restore(self) -> bool:
        return self.restored

    def reject(self) -> None:
        if not self._working:  # a restore under way finishes first: its answer decides what the dialog says
            super().reject()

    def _busy(self, busy: bool) -> None:
        self._working = busy
        for widget in (*self.fields, self.restore_button, self.quit_button):
            widget.setEnabled(not busy)

    def _say(self, text: str, *, error: bool = True) -> None:
        self.problem.setObjectName("error" if error else "hint")
        self.problem.style().unpolish(self.problem)
        self.problem.style().polish(self.problem)
        self.problem.setText(text)
        self.problem.show()
        self._fit()


def offer_recovery(data_dir: Path, lang: str, *, error: DomainError | None = None, runner: TaskRunner | None = None,
                   parent: QWidget | None = None) -> Recovery:
    """Offers the last good backup of a damaged station. Restored: the caller opens the station again. Not
    restored (declined, no backup, the restore failed): ``message`` says what happened and whom to call."""
    from app.services.backups import last_good_backup
    from app.services.maintenance import file_owner, known_station

    params: dict[str, Any] = {"path": str(data_dir / "station.sqlite3"), "backups": str(data_dir / "backups"),
                              "detail": ""}
    if error is not None:
        params.update({k: v for k, v in error.params.items() if k in params})

    def look() -> tuple[BackupInfo | None, str]:
        backup = last_good_backup(data_dir)
        unknown = "" if backup is None or known_station(data_dir) is not None else file_owner(backup.path).station_code
        return backup, unknown

    try:
        backup, ask_station = _on_database_thread(runner, look)
    except Exception as e:
        log.exception("could not look for a backup")
        return Recovery(False, message_for(e, lang))
    if backup is None:
        return Recovery(False, render("db.recovery_no_backup", params, lang))
    dialog = RecoveryDialog(backup, lang, ask_station=ask_station, parent=parent)

    def attempt(user: str, password: str, station: str) -> None:
        def work() -> Any:
            from app.services.maintenance import restore, sign_in_from_backup

            by = sign_in_from_backup(data_dir, backup.path, username=user, password=password)
            return restore(data_dir, backup.path, by=by, station=station or None, made_at=backup.made_at)

        def done(restored: Any) -> None:
            log.info("restored %s over a damaged station (by %s); the damaged file is kept as %s",
                     restored.source, restored.by.username, restored.safety)
            dialog.succeeded()

        def refused(e: BaseException) -> None:
            if not isinstance(e, DomainError):
                log.error("restoring the last good backup failed", exc_info=e)
            dialog.failed(message_for(e, lang))

        if runner is None:
            try:
                done(work())
            except Exception as e:
                refused(e)
        else:
            runner.submit(work, done, refused)

    dialog.restore_asked.connect(attempt)
    dialog.exec()
    if not dialog.chose_restore():
        log.info("the damaged station was not restored (the person chose to quit)")
        return Recovery(False, render("db.recovery_declined", params, lang))
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
