"""The enforcer on moto: the foundation issue's 'done when', and the safety properties around it."""

from __future__ import annotations

import json

import boto3
import pytest
from glueguard.adapters.decisions import DecisionLog
from glueguard.handlers.enforcer import handler
from glueguard.models.events import InvalidEventError

from tests.support.events import load
from tests.support.lambda_context import LambdaContext

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
JOB = f"project-{PID}-job-ingest"

# Every JobUpdate field a scientist can set, so we can prove remediation keeps what it does not fix.
FULL_JOB = {
    "Description": "nightly ingest",
    "LogUri": "s3://some-logs/ingest/",
    "Role": "arn:aws:iam::123456789012:role/some-admin-role",
    "ExecutionProperty": {"MaxConcurrentRuns": 3},
    "Command": {
        "Name": "glueetl",
        "ScriptLocation": f"s3://project-{PID}-glue-scripts/ingest.py",
        "PythonVersion": "3",
    },
    "DefaultArguments": {
        "--job-language": "python",
        "--enable-metrics": "true",
        "--TempDir": f"s3://project-{PID}-glue-temp/tmp/",
    },
    "NonOverridableArguments": {"--enable-continuous-cloudwatch-log": "true"},
    "MaxRetries": 2,
    "WorkerType": "G.1X",
    "NumberOfWorkers": 80,
    "SecurityConfiguration": f"project-{PID}-security-config",
    "NotificationProperty": {"NotifyDelayAfter": 1},
    "GlueVersion": "4.0",
    "ExecutionClass": "STANDARD",
    "SourceControlDetails": {"Provider": "GITHUB", "Repository": "ingest", "Owner": "ml-team-a", "Branch": "main"},
    "MaintenanceWindow": "Sun:10",
}


def _create(job: dict, name: str = JOB) -> None:
    boto3.client("glue").create_job(Name=name, **job)


def _job(name: str = JOB) -> dict:
    return boto3.client("glue").get_job(JobName=name)["Job"]


def _tags(name: str = JOB) -> dict:
    return boto3.client("glue").get_tags(ResourceArn=f"arn:aws:glue:us-east-1:123456789012:job/{name}")["Tags"]


def test_noncompliant_create_job_is_corrected_keeping_every_other_field(project):
    _create(FULL_JOB)
    before = _job()

    result = handler(load("enforcer/create_job_noncompliant.json"), LambdaContext())

    after = _job()
    assert result["outcome"] == "remediated"
    assert after["Role"] == project.resources.job_role_arn
    assert after["Connections"] == {"Connections": [project.connection_name]}
    assert after["NumberOfWorkers"] == 50
    assert after["Timeout"] == 120
    assert _tags() == {"Project": f"project-{PID}", "Service": "glue", "Owner": "ml-team-a", "CostCenter": "cc-1234"}
    changed = {"Role", "Connections", "NumberOfWorkers", "Timeout", "LastModifiedOn"}
    untouched = {k: v for k, v in before.items() if k not in changed}
    assert {k: after.get(k) for k in untouched} == untouched
    assert set(FULL_JOB) - changed <= set(untouched)  # every field we set survived
    decisions = DecisionLog().list(PID)
    assert len(decisions) == 1
    assert decisions[0].outcome == "remediated"
    assert decisions[0].before["definition"]["NumberOfWorkers"] == 80
    assert decisions[0].after["definition"]["NumberOfWorkers"] == 50


def test_minimal_job_gets_issue_scenario(project):
    _create(
        {
            "Role": "arn:aws:iam::123456789012:role/some-admin-role",
            "Command": {"Name": "glueetl", "ScriptLocation": f"s3://project-{PID}-glue-scripts/ingest.py"},
            "GlueVersion": "4.0",
            "WorkerType": "G.1X",
            "NumberOfWorkers": 80,
        }
    )
    handler(load("enforcer/create_job_noncompliant.json"), LambdaContext())
    job = _job()
    assert (job["Role"], job["NumberOfWorkers"], job["Timeout"]) == (project.resources.job_role_arn, 50, 120)
    assert job["Connections"]["Connections"] == [project.connection_name]
    assert job["DefaultArguments"]["--TempDir"].startswith(f"s3://project-{PID}-glue-temp/")
    assert job["SecurityConfiguration"] == project.security_configuration


