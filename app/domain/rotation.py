"""Which automatic backups to keep: the newest of each of the last 14 days and of the last 12 months.

"Last" counts days (and months) that have a backup, not calendar days: a station closed for the Spring
Festival comes back to its last 14 working days' copies, not to none. Only automatic backups are rotated;
a backup someone made by hand and the safety copies made before an upgrade or a restore are never planned
here, so they are never deleted automatically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

DAYS = 14
MONTHS = 12


@dataclass(frozen=True, slots=True)
class Rotation:
    daily: frozenset[str]  # the newest backup of each of the last ``days`` days that have one
    monthly: frozenset[str]  # the newest of each of the last ``months`` months that have one
    delete: frozenset[str]  # everything else

    def kind(self, name: str) -> str | None:
        """"daily" or "monthly" for a backup kept (daily wins when it is both), None for one to delete."""
        if name in self.daily:
            return "daily"
        if name in self.monthly:
            return "monthly"
        return None


def plan_rotation(backups: Iterable[tuple[str, datetime]], *, days: int = DAYS, months: int = MONTHS) -> Rotation:
    """Plans the rotation of automatic backups, each given by a unique name and the moment it was made.
    Two made in the same second are told apart by their names, so the plan never depends on input order."""
    if days < 1 or months < 1:
        raise ValueError("keep at least one daily and one monthly backup")
    newest_first = sorted(backups, key=lambda b: (b[1], b[0]), reverse=True)
    daily = _newest_per_period(newest_first, lambda at: (at.year, at.month, at.day), days)
    monthly = _newest_per_period(newest_first, lambda at: (at.year, at.month), months)
    every = {name for name, _ in newest_first}
    return Rotation(daily=frozenset(daily), monthly=frozenset(monthly), delete=frozenset(every - daily - monthly))


def _newest_per_period(newest_first: list[tuple[str, datetime]], period: Callable[[datetime], tuple[int, ...]],
                       limit: int) -> set[str]:
    # Newest first, so the periods come newest first too: the first name seen in a period is its newest.
    kept: dict[tuple[int, ...], str] = {}
    for name, at in newest_first:
        key = period(at)
        if key not in kept:
            if len(kept) == limit:
                break
            kept[key] = name
    return set(kept.values())
