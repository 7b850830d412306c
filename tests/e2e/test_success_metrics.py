"""In the sandbox: the deployed run guard charges a project's month, and the deployed weekly compliance run
(its own role, IAM evaluated) reports the eight success metrics with that spend (docs/metrics.md)."""

from __future__ import annotations

import json

from glueguard.adapters.spend import Spend
from glueguard.budget.cap import month_of
from glueguard.runs.job_run import as_utc

from tests.e2e.conftest import SandboxHandle, poll, provisioned_project
from tests.support.runs import make_job


def test_weekly_report_carries_the_success_metrics_and_the_month_spent(plane_env: SandboxHandle, monkeypatch):
    monkeypatch.setenv("GLUEGUARD_LEDGER_TABLE", plane_env.outputs["RunLedgerTableName"])
    project = provisioned_project(plane_env, monthlyBudgetUsd=50)
    job = make_job(
        project, "metrics", glue=plane_env.client("glue"), DefaultArguments={"--enable-observability-metrics": "true"}
    )
    glue = plane_env.client("glue", plane_env.assume("ml-scientist", "dora"))
    run_id = glue.start_job_run(JobName=job, Arguments={"--sandbox-run-seconds": "2", "--sandbox-utilization": "0.8"})[
        "JobRunId"
    ]
    assert poll(lambda: glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]["JobRunState"] == "SUCCEEDED", 20)
    run = glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
    month = month_of(as_utc(run["StartedOn"]))
    spend = Spend()
    assert poll(lambda: spend.month(project.project_id, month).actual_usd > 0, 20)  # settled by the run guard
    charged = spend.month(project.project_id, month).actual_usd
    assert charged == round(10 * 60 / 3600 * 0.44, 4)  # 10 DPU, billed Glue's one-minute minimum

    result = plane_env.sweep({"collectCosts": True})
    assert "FunctionError" not in result, result["Payload"].read()
    body = plane_env.client("s3").get_object(
        Bucket=plane_env.outputs["ReportsBucketName"], Key="glueguard/reports/compliance/latest.json"
    )["Body"]
    section = json.loads(body.read())["success"]
    [mine] = [p for p in section["metrics"]["projects"] if p["scope"] == project.project_id]
    figures = {m["key"]: m["value"] for m in mine["metrics"]}
    assert figures["utilization"] == 0.8  # from Glue's observability metric in CloudWatch
    assert figures["budget_adherence"] == round(charged / 50, 4)
    assert len(figures) == 8
    [check] = [c for c in section["billing"] if c["project_id"] == project.project_id]
    assert check["plane_usd"] == charged
