"""Issue 12, item 8: an invalid per-project policy override crashed that project's enforcement (every event ended in
the DLQ). It fails closed now: the deployed policy applies, and a critical decision says why."""

from __future__ import annotations

import boto3
from glueguard.adapters.decisions import DecisionLog
from glueguard.adapters.registry import Registry
from glueguard.handlers.enforcer import handler
from glueguard.policy.settings import Policy

from tests.integration.test_enforcer_jobs import FULL_JOB, JOB, PID
from tests.support.events import load
from tests.support.lambda_context import LambdaContext

BAD = {"max_workers_per_job": "lots"}


def test_an_invalid_override_applies_the_defaults_and_is_reported_critical(project):
    Registry().update(PID, policy_overrides=BAD)
    boto3.client("glue").create_job(Name=JOB, **FULL_JOB)

    result = handler(load("enforcer/create_job_noncompliant.json"), LambdaContext())

    assert result["outcome"] == "remediated"
    assert boto3.client("glue").get_job(JobName=JOB)["Job"]["NumberOfWorkers"] == 50  # the default cap
    [decision] = DecisionLog().list(PID)
    assert decision.severity == "critical"
    [refused] = [v for v in decision.violations if v["rule"] == "policy-overrides-invalid"]
    assert "max_workers_per_job" in refused["message"] and "lots" in refused["message"]


def test_valid_overrides_still_apply_and_report_nothing():
    policy = Policy()
    assert policy.with_overrides({"max_workers_per_job": 20}).max_workers_per_job == 20
    assert policy.override_error({"max_workers_per_job": 20}) is None
    assert policy.with_overrides(BAD) is policy and "max_workers_per_job" in (policy.override_error(BAD) or "")
    assert policy.with_overrides({"rule_modes": "oops"}) is policy and policy.override_error({"rule_modes": "oops"})
