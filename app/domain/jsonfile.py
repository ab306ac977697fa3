"""Reading the program's JSON data files (the catalogue, the points rules): every problem found at once, each
named by its place in the file (``items[3].copies``), so whoever edits the file can fix them all in one go."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import Any

from app.domain.errors import DomainError


def join_path(path: str, key: str | int) -> str:
    """``items[3]`` + ``copies`` → ``items[3].copies``; ``items`` + 3 → ``items[3]``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def spec_problem(problems: dict[str, DomainError], path: str, code: str, /, **params: Any) -> None:
    """Record a problem of a data file; ``label`` is the path, which is what staff can find in the file."""
    problems.setdefault(path, DomainError(code, path=path, label=path, **params))


def show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Reader:
    """Reads one JSON object at ``path``, adding each problem to the shared ``problems`` instead of stopping."""

    def __init__(self, data: Mapping[str, Any], path: str, problems: dict[str, DomainError],
                 allowed: Collection[str], *, family: str = "catalog") -> None:
        self.data = data
        self.path = path
        self.problems = problems
        self.family = family  # the message codes' prefix: catalog.missing_key, points_rules.missing_key …
        for extra in sorted(set(data) - set(allowed)):
            self.problem(extra, f"{family}.unknown_key", key=extra)

    def problem(self, name: str, code: str, /, **params: Any) -> None:
        params.setdefault("key", name)
        spec_problem(self.problems, join_path(self.path, name), code, **params)

    def bad(self, key: str, value: object) -> None:
        self.problem(key, f"{self.family}.bad_value", value=show(value))

    def text(self, key: str, *, required: bool = True) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(key, f"{self.family}.missing_key")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.bad(key, value)
            return ""
        return value.strip()

    def integer(self, key: str, *, default: int | None = None, minimum: int = 0) -> int:
        value = self.data.get(key)
        if value is None:
            if default is None:
                self.problem(key, f"{self.family}.missing_key")
            return default or 0
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.bad(key, value)
            return minimum
        return value

    def boolean(self, key: str, *, default: bool | None = None) -> bool:
        value = self.data.get(key)
        if value is None:
            if default is None:
                self.problem(key, f"{self.family}.missing_key")
            return bool(default)
        if not isinstance(value, bool):
            self.bad(key, value)
            return False
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.bad(key, value)
            return ()
        return tuple(v.strip() for v in value)

    def objects(self, key: str) -> list[tuple[str, Mapping[str, Any]]]:
        """The objects of a list, each with its path; anything that is not an object is a problem."""
        value = self.data.get(key, [])
        if not isinstance(value, list):
            self.bad(key, value)
            return []
        out: list[tuple[str, Mapping[str, Any]]] = []
        for i, entry in enumerate(value):
            where = join_path(join_path(self.path, key), i)
            if isinstance(entry, Mapping):
                out.append((where, entry))
            else:
                spec_problem(self.problems, where, f"{self.family}.bad_value", key=key, value=show(entry))
        return out


def read_enum(reader: Reader, key: str, enum: type[StrEnum], code: str = "") -> Any:
    text = reader.text(key)
    if not text:
        return None
    try:
        return enum(text)
    except ValueError:
        reader.problem(key, code or f"{reader.family}.bad_option", value=text, allowed="、".join(e.value for e in enum))
        return None
