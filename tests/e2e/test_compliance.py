"""The compliance sweep deployed in the sandbox: drift the events never reported is swept back (issue 7)."""

from __future__ import annotations

import json
import uuid
from collections import Counter

import boto3

from tests.e2e.conftest import SandboxHandle, provisioned_project
from tests.support.fleet import DRIFTS, compliant_job, seed_jobs

#: The rule each seeded drift breaks, and what the sweep repairs it to when not the compliant value itself.
RULE_OF = {
    "role": "job-role",
    "vpc": "job-vpc",
    "timeout": "job-timeout",
    "tags": "job-tags",
    "workers": "job-worker-cap",
}
REPAIRED = {"timeout": {"Timeout": 480}, "workers": {"NumberOfWorkers": 50}}  # the default policy's maximums
FIELDS = ("Role", "Connections", "Timeout", "WorkerType", "NumberOfWorkers", "SecurityConfiguration", "ExecutionClass")


def job_account(project) -> str:
    return project.resources.job_role_arn.split(":")[4]


def _definition(job: dict, tags: dict | None = None) -> dict:
    return {**{f: job.get(f) for f in FIELDS}, "Tags": job["Tags"] if tags is None else tags}


def _physical(sandbox: SandboxHandle, logical_id: str) -> str:
    """The deployed function whose stack-generated name carries `logical_id`."""
    functions = sandbox.client("lambda").list_functions()["Functions"]
    [name] = [f["FunctionName"] for f in functions if f"-{logical_id}-" in f["FunctionName"]]
    return name


def _enforcer_rules(sandbox: SandboxHandle) -> list[str]:
    """The enforcer's rules on the central bus (every plane rule reads from it)."""
    events, bus = sandbox.client("events"), sandbox.outputs["GlueguardBusArn"]
    enforcer = _physical(sandbox, "EnforcerFunction")
    return [
        rule["Name"]
        for rule in events.list_rules(EventBusName=bus)["Rules"]
        if any(
            enforcer in t["Arn"] for t in events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus)["Targets"]
        )
    ]


def test_200_jobs_with_missed_drift_are_swept_back_to_full_compliance(plane_env: SandboxHandle):
    project = provisioned_project(plane_env)
    events = plane_env.client("events")
    rules, bus = _enforcer_rules(plane_env), plane_env.outputs["GlueguardBusArn"]
    assert rules, "the enforcer's EventBridge rule is deployed"
    for rule in rules:  # the events are 'lost': drift reaches the account unseen
        events.disable_rule(Name=rule, EventBusName=bus)
    try:
        drifted = seed_jobs(project, 200)
        plane_env.drain()
    finally:
        for rule in rules:
            events.enable_rule(Name=rule, EventBusName=bus)
    glue = plane_env.client("glue")
    assert glue.get_job(JobName=drifted[0])["Job"]["Role"] != project.resources.job_role_arn  # still drifted

    response = plane_env.client("lambda").invoke(
        FunctionName=_physical(plane_env, "ComplianceFunction"),
        Payload=json.dumps({"id": f"e2e-{uuid.uuid4()}", "source": "aws.events", "detail-type": "Scheduled Event"}),
    )
    summary = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, summary
    assert summary["errors"] == 0

    s3 = boto3.client("s3")
    report = json.loads(
        s3.get_object(Bucket=project.bucket("artifacts"), Key="glueguard/reports/compliance/latest.json")["Body"].read()
    )
    metrics = report["metrics"]
    assert metrics["compliance_pct_before"] < 100.0
    assert metrics["compliance_pct_after"] == 100.0
    assert metrics["jobs_in_vpc_pct_after"] == 100.0
    assert metrics["naming_pct_after"] == 100.0
    drifts = {name: DRIFTS[i % len(DRIFTS)] for i, name in enumerate(drifted)}
    assert report["remediations_by_rule"] == dict(Counter(RULE_OF[d] for d in drifts.values())), report
    for i in range(200):  # every job, drifted or not, ends exactly as the compliant definition, repaired to the caps
        expected = compliant_job(project, i)
        drift = drifts.get(expected["Name"])
        if drift in REPAIRED:
            expected.update(REPAIRED[drift])
        job = glue.get_job(JobName=expected["Name"])["Job"]
        arn = f"arn:aws:glue:us-east-1:{job_account(project)}:job/{expected['Name']}"
        assert _definition(job, glue.get_tags(ResourceArn=arn)["Tags"]) == _definition(expected), (drift, job)
    html = s3.get_object(Bucket=project.bucket("artifacts"), Key="glueguard/reports/compliance/latest.html")
    assert b"<svg" in html["Body"].read()
