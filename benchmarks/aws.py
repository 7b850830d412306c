"""The benchmarks' AWS: moto in-process with the glueguard emulator, one or more accounts side by side.

moto keeps one backend per account and reads the account of each request from MOTO_ACCOUNT_ID, so
two accounts (e.g. 10 jobs and 10,000 jobs) can be measured interleaved in one process.
"""

from __future__ import annotations

import copy
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_METRICS_NAMESPACE": "Glueguard",
    "POWERTOOLS_SERVICE_NAME": "glueguard",
}
REGION = "us-east-1"
POLICY_PARAMETER = "/glueguard/glueguard/policy"
POLICY = '{"max_jobs_per_project": 100000, "account_jobs_quota": 100000}'

#: The non-compliant job of events/enforcer/create_job_noncompliant.json: wrong role, no VPC, 80
#: workers, no timeout, no tags (a remediation of every kind the enforcer does on a job).
BAD_JOB = {
    "Role": "arn:aws:iam::123456789012:role/some-admin-role",
    "GlueVersion": "4.0",
    "WorkerType": "G.1X",
    "NumberOfWorkers": 80,
}


@contextmanager
def moto() -> Iterator[None]:
    """moto with the emulator extensions, the functions' env vars set, caches reset on both ends."""
    os.environ.update(ENV)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    from glueguard_sandbox.emulator import install

    install()
    os.environ.pop("GLUEGUARD_TOPIC_ARN", None)
    with mock_aws():
        _reset()
        try:
            yield
        finally:
            for key in ("MOTO_ACCOUNT_ID", "GLUEGUARD_TOPIC_ARN", "GLUEGUARD_POLICY_PARAMETER", "GLUEGUARD_ACCOUNT_ID"):
                os.environ.pop(key, None)
            _reset()


def _reset() -> None:
    from glueguard.adapters.clients import reset_clients
    from glueguard.handlers import enforcer

    reset_clients()
    enforcer.reset()


@contextmanager
def as_account(account_id: str) -> Iterator[None]:
    """Act in `account_id` as a plane deployed there would: moto's account, and the plane's own account (the
    template's GLUEGUARD_ACCOUNT_ID), so the project registered there is the plane's and not a member's."""
    from glueguard.adapters.clients import plane_account

    keys = ("MOTO_ACCOUNT_ID", "GLUEGUARD_ACCOUNT_ID")
    previous = {key: os.environ.get(key) for key in keys}
    os.environ.update(dict.fromkeys(keys, account_id))
    plane_account.cache_clear()
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        plane_account.cache_clear()


@dataclass
class Account:
    """One AWS account holding the plane's tables and topic and one registered project."""

    account_id: str
    project: Any  # glueguard.models.project.Project

    @property
    def job_name(self) -> str:
        return self.project.names.resource("job", "ingest")

    @property
    def job_arn(self) -> str:
        return f"arn:aws:glue:{REGION}:{self.account_id}:job/{self.job_name}"

    def bad_job(self) -> dict[str, Any]:
        script = f"s3://{self.project.names.scripts_bucket}/ingest.py"
        return {**BAD_JOB, "Command": {"Name": "glueetl", "ScriptLocation": script}}

    def reset_job(self, glue: Any) -> None:
        """Put the job back in its non-compliant state (not timed)."""
        with as_account(self.account_id):
            with suppress(glue.exceptions.EntityNotFoundException):
                glue.delete_job(JobName=self.job_name)
            glue.create_job(Name=self.job_name, **self.bad_job())
            tags = glue.get_tags(ResourceArn=self.job_arn).get("Tags", {})
            if tags:
                glue.untag_resource(ResourceArn=self.job_arn, TagsToRemove=list(tags))

    def create_job_event(self) -> dict[str, Any]:
        """A fresh CreateJob CloudTrail event (new envelope and event ids) naming this account's job."""
        from tests.support.events import load

        event = load("enforcer/create_job_noncompliant.json")
        event["id"] = str(uuid.uuid4())
        event["account"] = self.account_id
        detail = event["detail"]
        detail["eventID"] = str(uuid.uuid4())
        detail["recipientAccountId"] = self.account_id
        detail["userIdentity"]["accountId"] = self.account_id
        detail["requestParameters"]["name"] = detail["responseElements"]["name"] = self.job_name
        detail["requestParameters"]["command"]["scriptLocation"] = self.bad_job()["Command"]["ScriptLocation"]
        return copy.deepcopy(event)


def setup_account(account_id: str) -> Account:
    """Create the template's tables and one provisioned, registered project in `account_id`.

    Table names are the same in every account (moto keys backends by account). The decisions topic is
    created once, in the first account set up; moto resolves a topic by its ARN's account, as SNS does.
    """
    import boto3

    from tests.support.projects import make_project
    from tests.support.stack import create_tables

    with as_account(account_id):
        os.environ.update(create_tables())
        # the policy parameter the template gives every function: the default policy, with quotas that hold the
        # scale figure's 10,000 jobs in one project (a creation past the default 100 would be removed)
        boto3.client("ssm").put_parameter(Name=POLICY_PARAMETER, Value=POLICY, Type="String", Overwrite=True)
        os.environ["GLUEGUARD_POLICY_PARAMETER"] = POLICY_PARAMETER
        if "GLUEGUARD_TOPIC_ARN" not in os.environ:
            topic = boto3.client("sns").create_topic(Name="glueguard-decisions")["TopicArn"]
            os.environ["GLUEGUARD_TOPIC_ARN"] = topic
        project = make_project(str(uuid.uuid4()))
    return Account(account_id, project)
