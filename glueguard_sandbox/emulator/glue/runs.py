"""Glue job runs with a lifecycle, as AWS runs them (moto's jump to SUCCEEDED on first read is replaced).

A run is STARTING for `settings.starting_seconds`, RUNNING for its simulated duration, then SUCCEEDED
(or FAILED, as `--sandbox-outcome FAILED` asks). Duration: the run's `--sandbox-run-seconds N` argument,
else `settings.default_run_seconds` (300, the ARCHITECTURE.md contract). A run whose Timeout (minutes;
one minute = `settings.minute_seconds` real seconds) passes first ends in TIMEOUT. BatchStopJobRun moves a
run to STOPPING, then STOPPED. Terminal states emit `Glue Job State Change`, and a run still going after
its NotifyDelayAfter emits one `Glue Job Run Status` (FACTS.md shapes); ERROR and EXPIRED (`--sandbox-outcome`)
emit no event, as on AWS. State advances by wall clock: on
every read, and on `advance_all()` (the sandbox's ticker), so events fire even when nobody reads.
StartJobRun's per-run overrides (Timeout, WorkerType, NumberOfWorkers, MaxCapacity, ExecutionClass)
show in GetJobRun; MaxConcurrentRuns counts every unfinished run. GetJobRuns lists the newest run first, as Glue
does (readers of a window stop paging at the first run older than it).

Time is `settings.clock()` (epoch seconds; the wall clock unless a test or the sandbox sets another), so
StartedOn, CompletedOn and ExecutionTime follow it. Cost figures as Glue reports them: `ExecutionTime` is
the seconds the run consumed resources (RUNNING until its end); `DPUSeconds` is set for FLEX runs and runs
with `--enable-auto-scaling true` (executor time x DPU per worker: capacity x ExecutionTime x the share of
workers used). A run with `--enable-observability-metrics true` puts `glue.driver.workerUtilization` (namespace
`Glue`, dimensions JobName, JobRunId, Type=gauge, ObservabilityGroup=resource_utilization) into CloudWatch
when it ends. `--sandbox-utilization F` (0 < F <= 1, default 1) is the share of allocated workers the run uses;
`--sandbox-startup-seconds N` how long it stays STARTING (default `settings.starting_seconds`).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.glue.exceptions import ConcurrentRunsExceededException, InvalidInputException
from moto.glue.models import FakeJob, FakeJobRun, GlueBackend, glue_backends
from moto.glue.responses import GlueResponse

TERMINAL = {"SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "ERROR", "EXPIRED"}
UNFINISHED = {"STARTING", "RUNNING", "STOPPING", "WAITING"}
OUTCOMES = {"SUCCEEDED", "FAILED", "ERROR", "EXPIRED"}
#: The states `Glue Job State Change` is sent for (ERROR and EXPIRED send none).
STATE_CHANGE_STATES = frozenset({"SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED"})
RUN_SECONDS_ARG = "--sandbox-run-seconds"
OUTCOME_ARG = "--sandbox-outcome"
UTILIZATION_ARG = "--sandbox-utilization"
STARTUP_ARG = "--sandbox-startup-seconds"
STOPPING_ARG = "--sandbox-stopping-seconds"
AUTO_SCALING_ARG = "--enable-auto-scaling"
OBSERVABILITY_ARG = "--enable-observability-metrics"
UTILIZATION_METRIC = "glue.driver.workerUtilization"

_MESSAGES = {
    "SUCCEEDED": "Job run succeeded",
    "FAILED": "Job run failed: the sandbox was asked for this outcome (--sandbox-outcome FAILED)",
    "TIMEOUT": "Job run timed out",
    "STOPPED": "Job run stopped",
    "ERROR": "Job run failed to start: the sandbox was asked for this outcome (--sandbox-outcome ERROR)",
    "EXPIRED": "Job run expired: the sandbox was asked for this outcome (--sandbox-outcome EXPIRED)",
}
_SEVERITY = {"SUCCEEDED": "INFO", "STOPPED": "INFO", "FAILED": "ERROR", "TIMEOUT": "ERROR"}


@dataclass
class Settings:
    default_run_seconds: float = 300.0
    starting_seconds: float = 1.0
    stopping_seconds: float = 1.0
    #: Real seconds per Glue minute (Timeout, NotifyDelayAfter); 60 as on AWS.
    minute_seconds: float = 60.0
    #: The emulator's clock, epoch seconds (the sandbox's or a test's simulated clock may replace it).
    clock: Callable[[], float] = time.time


settings = Settings()
_lock = threading.RLock()
#: Called with each run that reaches a terminal state (other emulator parts hook in here).
on_terminal: list[Callable[[FakeJobRun], None]] = []


# ------------------------------------------------------------------------------- backend models
def _plan(run: FakeJobRun) -> None:
    """Fix the run's simulated duration and outcome from its arguments (validated at StartJobRun)."""
    arguments = run.arguments or {}
    run.gg_started = settings.clock()
    job = getattr(run, "gg_job", None)
    streaming = job is not None and (job.command or {}).get("Name") == "gluestreaming"
    default = math.inf if streaming else settings.default_run_seconds  # streaming runs go on until stopped
    run.gg_duration = float(arguments.get(RUN_SECONDS_ARG, default))
    run.gg_utilization = float(arguments.get(UTILIZATION_ARG, 1.0))
    run.gg_starting = float(arguments.get(STARTUP_ARG, settings.starting_seconds))
    run.gg_stopping = float(arguments.get(STOPPING_ARG, settings.stopping_seconds))
    run.gg_outcome = arguments.get(OUTCOME_ARG, "SUCCEEDED")
    run.gg_stop_requested = None
    run.gg_status = "STARTING"
    run.gg_completed = None
    run.gg_notified = False
    run.gg_error = None


