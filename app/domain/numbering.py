"""The numbers a station has used, read from its records: a station restored from an older backup must move its
counters past every number the town has already seen (a case number, a receipt number), never reuse one."""

from __future__ import annotations

from collections.abc import Iterable

from app.domain.cases import parse_case_no
from app.domain.documents import parse_document_no
from app.domain.errors import DomainError

Marks = dict[tuple[str, str], int]  # (counter kind, period) -> the highest number used


def high_water(station_code: str, case_numbers: Iterable[str], document_numbers: Iterable[str]) -> Marks:
    """The highest number of each of the station's counters in these records: ``("case", "20261207")`` for the
    day's cases, ``("doc.receipt", "2026")`` for a year's receipts — the kinds and periods the station's own
    counters use (app.persistence sequences)."""
    marks: Marks = {}
    for text in case_numbers:
        try:
            station, day, seq = parse_case_no(text)
        except DomainError:
            continue
        if station == station_code:
            key = ("case", f"{day:%Y%m%d}")
            marks[key] = max(marks.get(key, 0), seq)
    for text in document_numbers:
        try:
            station, kind, year, seq = parse_document_no(text)
        except DomainError:
            continue
        if station == station_code:
            key = (f"doc.{kind.value}", f"{year}")
            marks[key] = max(marks.get(key, 0), seq)
    return marks
