"""Violations become a plan of AWS calls that changes only what violates."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.policy.settings import parse_policy
from glueguard.remediation.plan import apply_patches
from glueguard.remediation.planner import build_plan
from glueguard.resources.job import JobKind, job_update, job_update_members

from tests.unit.test_job_rules import COMPLIANT, PID, PROJECT

ARN = f"arn:aws:glue:us-east-1:123456789012:job/project-{PID}-job-ingest"


def v(rule="r", patch=None, tags=None, unfixable=False, enforce=True):
    return Violation(rule, Severity.HIGH, "m", patch or {}, tags or {}, unfixable, enforce)


def test_dict_patches_merge_and_none_removes():
    base = {"DefaultArguments": {"--a": "1", "--b": "2"}, "Timeout": 5, "X": 1}
    out = apply_patches(
        base,
        [
            v(patch={"DefaultArguments": {"--a": "9"}}),
            v(patch={"DefaultArguments": {"--b": None, "--c": "3"}, "X": None, "Timeout": 7}),
        ],
    )
    assert out == {"DefaultArguments": {"--a": "9", "--c": "3"}, "Timeout": 7}
    assert base["DefaultArguments"] == {"--a": "1", "--b": "2"}  # input untouched


def test_job_update_keeps_every_member_and_drops_what_glue_rejects():
    definition = {
        **COMPLIANT,
        "CreatedOn": "x",
        "LastModifiedOn": "y",
        "AllocatedCapacity": 10,
        "MaxCapacity": 10.0,
        "MaintenanceWindow": "Sun:10",
        "Description": None,
    }
    update = job_update(definition)
    assert "Name" not in update and "CreatedOn" not in update and "AllocatedCapacity" not in update
    assert "MaxCapacity" not in update  # WorkerType is set
    assert "Description" not in update  # None is not sent
    assert update["MaintenanceWindow"] == "Sun:10"
    assert {k for k in COMPLIANT if k != "Name"} <= set(update)
    assert set(update) <= job_update_members()
    assert job_update({"MaxCapacity": 2.0, "Role": "r", "Command": {}})["MaxCapacity"] == 2.0


def test_plan_update_then_tags():
    resource = Resource("job", COMPLIANT["Name"], COMPLIANT, {}, ARN)
    plan = build_plan(
        JobKind(), resource, [v(patch={"NumberOfWorkers": 5}), v(tags={"Owner": "o"})], PROJECT, parse_policy({})
    )
    assert [a.operation for a in plan.actions] == ["update_job", "tag_resource"]
    assert plan.actions[0].params["JobUpdate"]["NumberOfWorkers"] == 5
    assert plan.actions[0].params["JobUpdate"]["DefaultArguments"] == COMPLIANT["DefaultArguments"]
    assert plan.outcome == "remediated"


def test_report_mode_violations_change_nothing():
    resource = Resource("job", COMPLIANT["Name"], COMPLIANT, {}, ARN)
    plan = build_plan(JobKind(), resource, [v(patch={"NumberOfWorkers": 5}, enforce=False)], PROJECT, parse_policy({}))
    assert plan.actions == [] and plan.outcome == "reported" and len(plan.reported) == 1


def test_unfixable_name_is_saved_before_delete_with_a_compliant_replay():
    resource = Resource("job", "ingest", {**COMPLIANT, "Name": "ingest"}, {"team": "a"}, ARN)
    when = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    plan = build_plan(
        JobKind(),
        resource,
        [v("job-naming", unfixable=True), v(patch={"NumberOfWorkers": 5})],
        PROJECT,
        parse_policy({"naming_action": "delete"}),
        event_id="e1",
        now=when,
    )
    save, delete = plan.actions
    assert (save.operation, delete.operation) == ("put_object", "delete_job")
    assert save.params["Bucket"] == f"project-{PID}-glue-artifacts"
    assert save.params["Key"] == "glueguard/quarantine/job/ingest/20261128T100000000000Z.json"
    body = json.loads(save.params["Body"])
    assert body["definition"]["Name"] == "ingest" and body["tags"] == {"team": "a"}
    assert body["replay"]["request"]["Name"] == f"project-{PID}-job-ingest"
    assert body["replay"]["request"]["NumberOfWorkers"] == 5
    assert plan.outcome == "deleted"
