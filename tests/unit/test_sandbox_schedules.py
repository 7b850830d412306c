"""The sandbox's schedule clock: rate() every period from the rule's first sighting, cron() at its UTC times,
a manual clock that moves only when advanced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from glueguard_sandbox.emulator.schedules import ScheduleClock, Schedules, next_after, period

MONDAY_0559 = datetime(2030, 12, 30, 5, 59, tzinfo=UTC)  # the next 06:00 Monday is in the next year


def manual_schedules(at: datetime) -> Schedules:
    return Schedules(clock=ScheduleClock(start=at, manual=True))


def next_monday_0600(after: datetime) -> datetime:
    """The first Monday 06:00 UTC strictly after `after`, by calendar arithmetic (not the cron library)."""
    day = after.replace(hour=6, minute=0, second=0, microsecond=0)
    while day <= after or day.weekday() != 0:
        day += timedelta(days=1)
    return day


def test_rate_and_cron_expressions_give_their_aws_times():
    assert period("rate(5 minutes)") == timedelta(minutes=5)
    assert period("rate(1 day)") == timedelta(days=1)
    assert period("cron(0 6 ? * MON *)") is None
    assert next_after("cron(0 6 ? * MON *)", MONDAY_0559) == datetime(2030, 12, 30, 6, 0, tzinfo=UTC)
    assert next_after("cron(0 6 ? * MON *)", MONDAY_0559 + timedelta(minutes=2)) == datetime(
        2031, 1, 6, 6, 0, tzinfo=UTC
    )
    assert next_after("cron(0 0 1 * ? *)", datetime(2032, 2, 29, 12, tzinfo=UTC)) == datetime(2032, 3, 1, tzinfo=UTC)
    assert next_after("cron(30 23 L * ? *)", datetime(2031, 2, 1, tzinfo=UTC)) == datetime(
        2031, 2, 28, 23, 30, tzinfo=UTC
    )
    for bad in ("rate(5 fortnights)", "every day", "rate(-1 minutes)"):
        with pytest.raises(ValueError, match="unsupported schedule expression"):
            period(bad)


def test_a_weekly_cron_fires_only_at_its_time_however_often_it_is_asked(edge):
    schedules = manual_schedules(edge)
    arn = "arn:aws:events:us-east-1:123456789012:rule/weekly"
    first = next_monday_0600(edge)
    assert [schedules.due(arn, "cron(0 6 ? * MON *)") for _ in range(100)] == [None] * 100
    schedules.clock.advance((first - edge).total_seconds() - 1)
    assert schedules.due(arn, "cron(0 6 ? * MON *)") is None  # one second early
    schedules.clock.advance(1)
    assert schedules.due(arn, "cron(0 6 ? * MON *)") == first
    assert schedules.due(arn, "cron(0 6 ? * MON *)") is None
    schedules.clock.advance(7 * 86400 - 1)
    assert schedules.due(arn, "cron(0 6 ? * MON *)") is None
    schedules.clock.advance(1)
    assert schedules.due(arn, "cron(0 6 ? * MON *)") == first + timedelta(days=7)


def test_a_monthly_cron_fires_on_the_first_of_the_next_month(edge):
    schedules = manual_schedules(edge)
    arn = "arn:aws:events:us-east-1:123456789012:rule/monthly"
    first_of_next = (edge.replace(day=1, hour=0, minute=0) + timedelta(days=32)).replace(day=1)
    assert schedules.due(arn, "cron(0 0 1 * ? *)") is None
    schedules.clock.advance((first_of_next - edge).total_seconds() - 1)
    assert schedules.due(arn, "cron(0 0 1 * ? *)") is None
    schedules.clock.advance(1)
    assert schedules.due(arn, "cron(0 0 1 * ? *)") == first_of_next


def test_a_rate_fires_once_per_period_from_its_first_sighting_keeping_its_phase(edge):
    schedules = manual_schedules(edge)
    arn = "arn:aws:events:us-east-1:123456789012:rule/guard"
    assert schedules.due(arn, "rate(5 minutes)") is None  # first seen: due five minutes on
    schedules.clock.advance(299)
    assert schedules.due(arn, "rate(5 minutes)") is None
    schedules.clock.advance(1)
    assert schedules.due(arn, "rate(5 minutes)") == edge + timedelta(minutes=5)
    schedules.clock.advance(3600 + 30)  # twelve periods pass in one advance: they fire once
    assert schedules.due(arn, "rate(5 minutes)") == edge + timedelta(minutes=10)
    assert schedules.due(arn, "rate(5 minutes)") is None
    schedules.clock.advance(270)  # the next boundary is still on the rule's five-minute grid
    assert schedules.due(arn, "rate(5 minutes)") == edge + timedelta(minutes=70)


def test_forcing_fires_now_and_restarts_the_period(edge):
    schedules = manual_schedules(edge)
    arn = "arn:aws:events:us-east-1:123456789012:rule/daily"
    assert schedules.due(arn, "rate(1 day)", force=True) == edge
    schedules.clock.advance(86399)
    assert schedules.due(arn, "rate(1 day)") is None
    schedules.clock.advance(1)
    assert schedules.due(arn, "rate(1 day)") == edge + timedelta(days=1)


def test_a_clock_starts_at_the_instant_it_is_given_and_moves_the_world_from_there():
    clock = ScheduleClock(start=datetime(2032, 2, 29, 23, 59, 30), manual=True)  # naive: read as UTC
    assert clock.now() == datetime(2032, 2, 29, 23, 59, 30, tzinfo=UTC)
    clock.move_world()
    try:
        assert abs(datetime.now(UTC) - datetime(2032, 2, 29, 23, 59, 30, tzinfo=UTC)) < timedelta(seconds=5)
        clock.advance(60)
        assert clock.now() == datetime(2032, 3, 1, 0, 0, 30, tzinfo=UTC)
        assert datetime.now(UTC).date().isoformat() == "2032-03-01"  # the process's time moved with it
    finally:
        clock.release_world()


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
