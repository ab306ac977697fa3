"""What a second-generation ID card reader (二代证读卡器) gives: the card's printed fields, read by the chip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.identity import mask_id


@dataclass(frozen=True, slots=True)
class IdCard:
    name: str
    gender: str  # 男 / 女, as printed
    ethnicity: str
    birth_date: date
    address: str
    id_number: str
    issued_by: str = ""
    valid_from: date | None = None
    valid_to: date | None = None  # None: 长期

    def __repr__(self) -> str:  # a card's number never lands in a log through a repr
        return f"IdCard({self.name!r}, {mask_id(self.id_number)})"
