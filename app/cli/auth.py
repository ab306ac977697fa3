"""Who runs an admin command: a staff account, with the password from the environment or a prompt."""

from __future__ import annotations

import getpass
import os
import sys

from app.domain.errors import DomainError
from app.domain.staff import Actor
from app.services.context import ServiceContext
from app.services.staff import authenticate

PASSWORD_ENV = "STATIONDESK_PASSWORD"
USER_ENV = "STATIONDESK_USER"


def read_secret(prompt: str, env: str) -> str:
    """A password from ``env`` (for scripts) or typed at a prompt; never from the command line."""
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise DomainError("cli.password_needed", env=env)
    return getpass.getpass(prompt)


def login(ctx: ServiceContext, username: str | None) -> Actor:
    user = username or os.environ.get(USER_ENV, "")
    if not user:
        raise DomainError("cli.user_needed", env=USER_ENV)
    return authenticate(ctx, username=user, password=read_secret(f"{user} 的密码 / password: ", PASSWORD_ENV))
