"""Heartbeat: member accounts still forward to the central bus and still let the plane in."""

from glueguard.handlers.heartbeat import handler

__all__ = ["handler"]
