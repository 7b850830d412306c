"""A simulated clock shared by the emulator's job runs and the plane under test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta


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
    from glueguard_dev.emulator.glue.runs import settings

    clock = SimClock(start)
    saved = (settings.clock, settings.starting_seconds, settings.stopping_seconds)
    settings.clock, settings.starting_seconds, settings.stopping_seconds = clock.epoch, 0.0, 0.0
    try:
        yield clock
    finally:
        settings.clock, settings.starting_seconds, settings.stopping_seconds = saved
