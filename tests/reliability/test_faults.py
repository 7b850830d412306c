"""Fault injection at the AWS boundary: transient Glue failures are retried to completion; a permanent
one fails the invocation with its reason (Lambda then retries it and sends it to the DLQ) and leaves
nothing half-done that a redelivery could not finish."""

from __future__ import annotations

import boto3
import pytest
from glueguard.adapters.clients import RETRY_CONFIG, client
from glueguard.adapters.decisions import DecisionLog
from glueguard.handlers.enforcer import handler
from glueguard.remediation.execute import RemediationError

from tests.reliability.conftest import BAD_JOB, PID, create_job_event, job_name
from tests.support.faults import always, flaky, inject, warp_retries
from tests.support.lambda_context import LambdaContext

JOBS = 12


@pytest.fixture
def fast_retries(monkeypatch, aws):
    from glueguard.adapters.clients import reset_clients

    warp_retries(monkeypatch)
    reset_clients()  # adaptive mode takes its clock when a client is built
    yield
    reset_clients()


def _compliant(job: dict, project) -> bool:
    return (
        job["Role"] == project.resources.job_role_arn
        and job["NumberOfWorkers"] <= 50
        and job["Timeout"] <= 120
        and job.get("Connections", {}).get("Connections") == [project.connection_name]
    )


def test_30_percent_transient_glue_failures_every_remediation_completes(project, fast_retries):
    glue = boto3.client("glue")
    names = [job_name(f"batch-{i:02d}") for i in range(JOBS)]
    for name in names:
        glue.create_job(Name=name, **BAD_JOB)

    with inject(client("glue"), flaky(0.30, seed=11)) as injected:
        results = [handler(create_job_event(name), LambdaContext()) for name in names]

    assert sum(injected.values()) >= JOBS  # the faults really happened, on reads and writes
    assert {"GetJob", "UpdateJob"} <= set(injected)
    assert [r["outcome"] for r in results] == ["remediated"] * JOBS
    assert all(_compliant(glue.get_job(JobName=n)["Job"], project) for n in names)
    decisions = DecisionLog().list(PID)
    assert sorted(d.resource_name for d in decisions) == sorted(names)
    assert all(d.outcome == "remediated" for d in decisions)


def test_throttling_beyond_the_retry_budget_fails_after_max_attempts(project, fast_retries):
    boto3.client("glue").create_job(Name=job_name(), **BAD_JOB)
    with (
        inject(client("glue"), always("UpdateJob", 400, "ThrottlingException")) as injected,
        pytest.raises(RemediationError, match=r"glue\.update_job failed: .*ThrottlingException.*reached max retries"),
    ):
        handler(create_job_event(job_name()), LambdaContext())
    assert injected["UpdateJob"] == RETRY_CONFIG["max_attempts"] + 1  # the first try, then every retry


def test_permanent_failure_raises_with_its_reason_and_a_redelivery_completes(project, fast_retries):
    glue = boto3.client("glue")
    glue.create_job(Name=job_name(), **BAD_JOB)
    before = glue.get_job(JobName=job_name())["Job"]
    event = create_job_event(job_name())

    with (
        inject(client("glue"), always("UpdateJob", 400, "AccessDeniedException")) as injected,
        pytest.raises(RemediationError, match=r"glue\.update_job failed: .*AccessDeniedException.*UpdateJob"),
    ):
        handler(event, LambdaContext())
    assert injected["UpdateJob"] == 1  # not retried: access denied is not transient
    assert glue.get_job(JobName=job_name())["Job"] == before
    assert DecisionLog().list(PID) == []

    # Lambda's retry of the same event (same id) is not swallowed by the idempotency record.
    result = handler(event, LambdaContext())
    assert result["outcome"] == "remediated"
    assert _compliant(glue.get_job(JobName=job_name())["Job"], project)
    assert len(DecisionLog().list(PID)) == 1
