"""Job failure notifications (glueguard.runs.failures): windows, the logs link, attributes, the messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from glueguard.cost import run_cost
from glueguard.policy.settings import Policy
from glueguard.runs.failures import (
    Failure,
    attributes,
    digest_message,
    first_message,
    is_failure,
    logs_link,
    window_closed,
    window_of,
)

RUN = {
    "Id": "jr_1",
    "JobName": "project-x-job-a",
    "JobRunState": "TIMEOUT",
    "ErrorMessage": "Job run timed out",
    "StartedOn": datetime(2031, 3, 12, 10, 0, tzinfo=UTC),
    "ExecutionTime": 600,
    "WorkerType": "G.1X",
    "NumberOfWorkers": 4,
    "LogGroupName": "/aws-glue/jobs",
}


def test_windows_start_on_the_hour_and_close_an_hour_later():
    start = window_of(datetime(2031, 12, 31, 23, 59, 59, tzinfo=UTC))
    assert start == datetime(2031, 12, 31, 23, 0, tzinfo=UTC)
    assert not window_closed(start, start + timedelta(minutes=59, seconds=59))
    assert window_closed(start, start + timedelta(hours=1))


def test_only_failed_timed_out_and_errored_runs_are_failures():
    states = ["SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "ERROR", "EXPIRED", "RUNNING"]
    assert [s for s in states if is_failure({"JobRunState": s})] == ["FAILED", "TIMEOUT", "ERROR"]
    assert not is_failure(None)


def test_the_logs_link_opens_the_runs_streams_in_its_error_log_group():
    assert logs_link("eu-west-1", "/custom/prefix/", "jr_9") == (
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1"
        "#logsV2:log-groups/log-group/$252Fcustom$252Fprefix$252Ferror/log-events$3FlogStreamNameFilter$3Djr_9"
    )
    assert "$252Faws-glue$252Fjobs$252Ferror/" in logs_link("us-east-1", None, "jr_9")


def test_the_first_message_carries_the_run_its_cost_and_filterable_attributes():
    failure = Failure.of("x", RUN, run_cost(RUN, Policy()), "us-east-1")
    subject, body = first_message(failure, window_of(RUN["StartedOn"]))
    told = json.loads(body)
    assert subject == "glueguard: project-x-job-a run TIMEOUT"
    assert {k: told[k] for k in ("run_id", "state", "error_message", "duration_seconds", "failures_in_window")} == {
        "run_id": "jr_1",
        "state": "TIMEOUT",
        "error_message": "Job run timed out",
        "duration_seconds": 600.0,
        "failures_in_window": 1,
    }
    assert (told["dpu_hours"], told["cost_usd"]) == (round(4 * 600 / 3600, 6), round(4 * 600 / 3600 * 0.44, 4))
    assert {k: v["StringValue"] for k, v in attributes("x", "project-x-job-a", "TIMEOUT").items()} == {
        "project": "x",
        "severity": "medium",
        "kind": "job-failure",
        "job": "project-x-job-a",
        "state": "TIMEOUT",
        "audience": "project",
    }


def test_a_digest_counts_the_windows_failures_and_names_their_runs():
    start = datetime(2031, 3, 12, 10, 0, tzinfo=UTC)
    subject, body = digest_message("x", "project-x-job-a", start, 3, ["jr_3", "jr_1", "jr_2"], {"state": "ERROR"})
    told = json.loads(body)
    assert subject == "glueguard: project-x-job-a failed 3 times"
    assert (told["failures_in_window"], told["run_ids"], told["window_end"]) == (
        3,
        ["jr_1", "jr_2", "jr_3"],
        "2031-03-12T11:00:00+00:00",
    )
