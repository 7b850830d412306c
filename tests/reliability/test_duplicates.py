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
from tests.support.fleet import compliant_job
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


def test_calls_per_event_violating_compliant_and_duplicate(project):
    """Every AWS call the enforcer makes (all services), warm: a violating job 8 (GetJob, GetTags, GetJobs to count
    the project's jobs against its quota, UpdateJob, TagResource; the decision's PutItem; the event's idempotency
    record claimed and completed), a compliant one 5 (the three reads and the record), a duplicate 0 in the
    container that handled it and 1 in another (its claim of the event id is refused: the first delivery's record
    answers). make bench measures them against the goals."""
    from glueguard.handlers import enforcer

    glue = boto3.client("glue")
    for name in (job_name(), job_name("warm-up"), job_name("warm-up-2")):
        glue.create_job(Name=name, **BAD_JOB)
    event = create_job_event(job_name())
    handler(create_job_event(job_name("warm-up")), LambdaContext())  # a warm container: the project is cached
    with counting_calls() as first:
        handler(event, LambdaContext())
    with counting_calls() as again:
        handler(event, LambdaContext())
        handler(event, LambdaContext())
    enforcer.reset()
    handler(create_job_event(job_name("warm-up-2")), LambdaContext())
    with counting_calls() as elsewhere:
        handler(event, LambdaContext())
    good = compliant_job(project, 1)
    glue.create_job(**good)
    with counting_calls() as compliant:
        handler(create_job_event(good["Name"]), LambdaContext())
    assert compliant == Counter({"Glue": 3, "DynamoDB": 2})  # GetJob, GetTags, GetJobs (1 page); the record
    assert first == Counter({"Glue": 5, "DynamoDB": 3})  # + UpdateJob, TagResource; the decision's PutItem
    assert again == Counter()  # handled here already: AWS is not even read
    # Another container claims the event id first (a conditional PutItem on the idempotency table); the first
    # delivery's completed record refuses it and answers: Glue is not read, nothing is recorded twice.
    assert elsewhere == Counter({"DynamoDB": 1})


def test_a_compliant_catalog_change_costs_one_write_more_a_compliant_job_none(project):
    """Lineage (docs/lineage.md): a compliant UpdateTable costs GetTable, the idempotency record and one lineage
    PutItem, and the record names its table and call; a compliant job's event writes no lineage."""
    import copy

    from glueguard.adapters.lineage import LineageLog

    from tests.support.events import load

    glue, database = boto3.client("glue"), f"project-{PID}-catalog-db"
    for name in ("events", "warm-up"):
        glue.create_table(DatabaseName=database, TableInput={"Name": name, "TableType": "EXTERNAL_TABLE"})

    def update_table_event(name: str) -> dict:
        event = copy.deepcopy(load("enforcer/update_table.json"))
        event["id"] = event["detail"]["eventID"] = f"lineage-{name}"
        event["detail"]["requestParameters"]["tableInput"]["name"] = name
        return event

    handler(update_table_event("warm-up"), LambdaContext())
    with counting_calls() as compliant:
        assert handler(update_table_event("events"), LambdaContext())["outcome"] == "compliant"
    assert compliant == Counter({"Glue": 1, "DynamoDB": 3})  # GetTable; the idempotency record; the lineage PutItem
    arn = f"arn:aws:glue:us-east-1:123456789012:table/{database}/events"
    [record] = LineageLog().history(arn)
    assert (record.event_name, record.event_id, record.project_id) == ("UpdateTable", "lineage-events", PID)
    good = compliant_job(project, 2)
    glue.create_job(**good)
    handler(create_job_event(good["Name"]), LambdaContext())
    tables = {item["table"] for item in LineageLog()._table.scan()["Items"]}
    assert tables == {"warm-up", "events"}  # the job's event wrote none
