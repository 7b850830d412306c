"""Utilization and waste alerts (design 8.1 "Resource utilization anomalies") in the sandbox: the deployed weekly
compliance run finds a job whose runs use well under their workers, once per job and week, with the workers
to keep; a job that uses its workers is not reported."""

from __future__ import annotations

import json

from glueguard.adapters.decisions import DecisionLog

from tests.e2e.conftest import SandboxHandle, poll, provisioned_project
from tests.support.runs import make_job


def _runs(glue, job: str, utilization: str, count: int = 2) -> None:
    args = {"--sandbox-run-seconds": "2", "--sandbox-utilization": utilization}
    ids = [glue.start_job_run(JobName=job, Arguments=args)["JobRunId"] for _ in range(count)]
    ended = lambda: all(glue.get_job_run(JobName=job, RunId=i)["JobRun"]["JobRunState"] == "SUCCEEDED" for i in ids)  # noqa: E731
    assert poll(ended, 20)


def _weekly(sandbox: SandboxHandle, project_id: str) -> None:
    result = sandbox.client("lambda").invoke(
        FunctionName=sandbox.outputs["ComplianceFunctionName"],
        Payload=json.dumps({"collectCosts": True, "projects": [project_id]}),
    )
    assert "FunctionError" not in result, result["Payload"].read()


def test_an_underused_job_is_a_low_finding_once_a_week_with_the_workers_to_keep(plane_env: SandboxHandle):
    project = provisioned_project(plane_env)
    observed = {"--enable-observability-metrics": "true"}
    idle = make_job(project, "idle", glue=plane_env.client("glue"), DefaultArguments=observed)
    busy = make_job(project, "busy", glue=plane_env.client("glue"), DefaultArguments=observed)
    glue = plane_env.client("glue", plane_env.assume("ml-scientist", "uma"))
    _runs(glue, idle, "0.25")
    _runs(glue, busy, "0.8")

    _weekly(plane_env, project.project_id)
    _weekly(plane_env, project.project_id)  # the same week: nothing new

    found = [d for d in DecisionLog().list(project.project_id) if d.event_name == "Weekly utilization"]
    assert [(d.resource_name, d.severity, d.outcome) for d in found] == [(idle, "low", "reported")]
    [finding] = found
    assert finding.violations[0]["rule"] == "job-underutilized"
    # 10 G.1X workers at 25%: ceil(10 x 0.25 / 0.75) = 4 workers carry the same work at the 75% target.
    assert {k: finding.figures[k] for k in ("workers", "runs", "mean_utilization", "workers_to_keep")} == {
        "workers": 10,
        "runs": 2,
        "mean_utilization": 0.25,
        "workers_to_keep": 4,
    }
