"""The lineage core (pure): a catalog call's record, and which job runs or crawlers made it."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from glueguard.lineage.attribution import crawlers_for, job_runs_for
from glueguard.lineage.record import lineage_record, parse_table
from glueguard.models.events import parse_cloudtrail_event

from tests.support.events import load

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
DB = f"project-{PID}-catalog-db"
JOB_ROLE = f"project-{PID}-glue-job-role"
ARN = f"arn:aws:glue:us-east-1:123456789012:table/{DB}/events"


def _event(role: str = JOB_ROLE, session: str = "GlueJobRunnerSession", name: str = "UpdateTable"):
    event = copy.deepcopy(load("enforcer/update_table.json"))
    identity = event["detail"]["userIdentity"]
    identity["arn"] = f"arn:aws:sts::123456789012:assumed-role/{role}/{session}"
    identity["sessionContext"]["sessionIssuer"]["arn"] = f"arn:aws:iam::123456789012:role/{role}"
    event["detail"]["eventName"] = name
    return parse_cloudtrail_event(event)


def test_a_job_role_sessions_update_is_recorded_with_its_table_time_and_project():
    record = lineage_record(_event(), ARN, f"{DB}/events")
    assert record is not None
    assert (record.table_arn, record.database, record.table) == (ARN, DB, "events")
    assert (record.event_name, record.event_time, record.actor) == ("UpdateTable", "2026-11-28T10:00:00Z", "job")
    assert (record.role, record.session, record.project_id) == (JOB_ROLE, "GlueJobRunnerSession", PID)
    assert record.entry == f"2026-11-28T10:00:00Z#{record.event_id}"


@pytest.mark.parametrize(
    ("role", "actor"),
    [(f"project-{PID}-glue-crawler-role", "crawler"), (f"project-{PID}-glue-dev-role", "dev"), ("Admin", "person")],
)
def test_the_actor_is_read_from_the_role(role, actor):
    assert lineage_record(_event(role=role), ARN, f"{DB}/events").actor == actor


def test_only_catalog_data_changes_are_recorded():
    assert lineage_record(_event(name="UpdateDatabase"), ARN, f"{DB}/events") is None


def _run(run_id: str, started: datetime, completed: datetime | None = None) -> dict:
    return {"Id": run_id, "StartedOn": started, **({"CompletedOn": completed} if completed else {})}


def test_the_runs_of_jobs_on_the_role_running_at_the_call_are_named():
    record = lineage_record(_event(), ARN, f"{DB}/events")  # at 10:00:00Z
    at = lambda h, m, s=0, us=0: datetime(2026, 11, 28, h, m, s, us, tzinfo=UTC)  # noqa: E731
    jobs = [
        {"Name": "etl", "Role": f"arn:aws:iam::123456789012:role/{JOB_ROLE}"},
        {"Name": "other-role", "Role": f"project-{PID}-glue-dev-role"},
    ]
    runs = {
        "etl": [
            _run("jr_before", at(9, 0), at(9, 59, 59)),  # ended a second before the call
            _run("jr_during", at(9, 30), at(10, 0)),  # ended at the call's second
            _run("jr_same_second", at(10, 0, 0, 600_000)),  # eventTime is whole seconds: 10:00:00.6 counts
            _run("jr_after", at(10, 0, 1)),
        ],
        "other-role": [_run("jr_theirs", at(9, 0))],
    }
    assert job_runs_for(record, jobs, runs) == ["etl/jr_during", "etl/jr_same_second"]


def test_a_persons_call_names_no_run_and_a_crawler_roles_call_names_its_crawlers():
    person = lineage_record(_event(role="Admin"), ARN, f"{DB}/events")
    assert (
        job_runs_for(
            person, [{"Name": "etl", "Role": "Admin"}], {"etl": [_run("jr", datetime(2026, 1, 1, tzinfo=UTC))]}
        )
        == []
    )
    crawler_role = f"project-{PID}-glue-crawler-role"
    crawler = lineage_record(_event(role=crawler_role), ARN, f"{DB}/events")
    crawlers = [
        {"Name": "c1", "Role": crawler_role},
        {"Name": "c2", "Role": f"arn:aws:iam::1:role/{crawler_role}"},
        {"Name": "c3", "Role": "x"},
    ]
    assert crawlers_for(crawler, crawlers) == ["c1", "c2"]


@pytest.mark.parametrize("value", ["db", "db.", ".t", "/t", "db/"])
def test_a_table_is_named_database_dot_table(value):
    with pytest.raises(ValueError, match=r"is not DATABASE\.TABLE"):
        parse_table(value)
    assert parse_table(f"{DB}.events") == parse_table(f"{DB}/events") == (DB, "events")


@pytest.mark.parametrize(
    "event", ["CreatePartition", "BatchCreatePartition", "UpdatePartition", "BatchDeletePartition"]
)
def test_a_partition_call_is_an_event_of_its_table_and_its_lineage(event):
    from glueguard.resources.base import kind_for_event

    kind, name = kind_for_event(event).target(event, {"databaseName": DB, "tableName": "events"}, None)
    assert (kind.kind, name) == ("table", f"{DB}/events")
    assert lineage_record(_event(name=event), ARN, name).event_name == event
