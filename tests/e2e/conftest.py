"""The sandbox for e2e tests: `glueguard sandbox up` in a subprocess on a free port, one per session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import boto3
import pytest
import time_machine
from glueguard.models.project import Project, ProjectStatus

from glueguard_sandbox.demo import endpoint_client
from glueguard_sandbox.process import SandboxProcess
from tests.support.clock import START

ROOT = Path(__file__).resolve().parents[2]
#: One Glue "minute" lasts this many real seconds in the test sandbox (Timeout, NotifyDelayAfter).
MINUTE_SECONDS = 1.0
#: How long the deployed functions keep a policy version (the template's default is 30 s).
POLICY_CACHE_SECONDS = 2.0
#: Lambda's concurrent executions in the test sandboxes' account (AWS's default quota is 1000; new accounts
#: have 10). Lambda keeps 100 of them unreserved (PutFunctionConcurrency), so the template's one reserved execution
#: (the compliance sweep) and the two the concurrency tests reserve need 103; a burst then runs up to ~107
#: environments at once and throttles the rest (retried): a worker's sandbox holds tens of processes, not a thousand.
os.environ.setdefault("GLUEGUARD_ACCOUNT_CONCURRENCY", "110")

pytestmark = pytest.mark.e2e
#: Every e2e sandbox's clock starts where the test process's does (`sandbox up --start`): no test reads today.
AT_START = ("--start", START.isoformat())
ACCOUNT = "123456789012"

#: A principal whose IAM lets it create non-compliant Glue resources (any role, any settings): the plane,
#: not IAM, must then correct what it does. Tests of least privilege use the project's scientist policy.
GLUE_POWER_USER: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "glue:*", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}},
        },
    ],
}


def trust(*principals: str, service: str | list[str] | None = None) -> str:
    """A role trust policy letting the given accounts / principals (or a service) assume the role."""
    principal: dict[str, Any] = (
        {"Service": service}
        if service
        else {"AWS": [f"arn:aws:iam::{p}:root" if p.isdigit() else p for p in principals]}
    )
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}],
        }
    )


class Deployment(Protocol):
    """A deployed stack to call: its endpoint, its outputs and admin clients (a sandbox, or an organization's
    central account)."""

    endpoint: str
    outputs: dict[str, str]

    def client(self, service: str) -> Any: ...


#: AccessKeyId of a session a test obtained (AssumeRole through a handle's STS client, a service session) -> how to
#: obtain a fresh one of the same role and name.
_RENEWERS: dict[str, Callable[[], dict[str, str]]] = {}
EXPIRED = frozenset({"ExpiredToken", "ExpiredTokenException"})


def _renewable(credentials: dict[str, str], renew: Callable[[], dict[str, str]]) -> dict[str, str]:
    _RENEWERS[credentials["AccessKeyId"]] = renew
    return credentials


def _remember_assumed_roles(sts: Any, endpoint: str, caller: dict[str, str]) -> None:
    """Record each session `sts` assumes, so a client on its credentials can assume it again once it expires."""

    def params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["gg_assume"] = dict(params)

    def record(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if "gg_assume" in context and "Credentials" in parsed:
            again = dict(context["gg_assume"])
            _renewable(
                parsed["Credentials"],
                lambda: endpoint_client(endpoint, "sts", caller).assume_role(**again)["Credentials"],
            )

    sts.meta.events.register("provide-client-params.sts.AssumeRole", params)
    sts.meta.events.register("after-call.sts.AssumeRole", record)


def _obtain_again_when_expired(built: Any) -> None:
    """Sessions end on the sandbox's clock, which tests move by hours (`tick`): as an SDK's assume-role credential
    provider would, a client on a session the test obtained obtains it again when AWS answers ExpiredToken, then
    retries the call."""
    from botocore.credentials import Credentials

    def renew(response: Any, attempts: int, **_: Any) -> int | None:
        code = ((response or (None, {}))[1] or {}).get("Error", {}).get("Code")
        current = built._request_signer._credentials
        if code not in EXPIRED or attempts > 2 or current.access_key not in _RENEWERS:
            return None
        again = _RENEWERS[current.access_key]
        fresh = _renewable(again(), again)
        built._request_signer._credentials = Credentials(
            fresh["AccessKeyId"], fresh["SecretAccessKey"], fresh["SessionToken"]
        )
        return 0

    built.meta.events.register_first("needs-retry", renew, unique_id="glueguard-obtain-again")


@dataclass
class SandboxHandle:
    endpoint: str
    outputs: dict[str, str]

    def client(
        self, service: str, credentials: dict[str, str] | None = None, config: Any = None, renew: bool = True
    ) -> Any:
        """A client of the sandbox (the account's administrator by default); on an assumed session's credentials
        it assumes the session again when it has expired (`renew=False`: it sees ExpiredToken)."""
        creds = credentials or {"AccessKeyId": "testing", "SecretAccessKey": "testing"}
        built = endpoint_client(self.endpoint, service, creds, config)
        if service == "sts":
            _remember_assumed_roles(built, self.endpoint, creds)
        if renew and creds["AccessKeyId"] in _RENEWERS:
            _obtain_again_when_expired(built)
        return built

    def sweep(self, payload: dict[str, Any]) -> Any:
        """Invoke the compliance sweep synchronously once it is free (reserved concurrency 1: a scheduled sweep may
        hold it), waiting as long as it may run (its Timeout, 900 s; botocore's 60 s read timeout would retry it)."""
        from botocore.config import Config

        self.drain()
        awslambda = self.client("lambda", config=Config(read_timeout=900, retries={"total_max_attempts": 1}))
        return awslambda.invoke(FunctionName=self.outputs["ComplianceFunctionName"], Payload=json.dumps(payload))

    def physical(self, logical_id: str) -> str:
        """The deployed function whose stack-generated name carries `logical_id`."""
        functions = self.client("lambda").list_functions()["Functions"]
        [name] = [f["FunctionName"] for f in functions if f"-{logical_id}-" in f["FunctionName"]]
        return name

    def service_session(
        self, role_arn: str, service: str = "glue.amazonaws.com", session_name: str | None = None
    ) -> dict[str, str]:
        """Credentials of the session a service gets for `role_arn` (e.g. Glue for a job run or a dev endpoint),
        named `session_name` when given (Glue names a job run's session `GlueJobRunnerSession`)."""
        spec = {"roleArn": role_arn, "service": service, **({"sessionName": session_name} if session_name else {})}
        obtain = lambda: self.post("service-session", spec)  # noqa: E731
        return _renewable(obtain(), obtain)

    def post(self, route: str, body: Any = None, timeout: float = 60.0) -> Any:
        from glueguard_sandbox.commands import post

        return post(self.endpoint, route, body, timeout=timeout)

    def get(self, route: str) -> Any:
        """GET a sandbox-only route (e.g. `faults`): its JSON answer."""
        import urllib.request

        with urllib.request.urlopen(f"{self.endpoint}/_glueguard/{route}", timeout=10) as response:
            return json.loads(response.read())

    def drain(self, timeout: float = 90.0) -> None:
        """Wait until every queued delivery has run (generous: a busy CI machine runs them slowly)."""
        assert self.post("drain", {"timeout": timeout}, timeout=timeout + 10)["idle"]

    def assume(
        self, role_name: str, session: str, path: str = "/", policy: dict[str, Any] | None = GLUE_POWER_USER
    ) -> dict[str, str]:
        """Credentials of an assumed-role session of `role_name`, created if missing with a trust policy for
        the account and `policy` inline (IAM is evaluated: a role without a policy may do nothing)."""
        iam = self.client("iam")
        try:
            arn = iam.get_role(RoleName=role_name)["Role"]["Arn"]
        except iam.exceptions.NoSuchEntityException:
            arn = iam.create_role(RoleName=role_name, Path=path, AssumeRolePolicyDocument=trust(ACCOUNT))["Role"]["Arn"]
            if policy is not None:
                iam.put_role_policy(
                    RoleName=role_name, PolicyName="test-permissions", PolicyDocument=json.dumps(policy)
                )
        return self.client("sts").assume_role(RoleArn=arn, RoleSessionName=session)["Credentials"]


def run_execution(sandbox: Deployment, output: str, payload: dict[str, Any], timeout: float = 120.0) -> dict[str, Any]:
    """Start the stack's state machine `output` (a stack output name) on `payload`; its finished execution."""
    sfn = sandbox.client("stepfunctions")
    arn = sfn.start_execution(
        stateMachineArn=sandbox.outputs[output],
        name=f"{payload['projectId']}-{uuid.uuid4().hex[:8]}",
        input=json.dumps(payload),
    )["executionArn"]
    deadline = time.monotonic() + timeout
    while True:
        execution = sfn.describe_execution(executionArn=arn)
        if execution["status"] != "RUNNING" or time.monotonic() > deadline:
            return execution
        time.sleep(0.1)


def provisioned(sandbox: SandboxHandle, request: dict[str, Any]) -> dict[str, Any]:
    """Provision a project through the deployed state machine; its execution output."""
    done = run_execution(sandbox, "ProvisionProjectStateMachineArn", request)
    assert done["status"] == "SUCCEEDED", done.get("cause")
    return json.loads(done["output"])


def provisioned_project(sandbox: Deployment, project_id: str | None = None, **request_fields: Any) -> Project:
    """A project provisioned the way users do, through the deployed state machine (the request of
    `tests.support.provisioning.request` with `request_fields`, e.g. `accountId` of a member), as the registry
    then holds it."""
    from glueguard.adapters.clients import reset_clients
    from glueguard.adapters.registry import Registry

    from tests.support.provisioning import request

    project_id = project_id or str(uuid.uuid4())
    provisioned(sandbox, request(project_id, **request_fields))
    with pytest.MonkeyPatch.context() as env:  # the registry's table as the administrator, whatever the process holds
        env.setenv("AWS_ENDPOINT_URL", sandbox.endpoint)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.delenv("AWS_SESSION_TOKEN", raising=False)
        reset_clients()
        project = Registry(table_name=sandbox.outputs["ProjectsTableName"]).get(project_id, cached=False)
    reset_clients()
    assert project is not None and project.status == ProjectStatus.ACTIVE, project
    return project


def enforcer_log(sandbox: Deployment, envelope_id: str, message: str) -> list[dict[str, Any]]:
    """The deployed enforcer's log lines (Powertools JSON) with `message` for the event whose envelope id is
    `envelope_id`, read from its log group as an operator would: the evidence it ran, and how."""
    logs = sandbox.client("logs")
    group = f"/aws/lambda/{sandbox.physical('EnforcerFunction')}"  # type: ignore[attr-defined]
    try:
        pages = logs.get_paginator("filter_log_events").paginate(logGroupName=group)
        lines = [line for page in pages for e in page["events"] for line in e["message"].splitlines()]
    except logs.exceptions.ResourceNotFoundException:
        return []
    found = [json.loads(line) for line in lines if envelope_id in line and line.startswith("{")]
    return [entry for entry in found if entry.get("message") == message and entry.get("event_id") == envelope_id]


def scientist_session(sandbox: Deployment, project: Project, user: str) -> dict[str, str]:
    """Credentials a scientist of `project` signs in with: `glueguard sandbox credentials` (IAM Identity Center:
    the user in the project's group, its permission set's AWSReservedSSO_ role in the project's account)."""
    from glueguard_sandbox.sign_in import credentials

    sign_in = lambda: credentials(sandbox.endpoint, project.project_id, user)  # noqa: E731
    return _renewable(sign_in(), sign_in)  # signed in again when its session ends (`tick`)


def identity_center_group(sandbox: Deployment, name: str) -> str:
    """A group of the sandbox's Identity Center (made as a platform admin would): its id, for `scientistGroups`."""
    [instance] = sandbox.client("sso-admin").list_instances()["Instances"]
    store = sandbox.client("identitystore")
    return str(store.create_group(IdentityStoreId=instance["IdentityStoreId"], DisplayName=name)["GroupId"])


def poll(check: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Call `check` until it returns something truthy; return it (None when the time is up)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


@pytest.fixture(scope="session", autouse=True)
def sandbox_time() -> Iterator[time_machine.Traveller]:
    """The test process's time for the whole session: from START, as its sandboxes' clocks start (the plane's
    code the tests run in process, e.g. the CLI, then sees the sandbox's month)."""
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@pytest.fixture
def clock(sandbox_time: time_machine.Traveller) -> time_machine.Traveller:
    """In e2e tests one time runs through the session (the sandbox's is not reset between tests)."""
    return sandbox_time


@pytest.fixture(scope="session")
def sandbox(worker_id: str) -> Iterator[SandboxHandle]:
    """One sandbox per pytest-xdist worker (its own port, account state and log: `.e2e-sandbox-gw0.log`)."""
    with SandboxProcess(
        "--minute-seconds",
        str(MINUTE_SECONDS),
        "--manual-schedules",
        *AT_START,
        "--parameter",
        f"PolicyCacheSeconds={POLICY_CACHE_SECONDS:g}",
        log=ROOT / f".e2e-sandbox-{worker_id}.log",
    ) as process:
        yield SandboxHandle(process.endpoint, process.outputs)


def point_at(sandbox: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the test process's boto3 (and the layer's adapters and tables) at `sandbox`, as an admin."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setenv("GLUEGUARD_PROJECTS_TABLE", sandbox.outputs["ProjectsTableName"])
    monkeypatch.setenv("GLUEGUARD_DECISIONS_TABLE", sandbox.outputs["DecisionsTableName"])
    monkeypatch.setenv("GLUEGUARD_LEDGER_TABLE", sandbox.outputs["RunLedgerTableName"])
    from glueguard.adapters.clients import reset_clients

    reset_clients()
    boto3.DEFAULT_SESSION = None


@pytest.fixture
def plane_env(sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHandle]:
    """Point the test process's boto3 (and the layer's adapters) at the sandbox, as an admin."""
    from glueguard.adapters.clients import reset_clients

    point_at(sandbox, monkeypatch)
    yield sandbox
    reset_clients()
    boto3.DEFAULT_SESSION = None


def noncompliant_job(pid: str) -> dict[str, Any]:
    """A CreateJob request (without its name) for project `pid` the enforcer corrects: another role, 80 workers."""
    return {
        "Role": "arn:aws:iam::123456789012:role/some-admin-role",
        "Command": {"Name": "glueetl", "ScriptLocation": f"s3://project-{pid}-glue-scripts/x.py"},
        "GlueVersion": "4.0",
        "WorkerType": "G.1X",
        "NumberOfWorkers": 80,
    }


def job_definition(
    project: Any, stem: str, role: str | None = None, connection: str | None = None, workers: int = 2
) -> dict[str, Any]:
    """A CreateJob request for a job of `project` (its role and network unless told otherwise)."""
    return {
        "Name": project.names.resource("job", stem),
        "Role": role or project.resources.job_role_arn,
        "Command": {"Name": "glueetl", "ScriptLocation": f"s3://{project.names.scripts_bucket}/{stem}.py"},
        "Connections": {"Connections": [connection or project.connection_name]},
        "GlueVersion": "4.0",
        "WorkerType": "G.1X",
        "NumberOfWorkers": workers,
        "Timeout": 60,
    }


def session_request(project: Any, stem: str, **extra: Any) -> dict[str, Any]:
    """A CreateSession request for an interactive session of `project` (its dev role, network and tags)."""
    return {
        "Id": project.names.resource("session", stem),
        "Role": project.resources.dev_role_arn,
        "Command": {"Name": "glueetl", "PythonVersion": "3"},
        "Connections": {"Connections": [project.connection_name]},
        "SecurityConfiguration": project.security_configuration,
        "Tags": project.mandatory_tags(),
        **extra,
    }


class Events:
    """Capture what reaches the default bus (or a target) through an SQS queue."""

    def __init__(self, sandbox: SandboxHandle) -> None:
        self.sandbox = sandbox
        self.sqs = sandbox.client("sqs")
        self.events = sandbox.client("events")

    def queue(self, name: str | None = None) -> tuple[str, str]:
        name = name or f"q-{uuid.uuid4().hex[:12]}"
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def capture(self, pattern: dict[str, Any], **target: Any) -> str:
        """A rule on the default bus sending matching events to a new queue; returns the queue URL."""
        url, arn = self.queue()
        rule = f"capture-{uuid.uuid4().hex[:12]}"
        self.events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
        self.events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": arn, **target}])
        return url

    def receive(self, url: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """At least `count` messages (bodies parsed as JSON when they are), or what came in `timeout`."""
        got: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            for message in self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
            ).get("Messages", []):
                try:
                    body = json.loads(message["Body"])
                except ValueError:
                    body = message["Body"]
                got.append({"body": body, "attributes": message.get("MessageAttributes", {})})
            if len(got) < count:
                time.sleep(0.05)
        return got


@pytest.fixture
def events(sandbox: SandboxHandle) -> Events:
    return Events(sandbox)


@pytest.fixture(scope="session")
def echo_function(sandbox: SandboxHandle) -> dict[str, str]:
    """A deployed test function (tests/e2e/functions/echo) recording each invocation in a queue."""
    from glueguard_sandbox import deploy

    capture = Events(sandbox)
    record_url, record_arn = capture.queue("echo-invocations")
    failures_url, failures_arn = capture.queue("echo-failures")
    code = "tests/e2e/functions/echo"
    sandbox.client("s3").put_object(Bucket=deploy.ARTIFACT_BUCKET, Key=code, Body=deploy._zip(ROOT / code))
    iam = sandbox.client("iam")
    role = iam.create_role(
        RoleName="echo-role",
        Path="/tests/",
        AssumeRolePolicyDocument=trust(service=["lambda.amazonaws.com", "states.amazonaws.com"]),
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName="echo-role",
        PolicyName="record",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": record_arn},
                    {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"},  # as a state machine role
                ],
            }
        ),
    )
    awslambda = sandbox.client("lambda")
    arn = awslambda.create_function(
        FunctionName="echo",
        Runtime="python3.13",
        Role=role,
        Handler="app.handler",
        Code={"S3Bucket": deploy.ARTIFACT_BUCKET, "S3Key": code},
        Environment={"Variables": {"RECORD_QUEUE_URL": record_url}},
    )["FunctionArn"]
    awslambda.put_function_event_invoke_config(
        FunctionName="echo",
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )
    return {"arn": arn, "record_url": record_url, "failures_url": failures_url, "role": role}


@pytest.fixture(params=[0, 2], ids=["idle", "beside-two-cpu-bound-processes"])
def machine_load(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test as is, then again beside two CPU-bound processes (a busy CI machine)."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(request.param)]
    try:
        yield request.param
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