def validate_arguments(arguments: dict[str, Any] | None) -> None:
    arguments = arguments or {}
    for name in (RUN_SECONDS_ARG, STARTUP_ARG, STOPPING_ARG):
        if name in arguments:
            try:
                seconds = float(arguments[name])
            except ValueError:
                seconds = -1
            if seconds < 0:
                raise InvalidInputException("StartJobRun", f"{name} must be a number of seconds >= 0")
    if OUTCOME_ARG in arguments and arguments[OUTCOME_ARG] not in OUTCOMES:
        raise InvalidInputException("StartJobRun", f"{OUTCOME_ARG} must be one of {sorted(OUTCOMES)}")
    if UTILIZATION_ARG in arguments:
        try:
            share = float(arguments[UTILIZATION_ARG])
        except ValueError:
            share = -1
        if not 0 < share <= 1:
            raise InvalidInputException("StartJobRun", f"{UTILIZATION_ARG} must be a share of workers, 0 < F <= 1")


def _target_state(run: FakeJobRun, now: float) -> tuple[str, float | None]:
    """The state the run is in at `now`, and when it got there (for terminal states)."""
    started = run.gg_started
    if run.gg_stop_requested is not None:
        stopped_at = run.gg_stop_requested + getattr(run, "gg_stopping", settings.stopping_seconds)
        return ("STOPPED", stopped_at) if now >= stopped_at else ("STOPPING", None)
    running_at = started + run.gg_starting
    end = running_at + run.gg_duration
    timeout_at = started + float(run.timeout) * settings.minute_seconds if run.timeout else None
    if timeout_at is not None and timeout_at <= end and now >= timeout_at:
        return "TIMEOUT", timeout_at
    if now >= end:
        return run.gg_outcome, end
    return ("RUNNING", None) if now >= running_at else ("STARTING", None)


def advance(run: FakeJobRun, now: float | None = None) -> bool:
    """Bring the run to its wall-clock state; emit events for what happened. True if it changed."""
    if not hasattr(run, "gg_started"):
        _plan(run)
    now = settings.clock() if now is None else now
    with _lock:
        previous = run.gg_status
        if previous in TERMINAL:
            return False
        state, at = _target_state(run, now)
        notify = _notify_due(run, state, now)
        if state == previous and not notify:
            return False
        run.gg_status = state
        if state in TERMINAL:
            run.gg_completed = at or now
            if state in ("FAILED", "TIMEOUT", "ERROR", "EXPIRED"):
                run.gg_error = _MESSAGES[state]
    if notify:
        run.gg_notified = True
        _emit(run, "Glue Job Run Status", _status_detail(run))
    if state in TERMINAL:
        _put_observability_metrics(run)
        if state in STATE_CHANGE_STATES:
            _emit(run, "Glue Job State Change", state_change_detail(run))
        for hook in on_terminal:
            hook(run)
    return state != previous


