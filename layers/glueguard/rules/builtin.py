"""Imports every built-in rule module so that their rules register. Add a new module here."""

from glueguard.rules import (
    job,  # noqa: F401
    security_group,  # noqa: F401
)