def test_same_event_delivered_again_changes_nothing(project):
    _create(FULL_JOB)
    event = load("enforcer/create_job_noncompliant.json")
    handler(event, LambdaContext())
    first = _job()
    again = handler(event, LambdaContext())
    assert _job() == first
    assert again["outcome"] == "remediated"  # the stored result of the first delivery
    assert len(DecisionLog().list(PID)) == 1


def test_duplicate_past_idempotency_still_records_once(project):
    """Even without the idempotency record, the current state is compliant: nothing new happens."""
    _create(FULL_JOB)
    event = load("enforcer/create_job_noncompliant.json")
    handler(event, LambdaContext())
    corrected = _job()
    event["id"] = "another-envelope-id"  # e.g. replayed from an archive
    result = handler(event, LambdaContext())
    assert result["outcome"] == "reported"  # only the report-only FLEX preference remains
    assert result["violations"] == ["job-flex-preference"]
    assert _job() == corrected
    assert len(DecisionLog().list(PID)) == 1


def test_event_from_the_plane_own_role_is_skipped(project):
    _create(FULL_JOB)
    result = handler(load("enforcer/update_job_by_plane.json"), LambdaContext())
    assert result["outcome"] == "skipped"
    assert _job()["NumberOfWorkers"] == 80
    assert DecisionLog().list(PID) == []


def test_rejected_call_is_skipped(project):
    _create(FULL_JOB)
    result = handler(load("enforcer/create_job_rejected.json"), LambdaContext())
    assert result == {
        "outcome": "skipped",
        "reason": "rejected call (AccessDenied)",
        "violations": [],
        "decision_id": None,
    }
    assert _job()["NumberOfWorkers"] == 80


def test_malformed_event_raises_and_changes_nothing(project):
    _create(FULL_JOB)
    before = _job()
    with pytest.raises(InvalidEventError, match=r"detail\.eventID"):
        handler(load("enforcer/malformed_missing_event_id.json"), LambdaContext())
    assert _job() == before
    assert DecisionLog().list() == []


def test_update_job_event_is_judged_on_current_state(project):
    _create({**FULL_JOB, "NumberOfWorkers": 90})
    handler(load("enforcer/update_job.json"), LambdaContext())
    assert _job()["NumberOfWorkers"] == 50


def test_bad_name_reported_by_default(project):
    name = "ingest-final-v2"
    _create({**FULL_JOB, "Role": project.resources.job_role_arn}, name=name)
    result = handler(load("enforcer/create_job_bad_name.json"), LambdaContext())
    assert result["outcome"] == "remediated"  # the name is reported; the rest is fixed in place
    assert "job-naming" in result["violations"]
    assert _job(name)["NumberOfWorkers"] == 50  # what can be fixed in place still is
    [decision] = DecisionLog().list(PID)
    assert {v["rule"]: v["unfixable"] for v in decision.violations}["job-naming"] is True


def test_bad_name_deleted_only_after_definition_saved(project, monkeypatch):
    monkeypatch.setenv("GLUEGUARD_POLICY", json.dumps({"naming_action": "delete"}))
    name = "ingest-final-v2"
    _create({**FULL_JOB, "Role": project.resources.job_role_arn}, name=name)
    original = _job(name)

    result = handler(load("enforcer/create_job_bad_name.json"), LambdaContext())

    assert result["outcome"] == "deleted"
    glue, s3 = boto3.client("glue"), boto3.client("s3")
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_job(JobName=name)
    [obj] = s3.list_objects_v2(Bucket=project.bucket("artifacts"), Prefix="glueguard/quarantine/job/")["Contents"]
    saved = json.loads(s3.get_object(Bucket=project.bucket("artifacts"), Key=obj["Key"])["Body"].read())
    assert saved["definition"]["DefaultArguments"] == original["DefaultArguments"]
    replay = saved["replay"]["request"]
    assert replay["Name"] == f"project-{PID}-job-ingest-final-v2"
    assert replay["NumberOfWorkers"] == 50 and replay["Tags"]["Project"] == f"project-{PID}"
    glue.create_job(**replay)  # the saved request really replays
    assert glue.get_job(JobName=replay["Name"])["Job"]["Role"] == project.resources.job_role_arn


