"""Issue 12, item 5: the loop guard trusts only the stack's exact role ARNs. A call from any other role under
/glueguard/ (anyone able to create a role there) is judged like anyone's, and on a project resource it is also
reported critical; the stack's own calls are still skipped (no loop)."""

from __future__ import annotations

import boto3
from glueguard.adapters.decisions import DecisionLog
from glueguard.handlers.enforcer import handler as enforce
from glueguard.handlers.run_guard import handler as guard

from tests.integration.test_enforcer_jobs import FULL_JOB, JOB, PID
from tests.support.events import load
from tests.support.lambda_context import LambdaContext
from tests.support.runs import make_job, prompt_runs, start_event, start_run
from tests.support.stack import PLANE_ROLE_ARNS

IMPOSTOR_ROLE = "arn:aws:iam::123456789012:role/glueguard/glueguard-EnforcerRole-AbC123-copy"


def _as(event: dict, issuer: str, event_id: str) -> dict:
    identity = event["detail"]["userIdentity"]
    role = issuer.rsplit("/", 1)[-1]
    identity["arn"] = f"arn:aws:sts::123456789012:assumed-role/{role}/glueguard-enforcer"
    identity["sessionContext"]["sessionIssuer"].update(arn=issuer, userName=role)
    event["id"] = event["detail"]["eventID"] = event_id
    return event


def test_a_glueguard_path_role_that_is_not_the_stacks_is_judged_and_reported_critical(project):
    boto3.client("glue").create_job(Name=JOB, **FULL_JOB)
    result = enforce(_as(load("enforcer/update_job_by_plane.json"), IMPOSTOR_ROLE, "impostor-1"), LambdaContext())

    assert result["outcome"] == "remediated"  # judged: 80 workers corrected like anyone's job
    assert boto3.client("glue").get_job(JobName=JOB)["Job"]["NumberOfWorkers"] == 50
    [decision] = DecisionLog().list(PID)
    assert decision.severity == "critical"
    impostor = [v for v in decision.violations if v["rule"] == "plane-role-impersonation"]
    assert len(impostor) == 1 and "glueguard-EnforcerRole-AbC123-copy" in impostor[0]["message"]


def test_the_stacks_own_role_is_still_skipped(project):
    boto3.client("glue").create_job(Name=JOB, **FULL_JOB)
    result = enforce(_as(load("enforcer/update_job_by_plane.json"), PLANE_ROLE_ARNS[0], "plane-1"), LambdaContext())
    assert result["outcome"] == "skipped"
    assert boto3.client("glue").get_job(JobName=JOB)["Job"]["NumberOfWorkers"] == 80
    assert DecisionLog().list(PID) == []


def test_a_run_started_by_an_impostor_is_capped_and_reported_critical(project):
    with prompt_runs():
        job = make_job(project)
        run_id = start_run(job, NumberOfWorkers=80)
        result = guard(_as(start_event(job, run_id), IMPOSTOR_ROLE, "impostor-start"), LambdaContext())
        plane_run = start_run(job, NumberOfWorkers=10)
        own = guard(_as(start_event(job, plane_run), PLANE_ROLE_ARNS[1], "plane-start"), LambdaContext())

    assert result["outcome"] == "stopped"  # judged like any start: over the worker cap
    decisions = DecisionLog().list(project.project_id)
    assert sorted((d.outcome, d.severity) for d in decisions) == [("reported", "critical"), ("stopped", "high")]
    assert all(d.event_id != "plane-start" for d in decisions)  # the stack's own start: no impostor report
    assert own["outcome"] == "known"
