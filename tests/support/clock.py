"""A simulated clock shared by the emulator's job runs and the plane under test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

#: The instant every test's clock starts at (the fixture `clock`): no test reads today's date.
START = datetime(2031, 3, 12, 10, 0, tzinfo=UTC)

#: The instants date-sensitive scenarios also run at (the fixture `edge`): where months, years and leap days turn.
EDGES: dict[str, datetime] = {
    "last-hour-of-month": datetime(2031, 4, 30, 23, 5, tzinfo=UTC),
    "first-hour-of-month": datetime(2031, 5, 1, 0, 5, tzinfo=UTC),
    "leap-day": datetime(2032, 2, 29, 12, 0, tzinfo=UTC),
    "new-years-eve": datetime(2031, 12, 31, 23, 30, tzinfo=UTC),
}


class SimClock:
    """Stands still until advanced; `epoch()` for the emulator, `now()` for the plane."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def epoch(self) -> float:
        return self.current.timestamp()

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


@contextmanager
def simulated_runs(start: datetime = datetime(2026, 11, 1, tzinfo=UTC)) -> Iterator[SimClock]:
    """Emulated job runs on a simulated clock (STARTING 0 s by default, STOPPING 0 s)."""
    from glueguard_sandbox.emulator.glue.runs import settings

    clock = SimClock(start)
    saved = (settings.clock, settings.starting_seconds, settings.stopping_seconds)
    settings.clock, settings.starting_seconds, settings.stopping_seconds = clock.epoch, 0.0, 0.0
    try:
        yield clock
    finally:
        settings.clock, settings.starting_seconds, settings.stopping_seconds = saved
