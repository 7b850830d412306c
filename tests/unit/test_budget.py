"""The budget arithmetic: expected cost, the admit / defer / refuse verdict, warning thresholds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from glueguard.budget import Action, expected_cost, judge, limit_usd, month_of, warnings_crossed
from glueguard.policy import MAX_GLUE_TIMEOUT_MINUTES, Policy

POLICY = Policy()


def test_expected_cost_is_the_timeout_bound_without_history():
    expected = expected_cost(10, 60, "STANDARD", POLICY)
    assert (expected.cost_usd, expected.bound_usd, expected.basis) == (4.4, 4.4, "timeout")
    assert expected_cost(10, 60, "FLEX", POLICY).cost_usd == 2.9  # FLEX price
    assert expected_cost(1, None, None, POLICY).cost_usd == round(MAX_GLUE_TIMEOUT_MINUTES / 60 * 0.44, 4)


def test_expected_cost_is_the_recent_median_never_above_the_bound():
    assert expected_cost(10, 60, None, POLICY, [1.0, 3.0, 2.0]).cost_usd == 2.0
    assert expected_cost(10, 60, None, POLICY, [1.0, 3.0]).basis == "median of 2 runs"
    assert expected_cost(10, 60, None, POLICY, [9.0, 9.0]).cost_usd == 4.4  # no run costs more than its Timeout allows


@pytest.mark.parametrize(
    ("actual", "committed", "expected", "action"),
    [
        (40.0, 8.0, 4.5, Action.ADMIT),  # exactly 52.50
        (40.0, 8.0, 4.51, Action.DEFER),  # fits once running work ends under its estimate
        (48.0, 0.0, 4.51, Action.REFUSE),  # nothing this month makes room
        (52.5, 0.0, 0.01, Action.REFUSE),
    ],
)
def test_verdict_against_budget_plus_tolerance(actual, committed, expected, action):
    verdict = judge(actual, committed, expected, 50.0, POLICY)
    assert verdict.action is action and verdict.limit_usd == 52.5


def test_tolerance_is_a_policy_setting():
    strict = Policy(budget_tolerance=0)
    assert limit_usd(50, strict) == 50 and judge(49.0, 0, 1.01, 50, strict).action is Action.REFUSE
    with pytest.raises(ValueError):
        Policy(budget_tolerance=-0.1)


def test_each_warning_threshold_is_crossed_once():
    assert warnings_crossed(39.0, 41.0, 50, (0.8, 1.0)) == [0.8]
    assert warnings_crossed(39.0, 51.0, 50, (0.8, 1.0)) == [0.8, 1.0]
    assert warnings_crossed(40.0, 45.0, 50, (0.8, 1.0)) == []  # 80% was reached before
    assert warnings_crossed(49.0, 50.0, 50, (0.8, 1.0)) == [1.0]


def test_month_is_utc():
    assert month_of(datetime(2026, 11, 30, 23, 59, tzinfo=UTC)) == "2026-11"
