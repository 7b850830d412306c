"""A Glue job run as GetJobRun/GetJobRuns return it, reduced to what the caps judge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from glueguard.dpu import job_capacity

#: States of a run that still holds (or is about to hold) capacity.
ACTIVE_STATES = frozenset({"STARTING", "RUNNING", "WAITING", "STOPPING"})
TERMINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "ERROR", "EXPIRED"})


def as_utc(value: datetime | str | None) -> datetime | None:
    """A timestamp (datetime or ISO 8601 text) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class JobRun:
    job_name: str
    run_id: str
    state: str
    dpu: float
    worker_type: str | None
    workers: int | None
    timeout_minutes: int | None
    started_on: datetime | None
    arguments: Mapping[str, str]
    execution_class: str | None = None
    security_configuration: str | None = None  # a StartJobRun override, when the run was given one
    trigger_name: str | None = None  # the Glue trigger that started it (no user did)

    @classmethod
    def from_api(cls, run: Mapping[str, Any]) -> JobRun:
        """From a GetJobRun/GetJobRuns `JobRun`: Glue reports the effective values, run-time overrides included."""
        return cls(
            job_name=run["JobName"],
            run_id=run["Id"],
            state=run.get("JobRunState", "STARTING"),
            dpu=job_capacity(run),
            worker_type=run.get("WorkerType"),
            workers=run.get("NumberOfWorkers"),
            timeout_minutes=run.get("Timeout"),
            started_on=as_utc(run.get("StartedOn")),
            arguments=dict(run.get("Arguments") or {}),
            execution_class=run.get("ExecutionClass"),
            security_configuration=run.get("SecurityConfiguration"),
            trigger_name=run.get("TriggerName"),
        )

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def started_by(self) -> str | None:
        """Who started the run when no user did: `trigger/<name>` (triggers, schedules, workflows)."""
        return f"trigger/{self.trigger_name}" if self.trigger_name else None

    @property
    def stopping(self) -> bool:
        return self.state == "STOPPING"

    def elapsed_seconds(self, now: datetime) -> float:
        return max(0.0, (now - self.started_on).total_seconds()) if self.started_on else 0.0
