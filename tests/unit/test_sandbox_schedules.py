"""The sandbox's schedule clock: rate() every period from the rule's first sighting, cron() at its UTC times,
a manual clock that moves only when advanced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from glueguard_dev.emulator.schedules import ScheduleClock, Schedules, next_after, period

MONDAY_0559 = datetime(2026, 11, 30, 5, 59, tzinfo=UTC)


def manual_schedules(at: datetime) -> Schedules:
    clock = ScheduleClock()
    clock.set_manual(True)
    clock.advance((at - clock.now()).total_seconds())
    return Schedules(clock=clock)


def test_rate_and_cron_expressions_give_their_aws_times():
    assert period("rate(5 minutes)") == timedelta(minutes=5)
    assert period("rate(1 day)") == timedelta(days=1)
    assert period("cron(0 6 ? * MON *)") is None
    assert next_after("cron(0 6 ? * MON *)", MONDAY_0559) == datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    assert next_after("cron(0 6 ? * MON *)", MONDAY_0559 + timedelta(minutes=2)) == datetime(
        2026, 12, 7, 6, 0, tzinfo=UTC
    )
    for bad in ("rate(5 fortnights)", "every day", "rate(-1 minutes)"):
        with pytest.raises(ValueError, match="unsupported schedule expression"):
            period(bad)


def test_a_weekly_cron_fires_only_at_its_time_however_often_it_is_asked():
    schedules = manual_schedules(MONDAY_0559)
    arn = "arn:aws:events:us-east-1:123456789012:rule/weekly"
    assert [schedules.due(arn, "cron(0 6 ? * MON *)") for _ in range(100)] == [None] * 100
    schedules.clock.advance(60)
    assert schedules.due(arn, "cron(0 6 ? * MON *)") == datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    assert schedules.due(arn, "cron(0 6 ? * MON *)") is None
    schedules.clock.advance(6 * 86400)
    assert schedules.due(arn, "cron(0 6 ? * MON *)") is None
    schedules.clock.advance(86400)
    assert schedules.due(arn, "cron(0 6 ? * MON *)") == datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


def test_a_rate_fires_once_per_period_from_its_first_sighting_keeping_its_phase():
    schedules = manual_schedules(MONDAY_0559)
    arn = "arn:aws:events:us-east-1:123456789012:rule/guard"
    assert schedules.due(arn, "rate(5 minutes)") is None  # first seen: due five minutes on
    schedules.clock.advance(299)
    assert schedules.due(arn, "rate(5 minutes)") is None
    schedules.clock.advance(1)
    assert schedules.due(arn, "rate(5 minutes)") == MONDAY_0559 + timedelta(minutes=5)
    schedules.clock.advance(3600 + 30)  # twelve periods pass in one advance: they fire once
    assert schedules.due(arn, "rate(5 minutes)") == MONDAY_0559 + timedelta(minutes=10)
    assert schedules.due(arn, "rate(5 minutes)") is None
    schedules.clock.advance(270)  # the next boundary is still on the rule's five-minute grid
    assert schedules.due(arn, "rate(5 minutes)") == MONDAY_0559 + timedelta(minutes=70)


def test_forcing_fires_now_and_restarts_the_period():
    schedules = manual_schedules(MONDAY_0559)
    arn = "arn:aws:events:us-east-1:123456789012:rule/daily"
    assert schedules.due(arn, "rate(1 day)", force=True) == MONDAY_0559
    schedules.clock.advance(86399)
    assert schedules.due(arn, "rate(1 day)") is None
    schedules.clock.advance(1)
    assert schedules.due(arn, "rate(1 day)") == MONDAY_0559 + timedelta(days=1)


def test_a_manual_clock_stands_still_and_never_goes_back():
    clock = ScheduleClock()
    clock.set_manual(True)
    then = clock.now()
    assert clock.now() == then
    assert clock.advance(90) == then + timedelta(seconds=90)
    with pytest.raises(ValueError, match="cannot go back"):
        clock.advance(-1)
    assert clock.now() == then + timedelta(seconds=90)
    clock.set_manual(False)  # back to real time, keeping what was advanced
    assert clock.now() - datetime.now(UTC) > timedelta(seconds=89)