def _notify_due(run: FakeJobRun, state: str, now: float) -> bool:
    delay = (run.notification_property or {}).get("NotifyDelayAfter")
    return (
        bool(delay)
        and not run.gg_notified
        and state in UNFINISHED
        and (now - run.gg_started >= float(delay) * settings.minute_seconds)
    )


def stop(run: FakeJobRun) -> None:
    advance(run)
    with _lock:
        if run.gg_status not in TERMINAL and run.gg_stop_requested is None:
            run.gg_stop_requested = settings.clock()
            run.gg_status = "STOPPING"


def state_change_detail(run: FakeJobRun) -> dict[str, Any]:
    return {
        "jobName": run.job_name,
        "severity": _SEVERITY[run.gg_status],
        "state": run.gg_status,
        "jobRunId": run.job_run_id,
        "message": _MESSAGES[run.gg_status],
    }


def _status_detail(run: FakeJobRun) -> dict[str, Any]:
    return {
        "jobName": run.job_name,
        "severity": "INFO",
        "notificationCondition": {"NotifyDelayAfter": run.notification_property["NotifyDelayAfter"]},
        "state": run.gg_status,
        "jobRunId": run.job_run_id,
        "message": f"Job is still {run.gg_status.lower()} after its notify delay",
        "startedOn": _iso(run.gg_started),
    }


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _emit(run: FakeJobRun, detail_type: str, detail: dict[str, Any]) -> None:
    from moto.events.models import events_backends

    account, region = getattr(run, "gg_where", ("123456789012", "us-east-1"))
    events_backends[account][region].put_events(
        [{"Source": "aws.glue", "DetailType": detail_type, "Detail": json.dumps(detail)}]
    )


def advance_all() -> int:
    """Advance every run of every job in every account and region; return how many changed state."""
    changed = 0
    for account, regions in list(glue_backends.items()):
        for region, backend in list(regions.items()):
            for job in list(backend.jobs.values()):
                for run in list(job.job_runs):
                    run.gg_where = (account, region)
                    changed += advance(run)
    return changed


def _run_as_dict(run: FakeJobRun) -> dict[str, Any]:
    advance(run)
    job = getattr(run, "gg_job", None)
    finished = run.gg_completed
    end = finished or settings.clock()
    result: dict[str, Any] = {
        "Id": run.job_run_id,
        "Attempt": 0,
        "JobName": run.job_name,
        "StartedOn": datetime.fromtimestamp(run.gg_started, UTC),
        "LastModifiedOn": datetime.fromtimestamp(finished or run.gg_started, UTC),
        "JobRunState": run.gg_status,
        "PredecessorRuns": [],
        "ExecutionTime": execution_seconds(run, end),
        "LogGroupName": "/aws-glue/jobs",
        "GlueVersion": (job.glue_version if job else None) or "0.9",
        "Timeout": run.timeout,
        "ExecutionClass": getattr(run, "gg_execution_class", None) or (job.execution_class if job else "STANDARD"),
    }
    if finished:
        result["CompletedOn"] = datetime.fromtimestamp(finished, UTC)
    if run.gg_error:
        result["ErrorMessage"] = run.gg_error
    if run.worker_type and run.worker_type != "Standard" and run.number_of_workers:
        result["WorkerType"], result["NumberOfWorkers"] = run.worker_type, run.number_of_workers
        from glueguard.dpu import WORKER_DPU

        result["MaxCapacity"] = WORKER_DPU.get(run.worker_type, 1.0) * run.number_of_workers
    else:
        result["MaxCapacity"] = run.max_capacity
        if run.allocated_capacity:
            result["AllocatedCapacity"] = run.allocated_capacity
    if finished and (dpu_seconds := _dpu_seconds(run, result)) is not None:
        result["DPUSeconds"] = dpu_seconds
    for key, value in (
        ("Arguments", run.arguments),
        ("NotificationProperty", run.notification_property),
        ("SecurityConfiguration", run.security_configuration),
        ("PreviousRunId", run.previous_run_id),
        ("TriggerName", getattr(run, "gg_trigger", None)),
    ):
        if value:
            result[key] = value
    return result


def execution_seconds(run: FakeJobRun, end: float) -> int:
    """Seconds the run consumed resources: from RUNNING (after STARTING) to `end`."""
    return int(max(0.0, end - run.gg_started - run.gg_starting))


