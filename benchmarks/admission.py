"""Admission under a storm: 500 StartJobRun events over 10 projects through the run guard."""

from __future__ import annotations

import importlib.util

from benchmarks.figures import Figure

GOAL = "p99 reported; max project DPU <= its cap"


def available() -> bool:
    return importlib.util.find_spec("glueguard.handlers.run_guard") is not None


def pending() -> list[Figure]:
    return [Figure.waiting("admission: decision latency p50/p99, max project DPU", GOAL, "run_guard not on main")]


def admission() -> list[Figure]:
    return pending()
