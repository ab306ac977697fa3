"""Turning any failure into the plain sentence a person reads; unexpected ones are logged, not shown."""

from __future__ import annotations

import logging

from app.domain.errors import DomainError
from app.messages import describe, render

log = logging.getLogger(__name__)


def message_for(error: BaseException, lang: str = "zh") -> str:
    if isinstance(error, DomainError):
        return describe(error, lang)
    log.error("unexpected error", exc_info=error)
    return render("ui.internal_error", {}, lang)
