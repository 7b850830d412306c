"""Issue 13, item 4, in the sandbox: S3 sends object keys URL-encoded in its events; an upload under a Hive-style
prefix with a space and a plus starts its job once, with the key the object really has."""

from __future__ import annotations

import uuid

import pytest
from glueguard.adapters.decisions import DecisionLog
from glueguard.naming import ProjectNames

from tests.e2e.conftest import Events, SandboxHandle, provisioned_project
from tests.support.runs import make_job

KEY = "incoming/dt=2026-11-29/part 1+2.csv"


@pytest.fixture
def guarded(plane_env: SandboxHandle, monkeypatch) -> SandboxHandle:
    monkeypatch.setenv("GLUEGUARD_LEDGER_TABLE", plane_env.outputs["RunLedgerTableName"])
    return plane_env


def test_encoded_key_starts_its_job_once_with_the_decoded_key(guarded: SandboxHandle, events: Events):
    names = ProjectNames(str(uuid.uuid4()))
    bucket = names.artifacts_bucket
    binding = {
        "bucket": bucket,
        "prefix": "incoming/dt=",
        "suffix": ".csv",
        "jobName": names.resource("job", "hive"),
        "arguments": {"--input": "s3://{bucket}/{key}"},
    }
    project = provisioned_project(guarded, names.project_id, uploadTriggers=[binding])
    job = make_job(project, "hive", glue=guarded.client("glue"))
    s3 = guarded.client("s3")
    created = events.capture({"source": ["aws.s3"], "detail-type": ["Object Created"]})

    s3.put_object(Bucket=bucket, Key=KEY, Body=b"a,b\n1,2\n")
    guarded.drain()

    [event] = events.receive(created)
    assert event["body"]["detail"]["object"]["key"] == "incoming/dt%3D2026-11-29/part+1%2B2.csv"  # as S3 sends it
    [run] = guarded.client("glue").get_job_runs(JobName=job)["JobRuns"]
    assert run["Arguments"]["--input"] == f"s3://{bucket}/{KEY}"
    s3.head_object(Bucket=bucket, Key=KEY)  # the path the job gets is the object's
    started = [d for d in DecisionLog().list(project.project_id) if d.outcome == "started"]
    assert [d.figures["object"] for d in started] == [f"s3://{bucket}/{KEY}"]
