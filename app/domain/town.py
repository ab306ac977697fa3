"""The town, its villages and this station: every station serves residents of every village."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.domain.errors import DomainError

_CODE = re.compile(r"^[0-9A-Za-z]{2,20}$")


def check_code(kind: str, code: str) -> str:
    """Codes are short ASCII letters/digits, used in case numbers and file names."""
    code = code.strip()
    if not _CODE.match(code):
        raise DomainError("town.bad_code", kind=kind, code=code)
    return code


def check_name(kind: str, name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 40:
        raise DomainError("town.bad_name", kind=kind, name=name)
    return name


@dataclass(frozen=True, slots=True)
class Village:
    code: str
    name: str
    town_code: str


@dataclass(frozen=True, slots=True)
class Town:
    code: str
    name: str
    villages: tuple[Village, ...]

    def village(self, code_or_name: str) -> Village:
        """Find a village by code or by name (rosters write names, sometimes without 村)."""
        key = code_or_name.strip()
        for v in self.villages:
            if key in (v.code, v.name):
                return v
        for v in self.villages:
            if key and (v.name == key + "村" or v.name.removesuffix("村") == key.removesuffix("村")):
                return v
        raise DomainError("town.unknown_village", village=key if len(key) <= 40 else key[:40] + "…",
                          known="、".join(v.name for v in self.villages))


@dataclass(frozen=True, slots=True)
class Station:
    code: str
    name: str
    town_code: str
    village_code: str
    phone: str
    supervision_phone: str
