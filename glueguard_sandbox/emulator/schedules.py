"""When scheduled EventBridge rules fire in the sandbox: their real period, on a clock tests can control.

AWS fires a `rate(N unit)` rule every N units after it is created and a `cron(...)` rule at each time
its six fields match, in UTC (EventBridge user guide, "Creating an Amazon EventBridge rule that runs on
a schedule"; the cron fields are minutes, hours, day-of-month, month, day-of-week, year). The sandbox
does the same on `clock`: the wall clock plus whatever `advance()` added. A `manual` clock (the e2e
tests') stands still between advances, so a daily sweep fires only when a test moves time a day on.
Periods that pass in one advance fire once (the sandbox does not replay a day of 5-minute schedules).

In the sandbox the clock is the world's (`move_world()`): an advance moves the whole process's time on
(time-machine), so the functions, Glue's runs, CloudTrail, EventBridge and STS see the same time as the
schedules, and a month can pass in a test (docs/sandbox.md "Time"). Elsewhere (unit tests) it moves only
the schedules.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import time_machine
from pyawscron import AWSCron

_RATE = re.compile(r"rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)")
_UNIT = {"minute": 60, "hour": 3600, "day": 86400}


class ScheduleClock:
    """The time schedules follow: the wall clock (or a frozen instant) plus the time advanced."""

    def __init__(self, start: datetime | None = None, manual: bool = False) -> None:
        """`start`: the instant the clock reads now (default: the wall clock's); `manual`: it stands still."""
        self._lock = threading.Lock()
        self._offset = timedelta()
        self._frozen: datetime | None = None
        self._world: time_machine.Traveller | None = None
        self._travel: time_machine.travel | None = None
        if start is not None:
            self._offset = _aware(start) - datetime.now(UTC)
        if manual:
            self._frozen, self._offset = (_aware(start) if start else datetime.now(UTC)), timedelta()

    def move_world(self, start: datetime | None = None) -> None:
        """From now on the whole process's time is the sandbox's: it reads `start` (default: this clock's now)
        and an advance moves it on, not only the schedules'."""
        with self._lock:
            if self._world is None:
                instant = _aware(start) if start else (self._frozen or datetime.now(UTC)) + self._offset
                self._travel = time_machine.travel(instant, tick=True)
                self._world = self._travel.start()
                self._offset = timedelta()
                if self._frozen is not None:
                    self._frozen = instant

    def release_world(self) -> None:
        """The process's time is the wall clock's again (the clock keeps its own reading)."""
        with self._lock:
            if self._travel is not None:
                now = datetime.now(UTC)
                self._travel.stop()
                self._travel = self._world = None
                if self._frozen is None:
                    self._offset = now - datetime.now(UTC)

    def now(self) -> datetime:
        with self._lock:
            return (self._frozen or datetime.now(UTC)) + self._offset

    def advance(self, seconds: float) -> datetime:
        """Move the clock `seconds` on (never back); return the new time."""
        if seconds < 0:
            raise ValueError(f"the schedule clock cannot go back ({seconds} s)")
        with self._lock:
            if self._world is None or self._frozen is not None:
                self._offset += timedelta(seconds=seconds)  # a frozen instant is advanced by hand
            if self._world is not None:
                self._world.shift(timedelta(seconds=seconds))  # the wall clock itself moves on
        return self.now()

    def set_manual(self, manual: bool) -> None:
        """A manual clock stands still until advanced; a real one follows the wall clock."""
        with self._lock:
            now = (self._frozen or datetime.now(UTC)) + self._offset
            self._frozen, self._offset = (now, timedelta()) if manual else (None, now - datetime.now(UTC))

    @property
    def manual(self) -> bool:
        return self._frozen is not None


def _aware(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is read as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def period(expression: str) -> timedelta | None:
    """The interval of a rate() expression; None for cron(). A malformed expression is a ValueError."""
    text = expression.strip()
    match = _RATE.fullmatch(text)
    if match:
        return timedelta(seconds=int(match.group(1)) * _UNIT[match.group(2).rstrip("s")])
    if text.startswith("cron(") and text.endswith(")"):
        return None
    raise ValueError(f"unsupported schedule expression {expression!r}")


def next_after(expression: str, moment: datetime) -> datetime:
    """The first time after `moment` that `expression` fires (rate: one period later)."""
    interval = period(expression)
    if interval is not None:
        return moment + interval
    return AWSCron(expression.strip()[5:-1]).occurrence(moment.replace(second=0, microsecond=0)).next()


@dataclass
class Schedules:
    """The next firing time of each scheduled rule, by rule ARN and expression."""

    clock: ScheduleClock = field(default_factory=ScheduleClock)
    _due: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def due(self, arn: str, expression: str, force: bool = False) -> datetime | None:
        """The time this rule fires now (its scheduled time; now when forced), or None when not due."""
        now = self.clock.now()
        key = (arn, expression)
        scheduled = self._due.setdefault(key, next_after(expression, now))
        if force:
            self._due[key] = next_after(expression, now)
            return now
        if now < scheduled:
            return None
        interval = period(expression)
        if interval is None:
            self._due[key] = next_after(expression, now)
        else:  # keep the rule's phase: the first period boundary after now
            self._due[key] = scheduled + interval * ((now - scheduled) // interval + 1)
        return scheduled

    def forget(self) -> None:
        self._due.clear()


schedules = Schedules()
