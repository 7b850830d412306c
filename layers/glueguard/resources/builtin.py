"""Imports every built-in resource kind so that it registers. Add a new kind here."""

from glueguard.resources import (  # noqa: F401
    connection,
    crawler,
    database,
    devendpoint,
    job,
    securityconfiguration,
    session,
    table,
    tags,
    trigger,
    workflow,
)
