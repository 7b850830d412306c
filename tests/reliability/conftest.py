"""Reliability suite: events the plane cannot trust, delivered more than once, into a faulty AWS."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from hypothesis import HealthCheck, settings

from tests.support.events import load

# One moto backend per test serves every generated example (the property is that none changes it),
# so the function-scoped `aws` fixture is shared on purpose; moto calls are slow, hence no deadline.
settings.register_profile(
    "reliability",
    parent=settings.default,  # the loaded profile: `ci` (fixed seed) or `deep` (tests/support/fuzz.py)
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
BAD_JOB = {
    "Role": "arn:aws:iam::123456789012:role/some-admin-role",
    "Command": {"Name": "glueetl", "ScriptLocation": f"s3://project-{PID}-glue-scripts/ingest.py"},
    "GlueVersion": "4.0",
    "WorkerType": "G.1X",
    "NumberOfWorkers": 80,
}


def job_name(suffix: str = "ingest") -> str:
    return f"project-{PID}-job-{suffix}"


def create_job_event(name: str, envelope_id: str | None = None, event_id: str | None = None) -> dict[str, Any]:
    """The sample non-compliant CreateJob event, naming `name`, with fresh (or given) ids."""
    event = copy.deepcopy(load("enforcer/create_job_noncompliant.json"))
    event["id"] = envelope_id or str(uuid.uuid4())
    event["detail"]["eventID"] = event_id or str(uuid.uuid4())
    event["detail"]["requestParameters"]["name"] = event["detail"]["responseElements"]["name"] = name
    return event
