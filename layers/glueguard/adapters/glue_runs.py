"""Job runs from GetJobRuns (newest first), read only as far back as a window needs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

RUNS_PER_PAGE = 200  # GetJobRuns' maximum


def job_runs_since(glue: Any, job_name: str, since: datetime) -> list[dict[str, Any]]:
    """The job's runs started at or after `since`; stops paging at the first older run."""
    runs: list[dict[str, Any]] = []
    pages = glue.get_paginator("get_job_runs").paginate(JobName=job_name, PaginationConfig={"PageSize": RUNS_PER_PAGE})
    for page in pages:
        for run in page.get("JobRuns", []):
            started = run.get("StartedOn")
            if isinstance(started, datetime) and started < since:
                return runs
            runs.append(run)
    return runs
