"""Test helpers that are plain functions, not fixtures: valid resident ID numbers made to order."""

from __future__ import annotations

from datetime import date

from app.domain.areas import RESIDENCE_PERMIT_CODES, issuing_codes
from app.domain.identity import id_check_char

# Every county-level code an ID number may open with (GB/T 2260 since 1980, resources/areas/): generators of
# numbers draw from these, so that what they make is a number some county could have issued.
COUNTY_CODES: tuple[str, ...] = tuple(c for c in issuing_codes() if c not in RESIDENCE_PERMIT_CODES)


def make_id(birth: date, male: bool, county: str = "330127", seq: int | None = None) -> str:
    """A valid 18-digit resident ID number. ``seq`` (0–499) picks the sequence; its parity follows ``male``."""
    n = 0 if seq is None else seq
    sequence = n * 2 + (1 if male else 0)
    if not 0 <= sequence <= 999:
        raise ValueError(f"seq out of range: {seq}")
    body = f"{county}{birth:%Y%m%d}{sequence:03d}"
    return body + id_check_char(body)


def make_legacy_id(birth: date, male: bool, county: str = "330127", seq: int = 0) -> str:
    """A 15-digit first-generation ID number (born in the 1900s; no check character)."""
    if not 1900 <= birth.year <= 1999:
        raise ValueError("15-digit numbers were issued only to people born in the 1900s")
    sequence = seq * 2 + (1 if male else 0)
    return f"{county}{birth:%y%m%d}{sequence:03d}"
