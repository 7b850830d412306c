"""The emulator's job runs carry the figures the cost metrics read, as Glue reports them (docs/sandbox.md)."""

from __future__ import annotations

from datetime import timedelta

import boto3
import pytest

from tests.support.clock import simulated_runs
from tests.support.runs import make_job


def _run(job: str, run_id: str) -> dict:
    return boto3.client("glue").get_job_run(JobName=job, RunId=run_id)["JobRun"]


def test_standard_run_times_follow_the_clock_and_carry_no_dpu_seconds(project):
    with simulated_runs() as clock:
        job = make_job(project)  # 10 x G.1X
        run_id = boto3.client("glue").start_job_run(
            JobName=job, Arguments={"--sandbox-run-seconds": "600", "--sandbox-startup-seconds": "90"}
        )["JobRunId"]
        started = clock.now()
        clock.advance(seconds=60)
        assert _run(job, run_id)["JobRunState"] == "STARTING"
        clock.advance(seconds=900)
        run = _run(job, run_id)

    assert run["JobRunState"] == "SUCCEEDED"
    assert run["StartedOn"] == started
    assert run["CompletedOn"] == started + timedelta(seconds=690)
    assert run["ExecutionTime"] == 600
    assert "DPUSeconds" not in run


def test_flex_and_auto_scaling_runs_report_dpu_seconds(project):
    with simulated_runs() as clock:
        job = make_job(project, stem="flex", ExecutionClass="FLEX")
        scaled = make_job(project, stem="scaled", DefaultArguments={"--enable-auto-scaling": "true"})
        glue = boto3.client("glue")
        flex_id = glue.start_job_run(JobName=job, Arguments={"--sandbox-run-seconds": "3600"})["JobRunId"]
        scaled_id = glue.start_job_run(
            JobName=scaled, Arguments={"--sandbox-run-seconds": "3600", "--sandbox-utilization": "0.25"}
        )["JobRunId"]
        assert "DPUSeconds" not in _run(job, flex_id)  # not while it runs
        clock.advance(hours=2)
        flex, auto = _run(job, flex_id), _run(scaled, scaled_id)

    assert flex["ExecutionClass"] == "FLEX"
    assert flex["DPUSeconds"] == 10 * 3600  # every worker for the whole run
    assert auto["DPUSeconds"] == 10 * 3600 * 0.25  # auto-scaling used a quarter of the workers


def test_observability_metrics_reach_cloudwatch_only_for_runs_that_enable_them(project):
    with simulated_runs() as clock:
        job = make_job(project, DefaultArguments={"--enable-observability-metrics": "true"})
        quiet = make_job(project, stem="quiet")
        glue = boto3.client("glue")
        run_id = glue.start_job_run(JobName=job, Arguments={"--sandbox-utilization": "0.6"})["JobRunId"]
        glue.start_job_run(JobName=quiet)
        clock.advance(hours=1)
        assert _run(job, run_id)["JobRunState"] == "SUCCEEDED"
        end = clock.now()

    cloudwatch = boto3.client("cloudwatch")
    listed = cloudwatch.list_metrics(Namespace="Glue", MetricName="glue.driver.workerUtilization")["Metrics"]
    assert [{d["Name"]: d["Value"] for d in m["Dimensions"]} for m in listed] == [
        {"JobName": job, "JobRunId": run_id, "Type": "gauge", "ObservabilityGroup": "resource_utilization"}
    ]
    stats = cloudwatch.get_metric_statistics(
        Namespace="Glue",
        MetricName="glue.driver.workerUtilization",
        Dimensions=listed[0]["Dimensions"],
        StartTime=end - timedelta(hours=2),
        EndTime=end + timedelta(minutes=1),
        Period=86400,
        Statistics=["Average"],
    )["Datapoints"]
    assert [d["Average"] for d in stats] == [0.6]


@pytest.mark.parametrize("value", ["0", "1.5", "most"])
def test_a_utilization_outside_zero_to_one_is_refused(project, value):
    job = make_job(project)
    glue = boto3.client("glue")
    with pytest.raises(glue.exceptions.InvalidInputException, match="--sandbox-utilization"):
        glue.start_job_run(JobName=job, Arguments={"--sandbox-utilization": value})


def test_get_job_runs_lists_the_newest_run_first_and_a_window_reads_only_its_runs(project):
    """As Glue does: `job_runs_since` (the audit's week) stops paging at the first run older than its window."""
    from glueguard.adapters.glue_runs import job_runs_since

    with simulated_runs() as clock:
        job = make_job(project)
        glue = boto3.client("glue")
        ids = []
        for _ in range(3):  # a day apart
            ids.append(glue.start_job_run(JobName=job, Arguments={"--sandbox-run-seconds": "60"})["JobRunId"])
            clock.advance(days=1)
        listed = [r["Id"] for r in glue.get_job_runs(JobName=job)["JobRuns"]]
        window = [r["Id"] for r in job_runs_since(glue, job, clock.now() - timedelta(days=2))]

    assert listed == list(reversed(ids))
    assert window == [ids[2], ids[1]]
