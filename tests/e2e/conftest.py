"""The sandbox for e2e tests: `glueguard sandbox up` in a subprocess on a free port, one per session."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from glueguard_dev.sandbox.process import SandboxProcess

ROOT = Path(__file__).resolve().parents[2]
#: One Glue "minute" lasts this many real seconds in the test sandbox (Timeout, NotifyDelayAfter).
MINUTE_SECONDS = 1.0

pytestmark = pytest.mark.e2e


@dataclass
class SandboxHandle:
    endpoint: str
    outputs: dict[str, str]

    def client(self, service: str, credentials: dict[str, str] | None = None) -> Any:
        creds = credentials or {"AccessKeyId": "testing", "SecretAccessKey": "testing"}
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds.get("SessionToken"),
        )

    def post(self, route: str, body: Any = None) -> Any:
        from glueguard_dev.commands.sandbox import post

        return post(self.endpoint, route, body)

    def drain(self) -> None:
        assert self.post("drain", {"timeout": 30})["idle"]

    def assume(self, role_name: str, session: str, path: str = "/") -> dict[str, str]:
        """Credentials of an assumed-role session of `role_name` (created if missing)."""
        iam = self.client("iam")
        try:
            arn = iam.get_role(RoleName=role_name)["Role"]["Arn"]
        except iam.exceptions.NoSuchEntityException:
            arn = iam.create_role(RoleName=role_name, Path=path, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        return self.client("sts").assume_role(RoleArn=arn, RoleSessionName=session)["Credentials"]


def poll(check: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Call `check` until it returns something truthy; return it (None when the time is up)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxHandle]:
    with SandboxProcess("--minute-seconds", str(MINUTE_SECONDS), log=ROOT / ".e2e-sandbox.log") as process:
        yield SandboxHandle(process.endpoint, process.outputs)


@pytest.fixture
def plane_env(sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHandle]:
    """Point the test process's boto3 (and the layer's adapters) at the sandbox, as an admin."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setenv("GLUEGUARD_PROJECTS_TABLE", sandbox.outputs["ProjectsTableName"])
    monkeypatch.setenv("GLUEGUARD_DECISIONS_TABLE", sandbox.outputs["DecisionsTableName"])
    from glueguard.adapters.clients import reset_clients

    reset_clients()
    boto3.DEFAULT_SESSION = None
    yield sandbox
    reset_clients()
    boto3.DEFAULT_SESSION = None
