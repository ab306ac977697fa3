"""A figure is one measured value beside its limit, from the same run."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    value: float
    unit: str
    limit: float | None = None  # None: reported beside the others, no limit set
    detail: str = ""
    op: str = "≤"  # "≤": value at most limit; "≥": at least (a throughput); "=": exactly (a setting checked)

    @property
    def ratio(self) -> float | None:
        """How much of the limit is used, so that at most 1 passes either way: value / limit for "≤",
        limit / value for "≥" (none for a limit of zero, e.g. "no unindexed query", or for "=")."""
        if not self.limit or self.op == "=":
            return None
        if self.op == "≥":
            return self.limit / self.value if self.value else float("inf")
        return self.value / self.limit

    @property
    def result(self) -> str:
        if self.limit is None:
            return "info"
        ok = (self.value <= self.limit if self.op == "≤" else self.value >= self.limit if self.op == "≥"
              else self.value == self.limit)
        return "pass" if ok else "MISS"

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio, "result": self.result}


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), linear between closest ranks (as numpy's default)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1] if q < 100 else ordered[-1]


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return f"{text} {unit}".rstrip()


def table(figures: Sequence[Figure]) -> str:
    rows = [("figure", "value", "limit", "ratio", "result")]
    for f in figures:
        ratio = "—" if f.ratio is None else f"{f.ratio:.2f}"
        rows.append((f.name, _fmt(f.value, f.unit), "—" if f.limit is None else f"{f.op} {_fmt(f.limit, f.unit)}",
                     ratio, f.result))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths,
                                                                                                     strict=True))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
