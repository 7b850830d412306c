"""Job failure notifications to the project's team (design 8.1): what a FAILED, TIMEOUT or ERROR run says (pure).

A failed run becomes one message on the project's own topic. Failures of one job are grouped by window
(`WINDOW`, an hour from the hour): the first of a window is sent at once, the others are counted, and once the
window has closed the run guard's schedule sends one digest with their count and run ids. The plane topic never
carries them: it is the platform's, for the plane's own failures (docs/notifications.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from glueguard.cost import RunCost

#: The run states the team is told about (STOPPED is someone's decision, EXPIRED a run never started).
FAILURE_STATES = frozenset({"FAILED", "TIMEOUT", "ERROR"})
#: Failures of one job within one window are one message (the first) and one digest (the count), not one each.
WINDOW = timedelta(hours=1)
KIND = "job-failure"
SEVERITY = "medium"
DEFAULT_LOG_GROUP = "/aws-glue/jobs"


def window_of(when: datetime) -> datetime:
    """The start of the window `when` falls in (windows start on the hour, UTC)."""
    when = when.astimezone(UTC)
    return when.replace(minute=0, second=0, microsecond=0)


def window_closed(start: datetime, now: datetime) -> bool:
    return now >= start + WINDOW


def logs_link(region: str, log_group: str | None, run_id: str) -> str:
    """The CloudWatch console's view of the run's driver and executor logs: Glue writes them to
    `<LogGroupName>/error` in streams named after the run id (docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging.html)."""
    group = f"{(log_group or DEFAULT_LOG_GROUP).rstrip('/')}/error".replace("/", "$252F")
    return (
        f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
        f"#logsV2:log-groups/log-group/{group}/log-events$3FlogStreamNameFilter$3D{run_id}"
    )


@dataclass(frozen=True)
class Failure:
    """One failed run, as the team reads it."""

    project_id: str
    job_name: str
    run_id: str
    state: str
    error_message: str
    started_on: str | None
    duration_seconds: float
    dpu_hours: float
    cost_usd: float
    logs_url: str

    @classmethod
    def of(cls, project_id: str, run: Mapping[str, Any], priced: RunCost, region: str) -> Failure:
        """From GetJobRun's `JobRun` and its priced cost."""
        return cls(
            project_id=project_id,
            job_name=run["JobName"],
            run_id=run["Id"],
            state=run["JobRunState"],
            error_message=str(run.get("ErrorMessage") or ""),
            started_on=priced.started_on,
            duration_seconds=priced.seconds,
            dpu_hours=priced.dpu_hours,
            cost_usd=priced.cost_usd,
            logs_url=logs_link(region, run.get("LogGroupName"), run["Id"]),
        )


def is_failure(run: Mapping[str, Any] | None) -> bool:
    return run is not None and run.get("JobRunState") in FAILURE_STATES


def attributes(project_id: str, job_name: str, state: str) -> dict[str, dict[str, str]]:
    """SNS message attributes a subscription filter policy can select on."""
    values = {
        "project": project_id,
        "severity": SEVERITY,
        "kind": KIND,
        "job": job_name,
        "state": state,
        "audience": "project",
    }
    return {k: {"DataType": "String", "StringValue": v} for k, v in values.items()}


def first_message(failure: Failure, window: datetime) -> tuple[str, str]:
    """(subject, body) of a window's first failure of a job."""
    body = {"kind": KIND, **asdict(failure), "window_start": window.isoformat(), "failures_in_window": 1}
    subject = f"glueguard: {failure.job_name} run {failure.state}"
    return subject[:100], json.dumps(body, separators=(",", ":"))


def digest_message(
    project_id: str, job_name: str, window: datetime, count: int, run_ids: Sequence[str], last: Mapping[str, Any]
) -> tuple[str, str]:
    """(subject, body) of a closed window's digest: how many runs of the job failed in it, which, and the last."""
    body = {
        "kind": KIND,
        "digest": True,
        "project_id": project_id,
        "job_name": job_name,
        "window_start": window.isoformat(),
        "window_end": (window + WINDOW).isoformat(),
        "failures_in_window": count,
        "run_ids": sorted(run_ids),
        "last_failure": dict(last),
    }
    subject = f"glueguard: {job_name} failed {count} times"
    return subject[:100], json.dumps(body, separators=(",", ":"), default=str)