def test_delete_never_happens_when_save_fails(project, monkeypatch):
    monkeypatch.setenv("GLUEGUARD_POLICY", json.dumps({"naming_action": "delete"}))
    name = "ingest-final-v2"
    _create({**FULL_JOB, "Role": project.resources.job_role_arn}, name=name)
    s3 = boto3.client("s3")
    for obj in s3.list_object_versions(Bucket=project.bucket("artifacts")).get("Versions", []):
        s3.delete_object(Bucket=project.bucket("artifacts"), Key=obj["Key"])
    s3.delete_bucket(Bucket=project.bucket("artifacts"))  # nowhere to save

    with pytest.raises(Exception, match="put_object"):
        handler(load("enforcer/create_job_bad_name.json"), LambdaContext())
    assert _job(name)["Name"] == name


def test_event_whose_request_was_omitted_is_named_from_its_response(project):
    """CloudTrail omits large requestParameters (a visual job's CodeGenConfigurationNodes): the response names it."""
    _create(FULL_JOB)
    event = load("enforcer/create_job_noncompliant.json")
    event["detail"]["requestParameters"] = None

    result = handler(event, LambdaContext())

    assert result["outcome"] == "remediated"
    assert _job()["NumberOfWorkers"] == 50


def test_event_that_cannot_name_its_resource_is_counted_and_left_to_the_sweep(project, capsys):
    event = load("enforcer/create_job_noncompliant.json")
    event["detail"]["requestParameters"] = None
    event["detail"]["responseElements"] = None  # nothing names the job: no DLQ message per such event

    result = handler(event, LambdaContext())

    assert result["outcome"] == "skipped"
    assert "left to the compliance sweep" in result["reason"]
    assert '"UnnamedEvents"' in capsys.readouterr().out  # the EMF metric
    assert DecisionLog().list(PID) == []


def test_a_job_with_a_member_the_sdk_does_not_know_is_reported_not_reset(project):
    """GetJob returns a member newer than the botocore in use: it is dropped when parsed, and an UpdateJob
    rebuilt from the parsed job would reset it. The plane reports instead of correcting."""
    from moto.glue.models import glue_backends

    _create(FULL_JOB)
    job = glue_backends["123456789012"]["us-east-1"].jobs[JOB]
    modified = job.last_modified_on
    job.gg_newer_members = {"FutureCapacityMode": {"Mode": "ELASTIC"}}  # the emulator's GetJob returns it

    result = handler(load("enforcer/create_job_noncompliant.json"), LambdaContext())

    assert result["outcome"] == "reported", result
    assert job.last_modified_on == modified  # no UpdateJob: it would have reset the newer member
    assert _job()["NumberOfWorkers"] == 80  # nothing corrected
    [decision] = DecisionLog().list(PID)
    assert any("FutureCapacityMode" in v["message"] for v in decision.violations)


def test_a_changed_project_override_is_in_force_after_the_cache_time_without_a_cold_start(project, clock):
    """A warm container re-reads a project entry once the policy cache time (30 s by default) has passed on the one
    clock (`clock` moves it as `sandbox tick` does; real time runs on too, hence the margin of 5 s)."""
    from glueguard.adapters.registry import Registry

    glue = boto3.client("glue")

    def enforce(stem: str) -> int:
        name = f"project-{PID}-job-{stem}"
        glue.create_job(Name=name, **{**FULL_JOB, "NumberOfWorkers": 80})
        event = load("enforcer/create_job_noncompliant.json")
        event["id"] = event["detail"]["eventID"] = f"evt-{stem}"
        event["detail"]["requestParameters"]["name"] = event["detail"]["responseElements"]["name"] = name
        handler(event, LambdaContext())
        return glue.get_job(JobName=name)["Job"]["NumberOfWorkers"]

    assert enforce("before") == 50  # the policy's max_workers_per_job
    Registry().update(PID, policy_overrides={"max_workers_per_job": 20})  # e.g. the platform team, elsewhere
    clock.shift(25)
    assert enforce("cached") == 50  # within the cache time the container still judges with what it read
    clock.shift(6)
    assert enforce("after") == 20  # no cold start: the entry was read again
