"""Which job runs or crawlers made a catalog call: Glue gives every run of a job the session name
`GlueJobRunnerSession`, so the session names no run; the runs of the project's jobs that use the caller's role and
were running when the call was made do (pure: the runs are read by the caller)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from glueguard.lineage.record import LineageRecord
from glueguard.runs.job_run import as_utc


def role_name(role: str | None) -> str:
    """A role's name from its ARN or name (a job's Role may be either)."""
    return (role or "").rsplit("/", 1)[-1]


def running_at(run: dict[str, Any], when: datetime) -> bool:
    """The run (GetJobRuns shape) had started at `when` and had not ended before it. CloudTrail's eventTime is
    whole seconds (a call 0.6 s into a run started at 10:00:16.4 reads 10:00:16Z): the start counts by its second."""
    started, ended = as_utc(run.get("StartedOn")), as_utc(run.get("CompletedOn"))
    return started is not None and started.replace(microsecond=0) <= when and (ended is None or when <= ended)


def job_runs_for(record: LineageRecord, jobs: list[dict[str, Any]], runs: dict[str, list[dict[str, Any]]]) -> list[str]:
    """`job-name/run-id` of every run of a job on the record's role that was running at the call (a job role's
    call); several when runs of such jobs overlapped, none when no run was (the role was used outside a run)."""
    when = as_utc(record.event_time) if record.event_time else None
    if record.actor != "job" or when is None:
        return []
    on_role = [j["Name"] for j in jobs if role_name(j.get("Role")) == record.role]
    return [f"{name}/{run['Id']}" for name in on_role for run in runs.get(name, []) if running_at(run, when)]


def crawlers_for(record: LineageRecord, crawlers: list[dict[str, Any]]) -> list[str]:
    """The crawlers on the record's role (a crawler role's call): every one that may have made it."""
    if record.actor != "crawler":
        return []
    return [c["Name"] for c in crawlers if role_name(c.get("Role")) == record.role]
