"""Logging in: checks the password on the database thread and says who is at the counter."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.domain.staff import Actor
from app.messages import render
from app.services.context import ServiceContext
from app.services.staff import authenticate
from app.ui.errors import message_for
from app.ui.tasks import TaskRunner


class LoginViewModel(QObject):
    logged_in = Signal(object)  # Actor
    login_failed = Signal(str)  # the sentence to show
    busy_changed = Signal(bool)

    def __init__(self, ctx: ServiceContext, runner: TaskRunner, lang: str = "zh") -> None:
        super().__init__()
        self._ctx = ctx
        self._runner = runner
        self._lang = lang

    def log_in(self, username: str, password: str) -> None:
        if not username.strip() or not password:
            self.login_failed.emit(render("ui.login_empty", {}, self._lang))
            return
        self.busy_changed.emit(True)
        ctx = self._ctx
        self._runner.submit(lambda: authenticate(ctx, username=username, password=password),
                            self._on_done, self._on_error)

    def _on_done(self, actor: Actor) -> None:
        self.busy_changed.emit(False)
        self.logged_in.emit(actor)

    def _on_error(self, error: BaseException) -> None:
        self.busy_changed.emit(False)
        self.login_failed.emit(message_for(error, self._lang))
