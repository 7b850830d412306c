"""The monthly budget as a cap (pure: no AWS call): what a start is expected to cost, and whether it fits.

A project's month holds `actual` (what ended runs, sessions and dev endpoints cost, at the policy's
standard or FLEX price) and `committed` (the expected cost of runs admitted and still going). A start
whose expected cost would take `actual + committed` past `budget x (1 + tolerance)` does not start:
- **refused** when it would not fit even if every running job stopped costing now (`actual + expected`
  is past the limit): nothing this month will make room;
- **deferred** otherwise: running work may end under its estimate and free the room.
A run's expected cost is the median cost of the job's recent runs when known, never more than its
bound: capacity x Timeout at its price (what the run can cost at most before Glue times it out).

Months are calendar months (UTC). Work that spans a month's end is charged to each month for the part of it
incurred there (`month_seconds`, `split_by_month`), so no month's limit is escaped by starting work in the
month before. The hard limit acts ahead of time (`at_limit`): running work is stopped once what the month has
cost, plus what running work has cost in it so far, plus what it would cost over the policy's
`budget_lookahead_minutes` (the schedule's period and the time a stop takes), reaches the limit.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from glueguard.dpu import cost_usd, dpu_hours
from glueguard.policy.settings import MAX_GLUE_TIMEOUT_MINUTES, Policy

EPSILON = 1e-6


class Action(StrEnum):
    ADMIT = "admit"
    DEFER = "defer"
    REFUSE = "refuse"


def month_of(when: datetime) -> str:
    """The budget month of a moment: `YYYY-MM` (UTC)."""
    return f"{when:%Y-%m}"


def next_month(when: datetime) -> datetime:
    """The first instant (UTC) of the calendar month after `when`'s."""
    when = when.astimezone(UTC)
    year, month = (when.year + 1, 1) if when.month == 12 else (when.year, when.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def month_seconds(start: datetime, end: datetime) -> dict[str, float]:
    """The seconds of [start, end) in each calendar month (UTC), oldest first; {} when end <= start."""
    parts: dict[str, float] = {}
    cursor, end = start.astimezone(UTC), end.astimezone(UTC)
    while cursor < end:
        boundary = min(next_month(cursor), end)
        parts[month_of(cursor)] = (boundary - cursor).total_seconds()
        cursor = boundary
    return parts


def split_by_month(start: datetime, end: datetime, amount: float) -> dict[str, float]:
    """`amount`, incurred evenly from `start` to `end`, as each calendar month's (UTC) part: rounded to 4 places,
    summing to `amount` (rounded); all of it to `start`'s month when `end` is not after `start`."""
    seconds = month_seconds(start, end)
    total = sum(seconds.values())
    if not total:
        return {month_of(start.astimezone(UTC)): round(amount, 4)}
    months = list(seconds)
    parts = {m: round(amount * seconds[m] / total, 4) for m in months[:-1]}
    parts[months[-1]] = round(amount - sum(parts.values()), 4)
    return parts


def price(policy: Policy, execution_class: str | None) -> float:
    return policy.flex_price_per_dpu_hour if execution_class == "FLEX" else policy.price_per_dpu_hour


def limit_usd(budget_usd: float, policy: Policy) -> float:
    """The hard limit: the budget plus the policy's tolerance."""
    return round(budget_usd * (1.0 + policy.budget_tolerance), 4)


@dataclass(frozen=True)
class Expected:
    cost_usd: float
    bound_usd: float
    basis: str  # "timeout" | "median of N runs"


def expected_cost(
    dpu: float,
    timeout_minutes: int | None,
    execution_class: str | None,
    policy: Policy,
    recent_costs: Sequence[float] = (),
) -> Expected:
    """A start's expected cost: the job's recent median when known, bounded by capacity x Timeout."""
    minutes = timeout_minutes or MAX_GLUE_TIMEOUT_MINUTES
    bound = cost_usd(dpu_hours(dpu, minutes * 60.0), price(policy, execution_class))
    if recent_costs:
        median = round(statistics.median(recent_costs), 4)
        return Expected(min(median, bound), bound, f"median of {len(recent_costs)} runs")
    return Expected(bound, bound, "timeout")


@dataclass(frozen=True)
class Verdict:
    action: Action
    reason: str
    actual_usd: float
    committed_usd: float
    expected_usd: float
    budget_usd: float
    limit_usd: float

    @property
    def admitted(self) -> bool:
        return self.action is Action.ADMIT

    def figures(self) -> dict[str, float]:
        return {
            "month_actual_usd": round(self.actual_usd, 4),
            "month_committed_usd": round(self.committed_usd, 4),
            "expected_cost_usd": round(self.expected_usd, 4),
            "budget_usd": self.budget_usd,
            "budget_limit_usd": self.limit_usd,
        }


def judge(actual: float, committed: float, expected: float, budget: float, policy: Policy) -> Verdict:
    """Admit, defer or refuse a start of `expected` cost in a month at `actual` + `committed`."""
    limit = limit_usd(budget, policy)
    figures = (actual, committed, expected, budget, limit)
    if actual + committed + expected <= limit + EPSILON:
        return Verdict(Action.ADMIT, f"${actual + committed + expected:,.2f} of the ${limit:,.2f} limit", *figures)
    if actual + expected > limit + EPSILON:
        reason = (
            f"the month has cost ${actual:,.2f}; this start (expected ${expected:,.2f}) would pass the budget "
            f"of ${budget:,.2f} + {policy.budget_tolerance:.0%} (${limit:,.2f}): refused for this month"
        )
        return Verdict(Action.REFUSE, reason, *figures)
    reason = (
        f"the month has cost ${actual:,.2f} and running work is expected to cost ${committed:,.2f} more; this start "
        f"(expected ${expected:,.2f}) would pass the ${limit:,.2f} limit now: deferred until running work ends"
    )
    return Verdict(Action.DEFER, reason, *figures)


def at_limit(spent: float, running: float, ahead: float, limit: float) -> bool:
    """Whether running work must stop now: the month's spend, what running work has cost in it so far, and what
    it would cost over the lookahead would reach the limit."""
    return spent + running + ahead >= limit - EPSILON


def warnings_due(exposure: float, budget: float, shares: Sequence[float], warned: Collection[str]) -> list[float]:
    """The warning shares of the budget that `exposure` (spend plus running work) has reached and the month has
    not been warned of yet (`warned`: the shares already warned, as `f"{share:g}"`)."""
    return [s for s in shares if s * budget <= exposure + EPSILON and f"{s:g}" not in warned]


def warnings_crossed(before: float, after: float, budget: float, shares: Sequence[float]) -> list[float]:
    """The warning shares of the budget (e.g. 0.8, 1.0) that spend crossed going from `before` to `after`."""
    return [s for s in shares if before + EPSILON < s * budget <= after + EPSILON]
