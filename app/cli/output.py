"""How the CLI speaks: Chinese (or English) lines for people, JSON for scripts, and errors without tracebacks."""

from __future__ import annotations

import dataclasses
import json
import sys
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any


class Out:
    """Where results go. ``json_mode`` prints one JSON document per command on stdout."""

    def __init__(self, *, json_mode: bool, lang: str) -> None:
        self.json_mode = json_mode
        self.lang = lang

    def t(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh

    def line(self, text: str = "") -> None:
        if not self.json_mode:
            print(text)

    def data(self, value: Any) -> None:
        if self.json_mode:
            print(json.dumps(to_plain(value), ensure_ascii=False, indent=2))

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if self.json_mode:
            return
        cells = [[str(h) for h in headers]] + [[_text(c) for c in r] for r in rows]
        widths = [max(display_width(r[i]) for r in cells) for i in range(len(headers))]
        for n, row in enumerate(cells):
            print("  ".join(pad(c, widths[i]) for i, c in enumerate(row)).rstrip())
            if n == 0:
                print("  ".join("-" * w for w in widths))

    def error(self, text: str) -> None:
        if self.json_mode:
            print(json.dumps({"error": text}, ensure_ascii=False), file=sys.stdout)
        print(text, file=sys.stderr)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def to_plain(value: Any) -> Any:
    """Frozen views to JSON-ready values (dates as ISO text, enums as their value)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_plain(v) for v in value]
    return value
