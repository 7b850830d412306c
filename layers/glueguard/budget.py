"""The monthly budget as a cap (pure: no AWS call): what a start is expected to cost, and whether it fits.

A project's month holds `actual` (what ended runs, sessions and dev endpoints cost, at the policy's
standard or FLEX price) and `committed` (the expected cost of runs admitted and still going). A start
whose expected cost would take `actual + committed` past `budget x (1 + tolerance)` does not start:
- **refused** when it would not fit even if every running job stopped costing now (`actual + expected`
  is past the limit): nothing this month will make room;
- **deferred** otherwise: running work may end under its estimate and free the room.
A run's expected cost is the median cost of the job's recent runs when known, never more than its
bound: capacity x Timeout at its price (what the run can cost at most before Glue times it out).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from glueguard.dpu import cost_usd, dpu_hours
from glueguard.policy import MAX_GLUE_TIMEOUT_MINUTES, Policy

EPSILON = 1e-6


class Action(StrEnum):
    ADMIT = "admit"
    DEFER = "defer"
    REFUSE = "refuse"


def month_of(when: datetime) -> str:
    """The budget month of a moment: `YYYY-MM` (UTC)."""
    return f"{when:%Y-%m}"


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


def warnings_crossed(before: float, after: float, budget: float, shares: Sequence[float]) -> list[float]:
    """The warning shares of the budget (e.g. 0.8, 1.0) that spend crossed going from `before` to `after`."""
    return [s for s in shares if before + EPSILON < s * budget <= after + EPSILON]
