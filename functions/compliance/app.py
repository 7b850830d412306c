"""Compliance: on a schedule, sweeps every Glue resource, repairs drift and writes the reports."""

from glueguard.handlers.compliance import handler

__all__ = ["handler"]
