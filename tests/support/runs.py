"""Glue job runs for the run-guard and upload-trigger tests: jobs, runs kept active, and their events."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from glueguard_sandbox.seed import make_job
from tests.support.events import load

_ids = itertools.count(1)

__all__ = [
    "make_job",
    "prompt_runs",
    "run_state",
    "schedule_event",
    "start_event",
    "start_run",
    "state_event",
    "status_event",
]


@contextmanager
def prompt_runs() -> Iterator[None]:
    """Job runs (glueguard_sandbox.emulator.glue.runs) that start and stop at once and otherwise run 300 s."""
    from glueguard_sandbox.emulator.glue.runs import settings

    saved = (settings.starting_seconds, settings.stopping_seconds, settings.default_run_seconds)
    settings.starting_seconds, settings.stopping_seconds, settings.default_run_seconds = 0.0, 0.0, 300.0
    try:
        yield
    finally:
        settings.starting_seconds, settings.stopping_seconds, settings.default_run_seconds = saved


def start_event(job_name: str, run_id: str, *, sample: str = "run_guard/start_job_run.json", **request: Any) -> dict:
    """The CloudTrail StartJobRun event of a run (a fresh event id each time)."""
    event = load(sample)
    n = next(_ids)
    event["id"] = f"e1e2e3e4-0000-4000-8000-{n:012d}"
    event["detail"]["eventID"] = f"c7c7e3e4-0000-4000-8000-{n:012d}"
    event["detail"]["requestParameters"] = {"jobName": job_name, **request}
    event["detail"]["responseElements"] = {"jobRunId": run_id}
    return event


def state_event(job_name: str, run_id: str, state: str = "SUCCEEDED") -> dict:
    event = load("run_guard/job_state_change_succeeded.json")
    event["id"] = f"e1e2e3e4-0000-4000-8001-{next(_ids):012d}"
    event["detail"].update(jobName=job_name, jobRunId=run_id, state=state)
    return event


def status_event(job_name: str, run_id: str, state: str = "RUNNING") -> dict:
    """The `Glue Job Run Status` event Glue sends once a run passes its NotifyDelayAfter."""
    event = load("run_guard/job_run_status_running.json")
    event["id"] = f"e1e2e3e4-0000-4000-8003-{next(_ids):012d}"
    event["detail"].update(jobName=job_name, jobRunId=run_id, state=state)
    return event


def schedule_event() -> dict:
    event = load("run_guard/schedule.json")
    event["id"] = f"e1e2e3e4-0000-4000-8002-{next(_ids):012d}"
    return event


def start_run(job_name: str, **overrides: Any) -> str:
    return boto3.client("glue").start_job_run(JobName=job_name, **overrides)["JobRunId"]


def run_state(job_name: str, run_id: str) -> str:
    return boto3.client("glue").get_job_run(JobName=job_name, RunId=run_id)["JobRun"]["JobRunState"]
