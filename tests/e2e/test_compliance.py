"""The compliance sweep deployed in the sandbox: drift the events never reported is swept back (issue 7)."""

from __future__ import annotations

import json
import uuid

import boto3

from tests.e2e.conftest import SandboxHandle, provisioned_project
from tests.support.fleet import seed_jobs


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
    assert sum(report["remediations_by_rule"].values()) >= len(drifted)
    job = glue.get_job(JobName=drifted[0])["Job"]
    assert job["Role"] == project.resources.job_role_arn
    html = s3.get_object(Bucket=project.bucket("artifacts"), Key="glueguard/reports/compliance/latest.html")
    assert b"<svg" in html["Body"].read()
