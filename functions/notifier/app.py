"""Notifier: publishes each new decision (the decisions table's stream) to the notifications topic."""

from glueguard.handlers.notifier import handler

__all__ = ["handler"]
