"""A measured figure: a value beside its goal, or why it is pending."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Figure:
    name: str
    value: float | None
    goal: str  # e.g. "<= 1.3"
    unit: str = "x"
    met: bool | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    pending: str | None = None

    @classmethod
    def ratio(cls, name: str, numerator: float, denominator: float, limit: float, **detail: Any) -> Figure:
        value = numerator / denominator
        return cls(name, round(value, 3), f"<= {limit}", met=value <= limit, detail=detail)

    @classmethod
    def waiting(cls, name: str, goal: str, reason: str) -> Figure:
        return cls(name, None, goal, pending=reason)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def median(values: list[float]) -> float:
    return statistics.median(values)


def iqr(values: list[float]) -> float:
    """Interquartile range (the spread of the middle half; quartiles by linear interpolation)."""
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q3 - q1


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]
