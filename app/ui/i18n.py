"""The counter's words in the chosen language.

The source text is Chinese: a widget writes ``tr("找人")`` and reads it in its own language. English comes
from ``resources/translations/en.json`` (Chinese text → English text), loaded once when English is chosen.
A phrase with values keeps its ``{name}`` fields in both languages: ``tr("共 {n} 人").format(n=3)``.
``tests/ui/test_i18n.py`` checks that every Chinese literal in ``app/ui`` goes through :func:`tr` and has an
English entry, so a new label cannot slip into the English counter untranslated.

Catalogue data (item names, materials) and residents' names stay as they are: they are the town's data.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Protocol

from app.paths import resource

LANGS = ("zh", "en")
ENDONYMS = {"zh": "中文", "en": "English"}  # each language named in itself, so anyone finds theirs


class Labelled(Protocol):
    @property
    def label_zh(self) -> str: ...
    @property
    def label_en(self) -> str: ...


_current = "zh"


def use_language(lang: str) -> None:
    """Chooses the language for every label made from now on (the window is built after this)."""
    global _current
    _current = lang if lang in LANGS else "zh"


def language() -> str:
    return _current


@cache
def english() -> dict[str, str | dict[str, str]]:
    """Chinese → English; a phrase counting something has its English forms by number:
    ``{"one": "1 field needs correcting", "other": "{n} fields need correcting"}``."""
    with resource("translations", "en.json").open(encoding="utf-8") as f:
        table: dict[str, str | dict[str, str]] = json.load(f)
    return table


def N_(text: str) -> str:
    """Marks a phrase kept in a constant for translation; :func:`tr` turns it into words when it is shown."""
    return text


def label(value: Labelled) -> str:
    """A domain value's own label (a case state, a rating level, a gender) in the current language."""
    return value.label_en if _current == "en" else value.label_zh


def tr(text: str) -> str:
    """``text`` (Chinese) in the current language; a phrase with no translation stays Chinese."""
    if _current == "zh":
        return text
    found = english().get(text, text)
    return found if isinstance(found, str) else found["other"]


def trn(text: str, n: int) -> str:
    """A phrase that counts ``n`` things (its ``{n}`` still to be filled): Chinese has one form; English
    says "1 field" and "2 fields"."""
    if _current == "zh":
        return text
    found = english().get(text, text)
    return found if isinstance(found, str) else found["one" if n == 1 else "other"]
