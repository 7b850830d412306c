"""Property: the run guard and the upload trigger, fed thousands of malformed and odd events, raise
nothing but InvalidEventError and change nothing in AWS (jobs, their runs, tags, decisions, DPU held in
the ledger).

The account holds a registered project, its buckets and a job within the caps (no upload binding);
generated events never name that job, so none of them has anything to stop, admit or start.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
import hypothesis
import pytest
from glueguard.handlers import run_guard, upload_trigger
from glueguard.models.events import InvalidEventError
from hypothesis import given, settings

from tests.reliability.conftest import BAD_JOB
from tests.reliability.test_enforcer_events import TARGET, mutated_events
from tests.support.events import EVENTS
from tests.support.fuzz import examples
from tests.support.lambda_context import LambdaContext
from tests.support.snapshot import snapshot, table_items


def _samples(folder: str) -> list[str]:
    return sorted(str(p.relative_to(EVENTS)) for p in (EVENTS / folder).glob("*.json"))


def _state() -> dict[str, Any]:
    glue = boto3.client("glue")
    runs = [r for page in glue.get_paginator("get_job_runs").paginate(JobName=TARGET) for r in page["JobRuns"]]
    # The ledger may gain tombstones (0 DPU, expiring): a terminal event for a run it never saw is
    # remembered so that a late StartJobRun cannot admit a finished run. Capacity held must not move.
    held = [i for i in table_items(os.environ["GLUEGUARD_LEDGER_TABLE"]) if float(i.get("dpu", {}).get("N", "0"))]
    return {**snapshot(), "runs": runs, "ledger_held": held}


def _handle(handler: Any, event: Any) -> None:
    try:
        result = handler(event, LambdaContext())
    except InvalidEventError:
        hypothesis.event("InvalidEventError")
        return
    hypothesis.event(f"returned: {result.get('outcome') if isinstance(result, dict) else type(result).__name__}")


@pytest.fixture
def seeded(project):
    boto3.client("glue").create_job(Name=TARGET, **{**BAD_JOB, "NumberOfWorkers": 10, "Timeout": 60})
    return _state()


@settings(settings.get_profile("reliability"), max_examples=examples(60))
@given(event=mutated_events(_samples("run_guard")))
def test_run_guard_events_raise_only_invalid_event_error_and_change_nothing(seeded, event):
    _handle(run_guard.handler, event)
    assert _state() == seeded


@settings(settings.get_profile("reliability"), max_examples=examples(60))
@given(event=mutated_events(_samples("upload_trigger")))
def test_upload_events_raise_only_invalid_event_error_and_change_nothing(seeded, event):
    _handle(upload_trigger.handler, event)
    assert _state() == seeded
