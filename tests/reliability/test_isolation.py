"""Isolation with IAM enforcement on: two provisioned projects, A's roles against B's resources.

Provisioning writes the policies (scientist policy, role policies); moto enforces them with the
emulator's Glue evaluation (glueguard_dev/emulator/iam_glue.py: Glue resource ARNs, iam:PassRole with
its conditions, the VPC keys of a job's connections). Each denial is paired with the same call on A's
own resource succeeding, so enforcement is shown to decide, not merely to refuse.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from glueguard.adapters.registry import Registry
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


def _client(service: str, credentials: dict) -> object:
    return boto3.client(
        service,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def _denied(call, *args, because: str = "", **kwargs) -> None:
    """The call is refused by IAM (and, when given, for the action `because`)."""
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    error = caught.value.response["Error"]
    assert error["Code"] in ("AccessDenied", "AccessDeniedException"), caught.value
    assert not because or f"perform: {because} " in error["Message"], error["Message"]


def _job(project, stem: str, role: str | None = None, connection: str | None = None) -> dict:
    return {
        "Name": project.names.resource("job", stem),
        "Role": role or project.resources.job_role_arn,
        "Command": {"Name": "glueetl", "ScriptLocation": f"s3://{project.names.scripts_bucket}/{stem}.py"},
        "Connections": {"Connections": [connection or project.connection_name]},
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
    glue, s3, iam, sts = (boto3.client(s) for s in ("glue", "s3", "iam", "sts"))
    for project in (a, b):
        glue.create_job(**_job(project, "existing"))
        s3.put_object(Bucket=project.names.scripts_bucket, Key="existing.py", Body=b"print(1)")
    iam.create_role(RoleName="sso-scientist-a", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="sso-scientist-a", PolicyArn=a.resources.scientist_policy_arn)
    scientist = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/sso-scientist-a", RoleSessionName="alice")
    job_role = sts.assume_role(RoleArn=a.resources.job_role_arn, RoleSessionName="glue-job")
    return a, b, scientist["Credentials"], job_role["Credentials"]


def test_a_job_role_reads_and_writes_only_its_own_buckets(projects):
    a, b, _, job_role = projects
    s3 = _client("s3", job_role)
    with enable_iam_authentication():
        assert s3.get_object(Bucket=a.names.scripts_bucket, Key="existing.py")["Body"].read() == b"print(1)"
        s3.put_object(Bucket=a.names.bucket("artifacts"), Key="out/part-0", Body=b"x")
        for purpose in ("scripts", "temp", "artifacts"):
            _denied(s3.put_object, Bucket=b.names.bucket(purpose), Key="stolen", Body=b"x")
            _denied(s3.list_objects_v2, Bucket=b.names.bucket(purpose))
        _denied(s3.get_object, Bucket=b.names.scripts_bucket, Key="existing.py")


def test_a_scientist_passes_only_a_roles_inside_a_network(projects):
    a, b, scientist, _ = projects
    glue = _client("glue", scientist)
    with enable_iam_authentication():
        glue.create_job(**_job(a, "mine"))  # A's role, A's network: allowed
        borrowed, admin = b.resources.job_role_arn, "arn:aws:iam::123456789012:role/sso-scientist-a"
        _denied(glue.create_job, **_job(a, "borrowed-role", role=borrowed), because="iam:PassRole")
        _denied(glue.create_job, **_job(a, "admin-role", role=admin), because="iam:PassRole")
        _denied(glue.create_job, **_job(a, "other-network", connection=b.connection_name), because="glue:CreateJob")
        _denied(glue.create_job, **_job(b, "planted"), because="glue:CreateJob")  # a job in B's namespace


def test_a_scientist_cannot_touch_b_glue_resources(projects):
    a, b, scientist, _ = projects
    glue = _client("glue", scientist)
    mine, theirs = a.names.resource("job", "existing"), b.names.resource("job", "existing")
    with enable_iam_authentication():
        assert glue.get_job(JobName=mine)["Job"]["Name"] == mine
        glue.start_job_run(JobName=mine)
        _denied(glue.get_job, JobName=theirs, because="glue:GetJob")
        _denied(glue.start_job_run, JobName=theirs, because="glue:StartJobRun")
        _denied(glue.delete_job, JobName=theirs, because="glue:DeleteJob")
        _denied(glue.get_tags, ResourceArn=f"arn:aws:glue:us-east-1:123456789012:job/{theirs}")
        assert glue.get_database(Name=a.names.database)["Database"]["Name"] == a.names.database
        _denied(glue.get_database, Name=b.names.database)
        _denied(glue.get_tables, DatabaseName=b.names.database)
    assert boto3.client("glue").get_job(JobName=theirs)["Job"]["Name"] == theirs  # still there
