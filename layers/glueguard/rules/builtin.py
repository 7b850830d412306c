"""Imports every built-in rule module so that their rules register. Add a new module here."""

from glueguard.rules import (  # noqa: F401
    connection,
    crawler,
    cross_project,
    database,
    devendpoint,
    job,
    quota,
    security_group,
    securityconfiguration,
    session,
    table,
    trigger,
    workflow,
)
