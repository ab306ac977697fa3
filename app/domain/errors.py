"""Domain errors carry a stable code and parameters; the words a person reads live in app.messages."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule was broken. ``code`` is stable (e.g. ``id.bad_check_char``); ``params`` fill the message."""

    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.params!r})"

    def __str__(self) -> str:
        if not self.params:
            return self.code
        inner = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.code} ({inner})"


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to this station)."""


class PermissionDenied(DomainError):
    """The acting staff member lacks the permission for this action."""


class Conflict(DomainError):
    """The action conflicts with the current state (wrong case state, duplicate, stale)."""


class ValidationFailed(DomainError):
    """Several problems at once (a whole form, a catalogue file): ``problems`` maps a field key or a
    path such as ``items[3].materials[0].copies`` to the DomainError found there. A problem's
    ``label`` parameter, when set, is what a person reads instead of the key."""

    def __init__(self, problems: dict[str, DomainError], *, code: str = "form.invalid", **params: Any) -> None:
        super().__init__(code, count=len(problems), **params)
        self.problems = problems
