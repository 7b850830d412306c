"""Seed a project with many jobs, a share of them non-compliant in ways the plane can repair."""

from __future__ import annotations

from typing import Any

import boto3
from glueguard.models.project import Project

#: How each seeded non-compliant job breaks the policy (cycled), all repairable in place.
DRIFTS = ("role", "vpc", "timeout", "tags", "workers")


#: What make_project provisions besides jobs that the sweep judges too: its network connection and catalog database.
PROJECT_RESOURCES = 2


def compliant_job(project: Project, index: int) -> dict[str, Any]:
    names = project.names
    return {
        "Name": names.resource("job", f"batch-{index:04d}"),
        "Role": project.resources.job_role_arn,
        "Command": {"Name": "glueetl", "ScriptLocation": f"s3://{names.scripts_bucket}/job{index}.py"},
        "DefaultArguments": {"--TempDir": f"s3://{names.temp_bucket}/temporary/"},
        "Connections": {"Connections": [project.connection_name]},
        "SecurityConfiguration": project.security_configuration,
        "GlueVersion": "4.0",
        "WorkerType": "G.1X",
        "NumberOfWorkers": 10,
        "Timeout": 60,
        "ExecutionClass": "FLEX",
        "NotificationProperty": {"NotifyDelayAfter": 1},
        "Tags": project.mandatory_tags(),
    }


def drifted(job: dict[str, Any], drift: str, project: Project) -> dict[str, Any]:
    job = {**job}
    if drift == "role":
        job["Role"] = "arn:aws:iam::123456789012:role/some-admin-role"
    elif drift == "vpc":
        job.pop("Connections")
    elif drift == "timeout":
        job["Timeout"] = 2000
    elif drift == "tags":
        job["Tags"] = {k: v for k, v in job["Tags"].items() if k != "CostCenter"}
    elif drift == "workers":
        job["NumberOfWorkers"] = 80
    return job


def seed_jobs(project: Project, count: int, noncompliant_every: int = 10) -> list[str]:
    """Create `count` jobs; every `noncompliant_every`-th one drifts. Returns the drifted names."""
    glue = boto3.client("glue")
    bad: list[str] = []
    for i in range(count):
        job = compliant_job(project, i)
        if i % noncompliant_every == 0:
            job = drifted(job, DRIFTS[(i // noncompliant_every) % len(DRIFTS)], project)
            bad.append(job["Name"])
        glue.create_job(**job)
    return bad
