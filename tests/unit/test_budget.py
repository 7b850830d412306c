"""The budget arithmetic: expected cost, the admit / defer / refuse verdict, warning thresholds, month shares, and
when the hard limit acts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from glueguard.budget.cap import (
    Action,
    at_limit,
    expected_cost,
    judge,
    limit_usd,
    month_of,
    month_seconds,
    split_by_month,
    warnings_crossed,
    warnings_due,
)
from glueguard.policy.settings import MAX_GLUE_TIMEOUT_MINUTES, Policy

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


def test_warnings_due_are_the_shares_reached_and_not_yet_warned():
    assert warnings_due(39.99, 50, (0.8, 1.0), set()) == []
    assert warnings_due(40.0, 50, (0.8, 1.0), set()) == [0.8]
    assert warnings_due(50.0, 50, (0.8, 1.0), set()) == [0.8, 1.0]
    assert warnings_due(50.0, 50, (0.8, 1.0), {"0.8"}) == [1.0]
    assert warnings_due(60.0, 50, (0.8, 1.0), {"0.8", "1"}) == []  # as Spend's month keeps them: `warned_1`


def test_the_limit_acts_when_spend_running_work_and_the_lookahead_reach_it():
    assert not at_limit(50.0, 1.0, 1.49, 52.5)
    assert at_limit(50.0, 1.0, 1.5, 52.5)  # reached exactly
    assert at_limit(52.5, 0.0, 0.0, 52.5)


def test_month_seconds_split_an_interval_at_each_month_end_utc():
    start = datetime(2031, 4, 30, 23, 5, tzinfo=UTC)
    assert month_seconds(start, start + timedelta(hours=2)) == {"2031-04": 55 * 60.0, "2031-05": 65 * 60.0}
    new_year = datetime(2031, 12, 31, 23, 30, tzinfo=UTC)
    assert month_seconds(new_year, new_year + timedelta(hours=1)) == {"2031-12": 1800.0, "2032-01": 1800.0}
    leap = datetime(2032, 2, 29, 12, tzinfo=UTC)
    assert month_seconds(leap, leap + timedelta(hours=12)) == {"2032-02": 43200.0}
    assert month_seconds(leap, leap + timedelta(hours=13)) == {"2032-02": 43200.0, "2032-03": 3600.0}
    assert month_seconds(leap, leap) == {}
    # three months: 31 January 2032 12:00 to 1 March 00:00 (leap February: 29 days)
    jan = datetime(2032, 1, 31, 12, tzinfo=UTC)
    assert month_seconds(jan, datetime(2032, 3, 1, 6, tzinfo=UTC)) == {
        "2032-01": 12 * 3600.0,
        "2032-02": 29 * 86400.0,
        "2032-03": 6 * 3600.0,
    }


def test_month_seconds_are_utc_whatever_the_offset():
    plus_two = timezone(timedelta(hours=2))  # 1 May 00:30 at +02:00 is 30 April 22:30 UTC
    start = datetime(2031, 5, 1, 0, 30, tzinfo=plus_two)
    assert month_seconds(start, start + timedelta(hours=2)) == {"2031-04": 5400.0, "2031-05": 1800.0}


def test_split_by_month_is_proportional_and_sums_to_the_amount():
    start = datetime(2031, 4, 30, 23, 5, tzinfo=UTC)
    parts = split_by_month(start, start + timedelta(hours=2), 3.52)
    assert parts == {"2031-04": round(3.52 * 55 / 120, 4), "2031-05": round(3.52 - round(3.52 * 55 / 120, 4), 4)}
    assert sum(parts.values()) == pytest.approx(3.52, abs=1e-9)
    thirds = split_by_month(datetime(2032, 1, 31, 16, tzinfo=UTC), datetime(2032, 2, 1, 16, tzinfo=UTC), 1.0)
    assert thirds == {"2032-01": 0.3333, "2032-02": 0.6667}
    assert split_by_month(start, start, 2.0) == {"2031-04": 2.0}  # no duration: all to its start month
    assert split_by_month(start, start - timedelta(minutes=1), 2.0) == {"2031-04": 2.0}
