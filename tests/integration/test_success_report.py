"""The weekly report and `glueguard audit` show the eight success metrics per project, beside their targets."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import boto3
from glueguard.adapters.decisions import DecisionLog
from glueguard.adapters.ledger import Ledger
from glueguard.adapters.registry import Registry
from glueguard.handlers import compliance
from glueguard.models.events import parse_cloudtrail_event, parse_glue_job_event
from glueguard.policy.settings import Policy
from glueguard.runs.guard import RunGuard
from typer.testing import CliRunner

from glueguard_cli.cli import app
from tests.support.clock import simulated_runs
from tests.support.runs import make_job, start_event, state_event

KEYS = [
    "success_rate",
    "startup_p90_seconds",
    "utilization",
    "waste",
    "flex_share",
    "flex_savings",
    "budget_adherence",
    "starts_held",
]


def test_audit_shows_every_metric_per_project_with_its_target(edge, project):
    compliance.reset()
    Registry().update(project.project_id, monthly_budget_usd=100)
    start = edge.replace(microsecond=0) - timedelta(hours=3)
    started: list[datetime] = []
    with simulated_runs(start) as clock:
        guard = RunGuard(Registry(), Ledger(), DecisionLog(), Policy(), now=clock.now)
        job = make_job(project, DefaultArguments={"--enable-observability-metrics": "true"})
        glue = boto3.client("glue")
        arn = f"arn:aws:glue:us-east-1:123456789012:job/{job}"
        glue.tag_resource(ResourceArn=arn, TagsToAdd={"Environment": "production"})
        for outcome, utilization in (("SUCCEEDED", "0.9"), ("FAILED", "0.5")):
            arguments = {
                "--sandbox-run-seconds": "1800",
                "--sandbox-startup-seconds": "60",
                "--sandbox-outcome": outcome,
                "--sandbox-utilization": utilization,
            }
            run_id = glue.start_job_run(JobName=job, Arguments=arguments)["JobRunId"]
            started.append(clock.now())
            guard.on_start(parse_cloudtrail_event(start_event(job, run_id)))
            clock.advance(hours=1)
            assert glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]["JobRunState"] == outcome
            guard.on_job_event(parse_glue_job_event(state_event(job, run_id, outcome)))

    result = CliRunner().invoke(app, ["audit", "--costs", "--json"])
    assert result.exit_code == 0, result.output
    section = json.loads(result.output)["success"]
    [mine] = [p for p in section["metrics"]["projects"] if p["scope"] == project.project_id]
    figures = {m["key"]: (m["value"], m["target"]) for m in mine["metrics"]}
    assert list(figures) == KEYS
    run_cost = 2.2  # 10 DPU x 1800 s x $0.44
    assert figures["success_rate"] == (0.5, ">= 90%")
    assert figures["startup_p90_seconds"] == (60.0, "< 300 s")
    assert figures["utilization"] == (0.7, "> 75%")  # (0.9 + 0.5) / 2, same allocation
    assert figures["waste"][0] == round((run_cost * 0.1 + run_cost) / (2 * run_cost), 4)
    assert figures["flex_share"][0] == 0.0 and figures["flex_savings"][0] == 0.0
    # adherence is the month of the window's end: a run started in the month before (the first hour of a
    # month's window reaches back into it) is not this month's spend
    this_month = [s for s in started if (s.year, s.month) == (edge.year, edge.month)]
    assert figures["budget_adherence"] == (round(len(this_month) * run_cost / 100, 4), "<= 105% (budget + 5%)")
    assert figures["starts_held"][0] == 0.0
    [check] = section["billing"]
    assert check["plane_usd"] == len(this_month) * run_cost

    table = CliRunner().invoke(app, ["audit", "--costs"], env={"COLUMNS": "220"})
    assert table.exit_code == 0, table.output
    assert "success metrics" in table.output
    for target in (">= 90%", "< 300 s", "> 75%", "< 10%", ">= 30%", "<= 105%"):
        assert target in table.output
