"""Logging in: checks the password on the database thread and says who is at the counter."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.domain.errors import DomainError
from app.domain.staff import Actor
from app.messages import render
from app.ui.errors import message_for
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.services.context import ServiceContext

log = logging.getLogger("app.ui.login")


class LoginViewModel(QObject):
    logged_in = Signal(object)  # Actor
    login_failed = Signal(str)  # the sentence to show
    busy_changed = Signal(bool)

    def __init__(self, ctx: ServiceContext | Callable[[], ServiceContext], runner: TaskRunner,
                 lang: str = "zh") -> None:
        """``ctx`` may be a function giving the context on the database thread: at start-up the login page
        is up before the station is open, and a login waits in the queue behind the opening."""
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

        def check() -> Actor:
            from app.services.staff import authenticate  # the database layer loads on this thread

            return authenticate(ctx() if callable(ctx) else ctx, username=username, password=password)

        self._runner.submit(check, self._on_done, lambda error: self._on_error(error, username))

    def _on_done(self, actor: Actor) -> None:
        self.busy_changed.emit(False)
        self.logged_in.emit(actor)

    def _on_error(self, error: BaseException, username: str = "") -> None:
        self.busy_changed.emit(False)
        _log_failure(username, error)
        self.login_failed.emit(message_for(error, self._lang))


def _log_failure(username: str, error: BaseException) -> None:
    """A failed login in the counter's log for support: who tried and why (wrong password with the tries
    left, locked until, another station's account), never the password."""
    who = username.strip()[:32]
    if isinstance(error, DomainError):
        details = " ".join(f"{k}={v}" for k, v in sorted(error.params.items()))
        log.warning("login failed: user %r: %s%s (%s)", who, error.code, f" {details}" if details else "",
                    render(error.code, error.params, "en"))
    else:  # the database could not be read, say: message_for has logged the traceback
        log.warning("login failed: user %r: %s", who, type(error).__name__)
