"""Enforcer: corrects Glue jobs after CreateJob/UpdateJob (CloudTrail via EventBridge)."""

from glueguard.handlers.enforcer import handler

__all__ = ["handler"]
