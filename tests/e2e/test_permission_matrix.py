"""The permission matrix, IAM evaluated: each deployed function's own role (the session Lambda gives it) and a
provisioned project's scientist are refused calls outside their purpose — at least ten each — while the calls
they make for their purpose succeed across the e2e suite (every plane denial would show as `iam: denied` in
the sandbox log and fail the flows that need it)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import SandboxHandle, job_definition, provisioned_project, scientist_session
from tests.support.denials import denied

FUNCTIONS = [
    "EnforcerFunction",
    "RunGuardFunction",
    "UploadTriggerFunction",
    "ComplianceFunction",
    "ProvisionerFunction",
]
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"

Call = Callable[[SandboxHandle, dict[str, str], Any, Any], Any]


def _client(sandbox: SandboxHandle, credentials: dict[str, str], service: str) -> Any:
    return sandbox.client(service, credentials)


#: calls no plane function may make (its role, whatever the function): (name, call(sandbox, creds, project, other))
OUTSIDE_THE_PLANE: list[tuple[str, Call]] = [
    (
        "create an IAM user",
        lambda s, c, p, o: _client(s, c, "iam").create_user(UserName=f"intruder-{uuid.uuid4().hex[:6]}"),
    ),
    (
        "make its own role admin",
        lambda s, c, p, o: _client(s, c, "iam").attach_role_policy(RoleName=c["role_name"], PolicyArn=ADMIN_POLICY),
    ),
    (
        "read a project's data object",
        lambda s, c, p, o: _client(s, c, "s3").get_object(Bucket=p.names.scripts_bucket, Key="data/train.csv"),
    ),
    (
        "write a project's script",
        lambda s, c, p, o: _client(s, c, "s3").put_object(Bucket=p.names.scripts_bucket, Key="evil.py", Body=b"x"),
    ),
    (
        "assume a project's job role",
        lambda s, c, p, o: _client(s, c, "sts").assume_role(RoleArn=p.resources.job_role_arn, RoleSessionName="steal"),
    ),
    (
        "delete the projects table",
        lambda s, c, p, o: _client(s, c, "dynamodb").delete_table(TableName=s.outputs["ProjectsTableName"]),
    ),
    (
        "rewrite the enforcer's code",
        lambda s, c, p, o: _client(s, c, "lambda").update_function_configuration(
            FunctionName=s.physical("EnforcerFunction"), Timeout=1
        ),
    ),
    (
        "overwrite the policy parameter",
        lambda s, c, p, o: _client(s, c, "ssm").put_parameter(
            Name=s.outputs["PolicyParameterName"], Value="{}", Type="String", Overwrite=True
        ),
    ),
    (
        "disable a rule on the default bus",
        lambda s, c, p, o: _client(s, c, "events").disable_rule(Name="not-a-project-rule"),
    ),
    (
        "delete another project's bucket",
        lambda s, c, p, o: _client(s, c, "s3").delete_bucket(Bucket=o.names.bucket("temp")),
    ),
    (
        "create a bucket outside any project",
        lambda s, c, p, o: _client(s, c, "s3").create_bucket(Bucket=f"exfil-{uuid.uuid4().hex[:8]}"),
    ),
]

#: calls within a function's purpose although outside the plane's (the provisioner creates and removes project
#: buckets and keys); every function still has at least ten refused calls
PURPOSE = {"ProvisionerFunction": {"delete another project's bucket"}}

#: calls outside a scientist's purpose (project A's scientist policy)
OUTSIDE_THE_SCIENTIST: list[tuple[str, Call]] = [
    (
        "pass another project's role",
        lambda s, c, p, o: _client(s, c, "glue").create_job(
            Name=p.names.resource("job", "x"),
            Role=o.resources.job_role_arn,
            Command={"Name": "glueetl", "ScriptLocation": f"s3://{p.names.scripts_bucket}/x.py"},
        ),
    ),
    ("read another project's key", lambda s, c, p, o: _client(s, c, "kms").describe_key(KeyId=o.resources.kms_key_arn)),
    (
        "decrypt with another project's key",
        lambda s, c, p, o: _client(s, c, "kms").decrypt(KeyId=o.resources.kms_key_arn, CiphertextBlob=b"x" * 32),
    ),
    (
        "write under /glueguard/",
        lambda s, c, p, o: _client(s, c, "s3").put_object(
            Bucket=p.names.bucket("artifacts"), Key="glueguard/quarantine/job/forged.json", Body=b"{}"
        ),
    ),
    (
        "read another project's scripts",
        lambda s, c, p, o: _client(s, c, "s3").get_object(Bucket=o.names.scripts_bucket, Key="x.py"),
    ),
    (
        "run another project's job",
        lambda s, c, p, o: _client(s, c, "glue").start_job_run(JobName=o.names.resource("job", "x")),
    ),
    (
        "read the decisions table",
        lambda s, c, p, o: _client(s, c, "dynamodb").scan(TableName=s.outputs["DecisionsTableName"]),
    ),
    (
        "edit the project registry",
        lambda s, c, p, o: _client(s, c, "dynamodb").delete_item(
            TableName=s.outputs["ProjectsTableName"], Key={"project_id": {"S": p.project_id}}
        ),
    ),
    (
        "invoke the provisioner",
        lambda s, c, p, o: _client(s, c, "lambda").invoke(
            FunctionName=s.physical("ProvisionerFunction"), Payload=b"{}"
        ),
    ),
    (
        "start the deprovisioning workflow",
        lambda s, c, p, o: _client(s, c, "stepfunctions").start_execution(
            stateMachineArn=s.outputs["DeprovisionProjectStateMachineArn"],
            input=json.dumps({"projectId": o.project_id}),
        ),
    ),
    (
        "detach its own policy",
        lambda s, c, p, o: _client(s, c, "iam").detach_role_policy(
            RoleName=c["role_name"], PolicyArn=p.resources.scientist_policy_arn
        ),
    ),
    (
        "create an IAM user",
        lambda s, c, p, o: _client(s, c, "iam").create_user(UserName=f"intruder-{uuid.uuid4().hex[:6]}"),
    ),
]


def test_every_principal_has_at_least_ten_refusals():
    assert all(len(OUTSIDE_THE_PLANE) - len(PURPOSE.get(f, set())) >= 10 for f in FUNCTIONS)
    assert len(OUTSIDE_THE_SCIENTIST) >= 10


@pytest.fixture(scope="module")
def matrix(sandbox: SandboxHandle) -> dict[str, Any]:
    a, b = provisioned_project(sandbox), provisioned_project(sandbox)
    awslambda = sandbox.client("lambda")
    principals: dict[str, dict[str, str]] = {}
    for function in FUNCTIONS:
        role_arn = awslambda.get_function_configuration(FunctionName=sandbox.physical(function))["Role"]
        credentials = sandbox.service_session(role_arn, "lambda.amazonaws.com")
        principals[function] = {**credentials, "role_name": role_arn.rsplit("/", 1)[-1]}
    scientist = scientist_session(sandbox, a, "alice")  # IAM Identity Center: A's permission set
    caller = sandbox.client("sts", scientist).get_caller_identity()["Arn"]
    principals["scientist"] = {**scientist, "role_name": caller.split(":assumed-role/", 1)[1].split("/")[0]}
    return {"a": a, "b": b, "principals": principals}


@pytest.mark.parametrize(
    ("function", "name"),
    [(f, n) for f in FUNCTIONS for n, _ in OUTSIDE_THE_PLANE if n not in PURPOSE.get(f, set())],
)
def test_a_plane_function_is_refused_outside_its_purpose(sandbox: SandboxHandle, matrix, function: str, name: str):
    call = dict(OUTSIDE_THE_PLANE)[name]
    message = denied(call, sandbox, matrix["principals"][function], matrix["a"], matrix["b"])
    assert f"assumed-role/{matrix['principals'][function]['role_name']}/" in message


@pytest.mark.parametrize("name", [n for n, _ in OUTSIDE_THE_SCIENTIST])
def test_a_scientist_is_refused_outside_the_project(sandbox: SandboxHandle, matrix, name: str):
    call = dict(OUTSIDE_THE_SCIENTIST)[name]
    denied(call, sandbox, matrix["principals"]["scientist"], matrix["a"], matrix["b"])


def test_the_upload_trigger_cannot_update_a_job(sandbox: SandboxHandle, matrix):
    a = matrix["a"]
    update = {"Role": a.resources.job_role_arn, "Command": {"Name": "glueetl", "ScriptLocation": "s3://x/y.py"}}
    glue = sandbox.client("glue", matrix["principals"]["UploadTriggerFunction"])
    denied(glue.update_job, JobName=a.names.resource("job", "ingest"), JobUpdate=update, because="glue:UpdateJob")


def test_the_scientist_does_what_a_scientist_may(sandbox: SandboxHandle, matrix):
    a = matrix["a"]
    credentials = matrix["principals"]["scientist"]
    s3, glue = sandbox.client("s3", credentials), sandbox.client("glue", credentials)
    s3.put_object(Bucket=a.names.scripts_bucket, Key="train.py", Body=b"print(1)")  # SSE-KMS with A's key
    assert s3.get_object(Bucket=a.names.scripts_bucket, Key="train.py")["Body"].read() == b"print(1)"
    glue.create_job(**job_definition(a, "train"))
    assert glue.get_job(JobName=a.names.resource("job", "train"))["Job"]["Role"] == a.resources.job_role_arn
