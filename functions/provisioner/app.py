"""Provisioner: the tasks of the provision-project and deprovision-project state machines."""

from glueguard.handlers.provisioner import handler

__all__ = ["handler"]
