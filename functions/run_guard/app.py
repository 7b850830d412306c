"""Run guard: stops Glue job runs over the DPU, worker, timeout and run-time caps; keeps the project DPU ledger."""

from glueguard.handlers.run_guard import handler

__all__ = ["handler"]
