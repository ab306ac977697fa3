"""GB/T 2260 address codes: which six digits may open an ID number, and the place they name.

The list (``resources/areas/gbt2260.tsv``, its source in the README beside it) holds every code in use at
any time since 1980: an ID number keeps the code of the county that issued it, however the county was
renamed, merged or abolished since. It is read once, on first use, into a frozenset (a few milliseconds);
after that a check is one set lookup, cheap enough for the search that runs on every key press.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.paths import resource

__all__ = ["AREA_FILE", "RESIDENCE_PERMIT_CODES", "Area", "area", "area_name", "is_issuing_code", "issuing_codes"]

AREA_FILE = ("areas", "gbt2260.tsv")

# Residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证, since 2018) carry these codes
# in the place of a county; Taiwan's own code (71) never opens a number issued on the mainland.
RESIDENCE_PERMIT_CODES: frozenset[str] = frozenset({"810000", "820000", "830000"})


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    name: str  # the newest name the code had
    first_year: int | None  # None: in use before 1980
    last_year: int | None  # None: still in use


@dataclass(frozen=True, slots=True)
class _Table:
    areas: dict[str, Area]
    issuing: frozenset[str]


def _year(text: str) -> int | None:
    return int(text) if text else None


def read_area_file(path: Path) -> dict[str, Area]:
    """Every code of the file with its newest name and the years it was in use."""
    areas: dict[str, Area] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            code, name, first, last = line.rstrip("\n").split("\t")
            seen = areas.get(code)
            first_year, last_year = _year(first), _year(last)
            if seen is not None:  # a renamed code: one line per name, oldest first
                first_year = None if seen.first_year is None or first_year is None else min(seen.first_year,
                                                                                            first_year)
                last_year = None if seen.last_year is None or last_year is None else max(seen.last_year, last_year)
            areas[code] = Area(code, name, first_year, last_year)
    return areas


# Names the list gives a level that is no place of its own (a city's districts, a province's direct counties).
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政单位", "省直辖行政单位", "自治区直辖县级行政单位"})


@cache
def _table() -> _Table:
    areas = read_area_file(resource(*AREA_FILE))
    # A county-level code, or a prefecture's (some cities have no counties: 东莞 441900, 中山 442000; and
    # the 市辖区 codes xxxx01 / xxxx00 were written on early cards). A province's own code opens no ID number,
    # except the three residence-permit codes.
    issuing = frozenset(c for c in areas if not c.endswith("0000")) | RESIDENCE_PERMIT_CODES
    return _Table(areas, issuing)


def is_issuing_code(code: str) -> bool:
    """Whether ``code`` (six digits) may open an ID number: a county-level code in use at any time since 1980,
    or a residence permit's 810000 / 820000 / 830000."""
    return code in _table().issuing


def issuing_codes() -> tuple[str, ...]:
    """Every code an ID number may open with, sorted (for generators of test and demo numbers)."""
    return tuple(sorted(_table().issuing))


def area(code: str) -> Area | None:
    return _table().areas.get(code)


def area_name(code: str) -> str:
    """``浙江省杭州市淳安县`` for 330127: the province, the prefecture and the county by their newest names
    ("" for a code not in the list). 市辖区 / 县 placeholders are left out."""
    areas = _table().areas
    if code not in areas:
        return ""
    parts: list[str] = []
    for key in dict.fromkeys((code[:2] + "0000", code[:4] + "00", code)):
        found = areas.get(key)
        if found is not None and found.name not in _PLACEHOLDERS:
            parts.append(found.name)
    return "".join(parts)
