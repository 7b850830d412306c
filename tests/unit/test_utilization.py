"""Utilization alerts (glueguard.metrics.utilization): which jobs are underused, the workers to keep, once a week."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from glueguard.metrics.success import RunRecord
from glueguard.metrics.utilization import finding, underused, week_of
from glueguard.policy.settings import Policy


def _record(job: str, utilization: float | None, workers: int = 10, started: int = 1) -> RunRecord:
    run = {
        "Id": f"jr_{job}_{started}",
        "JobName": job,
        "JobRunState": "SUCCEEDED",
        "StartedOn": datetime(2031, 3, 12, started, tzinfo=UTC),
        "ExecutionTime": 600,
        "WorkerType": "G.1X",
        "NumberOfWorkers": workers,
    }
    return RunRecord("p", run, utilization=utilization)


@pytest.mark.parametrize(
    ("utilizations", "keep"),
    [([0.25, 0.25], 4), ([0.1, 0.3], 4), ([0.05, 0.05], 2), ([0.49, 0.3], 7)],
)
def test_an_underused_job_keeps_the_workers_its_peak_needs_at_the_target(utilizations, keep):
    [found] = underused([_record("j", u, started=i + 1) for i, u in enumerate(utilizations)], Policy())
    assert (found.workers, found.workers_to_keep, found.runs) == (10, keep, len(utilizations))


@pytest.mark.parametrize(
    "records",
    [
        [_record("j", 0.5), _record("j", 0.5, started=2)],  # at the threshold: not "well under"
        [_record("j", 0.1)],  # one run is no pattern
        [_record("j", None), _record("j", None, started=2)],  # not measured
        [_record("j", 0.3, workers=2), _record("j", 0.3, workers=2, started=2)],  # already at the least
        [_record("j", 0.1), _record("j", 0.9, started=2)],  # its peak needs all 10 workers at 75%... and more
    ],
)
def test_jobs_that_use_their_workers_or_cannot_be_judged_are_not_reported(records):
    assert underused(records, Policy()) == []


def test_the_finding_is_low_and_keyed_by_job_and_iso_week():
    [found] = underused([_record("j", 0.25), _record("j", 0.25, started=2)], Policy())
    monday, sunday = datetime(2031, 3, 10, tzinfo=UTC), datetime(2031, 3, 16, 23, tzinfo=UTC)
    assert week_of(monday) == week_of(sunday) == "2031-W11" != week_of(datetime(2031, 3, 17, tzinfo=UTC))
    first, again = finding(found, monday), finding(found, sunday)
    assert first.decision_id == again.decision_id == "finding#job#j#job-underutilized#2031-W11"
    assert (first.severity, first.outcome, first.figures["workers_to_keep"]) == ("low", "reported", 4)
    assert "4 workers would do" in first.violations[0]["message"]