def _flag(run: FakeJobRun, name: str) -> bool:
    return str((run.arguments or {}).get(name, "")).lower() == "true"


def _dpu_seconds(run: FakeJobRun, result: dict[str, Any]) -> float | None:
    """GetJobRun's DPUSeconds: only FLEX and auto-scaling runs carry it (executor seconds x DPU per worker)."""
    auto_scaling = _flag(run, AUTO_SCALING_ARG)
    if result.get("ExecutionClass") != "FLEX" and not auto_scaling:
        return None
    share = run.gg_utilization if auto_scaling else 1.0  # auto-scaling releases the executors it does not use
    return round(float(result.get("MaxCapacity") or 0.0) * result["ExecutionTime"] * share, 3)


def _put_observability_metrics(run: FakeJobRun) -> None:
    """Glue's resource-utilization observability metric, for runs that enable observability metrics."""
    if not _flag(run, OBSERVABILITY_ARG):
        return
    from moto.cloudwatch.models import cloudwatch_backends

    account, region = getattr(run, "gg_where", ("123456789012", "us-east-1"))
    dimensions = [
        {"Name": "JobName", "Value": run.job_name},
        {"Name": "JobRunId", "Value": run.job_run_id},
        {"Name": "Type", "Value": "gauge"},
        {"Name": "ObservabilityGroup", "Value": "resource_utilization"},
    ]
    when = datetime.fromtimestamp(run.gg_completed or settings.clock(), UTC).replace(tzinfo=None)  # as moto stores them
    cloudwatch_backends[account][region].put_metric_data(
        "Glue",
        [
            {
                "MetricName": UTILIZATION_METRIC,
                "Dimensions": dimensions,
                "Value": run.gg_utilization,
                "Timestamp": when,
                "Unit": "None",
            }
        ],
    )


def _job_start_run(original: Any) -> Any:
    def start_job_run(self: FakeJob, **kwargs: Any) -> str:
        for run in self.job_runs:
            advance(run)
        limit = int((self.execution_property or {}).get("MaxConcurrentRuns", 1))
        if sum(1 for r in self.job_runs if r.gg_status in UNFINISHED) >= limit:
            raise ConcurrentRunsExceededException(f"Concurrent runs exceeded for {self.name}")
        validate_arguments({**(self.default_arguments or {}), **(kwargs.get("arguments") or {})})
        run_id = original(self, **kwargs)
        run = self.job_runs[-1]
        run.gg_job = self
        run.gg_where = (self.backend.account_id, self.backend.region_name)
        _plan(run)
        return run_id

    return start_job_run


def _status_property() -> property:
    def getter(self: FakeJobRun) -> str:
        advance(self)
        return self.gg_status

    def setter(self: FakeJobRun, value: str) -> None:
        if not hasattr(self, "gg_started"):
            _plan(self)
        self.gg_status = value

    return property(getter, setter)


# ------------------------------------------------------------------------------- wire responses
def _response_start_job_run(original: Any) -> Any:
    def start_job_run(self: GlueResponse) -> ActionResult:
        result = original(self)
        execution_class = self._get_param("ExecutionClass")
        if execution_class:
            run = self.glue_backend.get_job_run(self._get_param("JobName"), result.result["JobRunId"])
            run.gg_execution_class = execution_class
        return result

    return start_job_run


def _newest_first(original: Callable[[FakeJob], list[FakeJobRun]]) -> Callable[[FakeJob], list[FakeJobRun]]:
    def get_job_runs(self: FakeJob) -> list[FakeJobRun]:
        return list(reversed(original(self)))

    return get_job_runs


def install() -> None:
    FakeJob.start_job_run = _job_start_run(FakeJob.start_job_run)  # type: ignore[method-assign]
    FakeJob.get_job_runs = _newest_first(FakeJob.get_job_runs)  # type: ignore[method-assign]
    FakeJobRun.status = _status_property()  # type: ignore[assignment]
    FakeJobRun.advance = advance  # type: ignore[method-assign]
    FakeJobRun.stop = stop  # type: ignore[attr-defined]
    FakeJobRun.as_dict = _run_as_dict  # type: ignore[method-assign]
    GlueResponse.start_job_run = _response_start_job_run(GlueResponse.start_job_run)  # type: ignore[method-assign]


__all__ = ["GlueBackend", "advance", "advance_all", "install", "settings", "state_change_detail", "stop"]
