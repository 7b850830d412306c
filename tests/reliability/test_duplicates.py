"""At-least-once delivery: every event delivered 3 times, in any order, gives exactly one remediation
(one UpdateJob) and one decision per event."""

from __future__ import annotations

import random
from collections import Counter

import boto3
import pytest
from glueguard.adapters.calls import counting_calls
from glueguard.adapters.clients import client
from glueguard.adapters.decisions import DecisionLog
from glueguard.handlers.enforcer import handler

from tests.reliability.conftest import BAD_JOB, PID, create_job_event, job_name
from tests.support.lambda_context import LambdaContext

JOBS = 6


def _update_calls(glue) -> tuple[Counter[str], object]:
    calls: Counter[str] = Counter()

    def count(params, **_):
        calls[params["JobName"]] += 1

    glue.meta.events.register("provide-client-params.glue.UpdateJob", count, unique_id="dup-count")
    return calls, lambda: glue.meta.events.unregister("provide-client-params.glue.UpdateJob", unique_id="dup-count")


@pytest.mark.parametrize("redelivery", ["same envelope", "replayed with a new envelope id"])
def test_every_event_three_times_one_remediation_and_one_decision_each(project, redelivery):
    glue = boto3.client("glue")
    names = [job_name(f"dup-{i}") for i in range(JOBS)]
    for name in names:
        glue.create_job(Name=name, **BAD_JOB)
    events = [create_job_event(name) for name in names]
    deliveries = [dict(e) for e in events for _ in range(3)]
    random.Random(3).shuffle(deliveries)
    if redelivery != "same envelope":
        for i, event in enumerate(deliveries):
            event["id"] = f"{event['id']}-delivery-{i}"  # an archive replay: new envelope, same CloudTrail eventID

    calls, stop = _update_calls(client("glue"))
    try:
        outcomes = Counter(handler(event, LambdaContext())["outcome"] for event in deliveries)
    finally:
        stop()

    assert calls == Counter({name: 1 for name in names})
    decisions = DecisionLog().list(PID)
    assert Counter(d.resource_name for d in decisions) == Counter({name: 1 for name in names})
    assert {d.outcome for d in decisions} == {"remediated"}
    assert outcomes["remediated"] >= JOBS


def test_duplicates_of_a_handled_event_do_not_even_read_aws(project):
    glue = boto3.client("glue")
    glue.create_job(Name=job_name(), **BAD_JOB)
    event = create_job_event(job_name())
    with counting_calls([client("glue")]) as first:
        handler(event, LambdaContext())
    with counting_calls([client("glue")]) as again:
        handler(event, LambdaContext())
        handler(event, LambdaContext())
    assert first["Glue"] == 6  # GetJob, GetTags, UpdateJob, TagResource, GetJob, GetTags
    assert again["Glue"] == 0  # the idempotency record answers: AWS is not even read
