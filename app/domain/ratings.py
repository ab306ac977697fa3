"""好差评: the resident rates the service, once per case, on the national five-level scale.

A bad rating (不满意 / 非常不满意) opens a follow-up (整改回访) that must be closed within a number of
working days (5 by default; regions use 5 or 15).
"""

from __future__ import annotations

from enum import IntEnum

FOLLOW_UP_WORKING_DAYS = 5


class RatingLevel(IntEnum):
    VERY_SATISFIED = 5
    SATISFIED = 4
    BASICALLY_SATISFIED = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1

    @property
    def label_zh(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]

    @property
    def is_bad(self) -> bool:
        """差评: 不满意 or 非常不满意."""
        return self <= RatingLevel.DISSATISFIED


_LABELS = {
    RatingLevel.VERY_SATISFIED: ("非常满意", "Very satisfied"),
    RatingLevel.SATISFIED: ("满意", "Satisfied"),
    RatingLevel.BASICALLY_SATISFIED: ("基本满意", "Basically satisfied"),
    RatingLevel.DISSATISFIED: ("不满意", "Dissatisfied"),
    RatingLevel.VERY_DISSATISFIED: ("非常不满意", "Very dissatisfied"),
}
