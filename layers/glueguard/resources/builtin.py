"""Imports every built-in resource kind so that it registers. Add a new kind here."""

from glueguard.resources import job  # noqa: F401
