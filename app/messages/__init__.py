"""The one catalogue of words a person reads: error codes to Chinese and English text.

Domain code raises ``DomainError(code, **params)``; the edges (ui, cli, server) call
:func:`describe` to turn it into a sentence that says what went wrong and what to do.
Entries live in one module per area and are merged here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.errors import DomainError, ValidationFailed
from app.messages import (
    calendar,
    catalog,
    core,
    identity,
    keys,
    money,
    points,
    printing,
    restore,
    rosters,
    support,
    sync,
    town,
    trust,
    ui,
)

Texts = tuple[str, str]  # (zh, en) templates, formatted with str.format(**params)

_AREAS: tuple[Mapping[str, Texts], ...] = (core.MESSAGES, identity.MESSAGES, catalog.MESSAGES, ui.MESSAGES,
                                           printing.MESSAGES, points.MESSAGES, money.MESSAGES,
                                           sync.MESSAGES, town.MESSAGES, support.MESSAGES,
                                           rosters.MESSAGES, restore.MESSAGES, keys.MESSAGES, trust.MESSAGES,
                                           calendar.MESSAGES)


def _merge() -> dict[str, Texts]:
    merged: dict[str, Texts] = {}
    for area in _AREAS:
        for code, texts in area.items():
            if code in merged:
                raise RuntimeError(f"message code defined twice: {code}")
            merged[code] = texts
    return merged


MESSAGES: dict[str, Texts] = _merge()
LANGS = ("zh", "en")


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(code: str, params: Mapping[str, Any] | None = None, lang: str = "zh") -> str:
    """The sentence for ``code``; an unknown code still gives a readable line, never a traceback."""
    texts = MESSAGES.get(code)
    idx = 1 if lang == "en" else 0
    if texts is None:
        fallback = ("操作未能完成（代码 {code}）。请把这个代码告诉技术人员。",
                    "The action could not be completed (code {code}). Tell your technician this code.")
        return fallback[idx].format(code=code)
    words = dict(params or {})
    for key, value in words.items():
        # A parameter that is itself a code (e.g. a calendar problem's reason) reads as words too.
        spelled = (MESSAGES.get(f"{code}.{key}.{value}") or MESSAGES.get(f"words.{key}.{value}")
                   if isinstance(value, str) else None)
        if spelled:
            words[key] = spelled[idx]
    return texts[idx].format_map(_SafeDict(words))


def describe(error: DomainError, lang: str = "zh") -> str:
    """A full message for a domain error, including every field problem of a form."""
    head = render(error.code, error.params, lang)
    if isinstance(error, ValidationFailed):
        lines = [head]
        for key, problem in error.problems.items():
            label = problem.params.get("label", key)
            lines.append(f"  · {label}：{render(problem.code, problem.params, lang)}" if lang != "en"
                         else f"  · {label}: {render(problem.code, problem.params, lang)}")
        return "\n".join(lines)
    return head
