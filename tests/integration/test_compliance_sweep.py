"""The compliance sweep on moto: issue 7's 'done when' (200 jobs, 10% drifted, swept back to 100%)."""

from __future__ import annotations

import json

import boto3
import pytest
from glueguard.adapters.calls import counting_calls
from glueguard.adapters.clients import client
from glueguard.adapters.decisions import DecisionLog
from glueguard.handlers import compliance
from glueguard.handlers.compliance import InvalidComplianceInput, handler

from tests.support.fleet import PROJECT_RESOURCES, seed_jobs
from tests.support.lambda_context import LambdaContext

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
REPORTS = "glueguard-reports-test"


@pytest.fixture
def reports_bucket(aws, monkeypatch):
    boto3.client("s3").create_bucket(Bucket=REPORTS)
    monkeypatch.setenv("GLUEGUARD_REPORTS_BUCKET", REPORTS)
    compliance.reset()
    yield REPORTS
    compliance.reset()


def _s3_json(bucket: str, key: str) -> dict:
    return json.loads(boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())


def test_200_jobs_with_10_percent_drift_are_swept_back_to_full_compliance(project, reports_bucket):
    drifted = seed_jobs(project, 200)
    assert len(drifted) == 20

    glue = client("glue")
    tagging = client("resourcegroupstaggingapi")
    with counting_calls([glue, tagging]) as calls:
        summary = handler({"id": "sched-1", "detail-type": "Scheduled Event", "source": "aws.events"}, LambdaContext())

    swept = 200 + PROJECT_RESOURCES  # the project's own connection and database are swept too
    assert summary["resources"] == swept
    assert summary["compliant_before"] == swept - 20
    assert summary["compliant_after"] == swept
    # 1 GetJobs; 27 UpdateJob/TagResource for the 20 repairs; 20 x (GetJob + GetTags): what each repair left, read
    # again for the report; moto pages the Tagging API by 100 tags (8 pages for 202 resources)
    assert calls == {"Glue": 1 + 27 + 2 * 20, "Resource Groups Tagging API": 8}

    report = _s3_json(REPORTS, "glueguard/reports/compliance/latest.json")
    m = report["metrics"]
    assert (m["compliance_pct_before"], m["compliance_pct_after"]) == (round(100 * (swept - 20) / swept, 1), 100.0)
    assert m["jobs_in_vpc_pct_before"] == 98.0  # 4 of the 20 drifted jobs lost their connection
    assert m["jobs_in_vpc_pct_after"] == 100.0
    assert m["naming_pct_after"] == 100.0
    assert m["cross_project_violations_after"] == 0
    assert report["remediations_by_rule"] == {
        "job-role": 4,
        "job-vpc": 4,
        "job-timeout": 4,
        "job-tags": 4,
        "job-worker-cap": 4,
    }
    project_report = _s3_json(project.bucket("artifacts"), "glueguard/reports/compliance/latest.json")
    assert project_report["scope"] == PID
    assert project_report["metrics"]["compliant_after"] == swept
    html = boto3.client("s3").get_object(Bucket=REPORTS, Key="glueguard/reports/compliance/latest.html")["Body"].read()
    assert b"<svg" in html and b"100.0%" in html

    decisions = [d for d in DecisionLog().list(PID) if d.function == "compliance"]
    assert sorted(d.resource_name for d in decisions) == sorted(drifted)
    assert {d.outcome for d in decisions} == {"remediated"}


def test_a_retried_run_records_each_decision_once_and_a_second_sweep_finds_nothing(project, reports_bucket):
    drifted = seed_jobs(project, 30)
    event = {"id": "sched-2"}
    first = handler(event, LambdaContext())
    again = handler(event, LambdaContext())
    swept = 30 + PROJECT_RESOURCES
    assert first["remediations"] == len(drifted) and first["compliant_after"] == swept
    assert again["compliant_before"] == swept and again["remediations"] == 0
    assert len([d for d in DecisionLog().list(PID) if d.function == "compliance"]) == len(drifted)


def test_malformed_input_is_refused_before_anything_changes(project, reports_bucket):
    seed_jobs(project, 10)
    with pytest.raises(InvalidComplianceInput, match="collectCosts must be true or false"):
        handler({"collectCosts": "yes"}, LambdaContext())
    for projects in ([], "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c", ["PROJECT-A"], [PID, 7]):
        with pytest.raises(InvalidComplianceInput, match="projects must be a non-empty list of project ids"):
            handler({"projects": projects}, LambdaContext())
    assert DecisionLog().list(PID) == []


def test_a_sweep_of_some_projects_judges_and_repairs_only_theirs(project, reports_bucket):
    from tests.support.projects import make_project

    other = make_project("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")
    drifted = seed_jobs(project, 6)
    glue = boto3.client("glue")
    theirs = f"project-{other.project_id}-job-drift"
    script = f"s3://{other.names.scripts_bucket}/drift.py"  # in their project (a script outside is removed)
    glue.create_job(
        Name=theirs,
        Role="arn:aws:iam::123456789012:role/outside",
        Command={"Name": "glueetl", "ScriptLocation": script},
    )
    ours_before = {name: glue.get_job(JobName=name)["Job"] for name in drifted}

    summary = handler({"id": "scoped-1", "projects": [other.project_id]}, LambdaContext())

    theirs_decided = [d.resource_name for d in DecisionLog().list(other.project_id) if d.function == "compliance"]
    assert theirs_decided == [theirs]  # their one drifted job; none of ours
    assert summary["resources"] == 1 + PROJECT_RESOURCES  # theirs: the job and what provisioning made; ours unjudged
    assert glue.get_job(JobName=theirs)["Job"]["Role"] == other.resources.job_role_arn
    assert [d for d in DecisionLog().list(PID) if d.function == "compliance"] == []
    assert {name: glue.get_job(JobName=name)["Job"] for name in drifted} == ours_before  # left drifted


def test_an_unchanged_reported_finding_is_recorded_once_however_many_sweeps_find_it(project, reports_bucket):
    from glueguard.adapters.registry import Registry

    Registry().update(PID, policy_overrides={"rule_modes": {"job-role": "report"}})
    compliance.reset()
    [drifted] = seed_jobs(project, 3, noncompliant_every=3)  # batch-0000 runs as an outside role
    glue = boto3.client("glue")
    for run in ("sched-a", "sched-b", "sched-c"):
        handler({"id": run}, LambdaContext())
    reported = [d for d in DecisionLog().list(PID) if d.outcome == "reported"]
    assert [(d.resource_name, d.event_id, [v["rule"] for v in d.violations]) for d in reported] == [
        (drifted, "sweep-sched-a", ["job-role"])
    ]
    job = glue.get_job(JobName=drifted)["Job"]
    assert job["Role"].endswith("role/some-admin-role")  # reported, not changed

    keep = ("Role", "Command", "DefaultArguments", "Connections", "GlueVersion", "WorkerType", "NumberOfWorkers",
            "Timeout", "ExecutionClass", "SecurityConfiguration", "NotificationProperty")  # fmt: skip
    glue.update_job(JobName=drifted, JobUpdate={**{k: job[k] for k in keep}, "Description": "changed"})
    handler({"id": "sched-d"}, LambdaContext())
    reported = [d for d in DecisionLog().list(PID) if d.outcome == "reported"]
    assert [d.event_id for d in reported] == ["sweep-sched-a", "sweep-sched-d"]  # a changed job is a new finding
