"""Triggers and workflows on moto: naming and tags; a trigger that starts another project's job is deactivated."""

from __future__ import annotations

import boto3
import pytest
from glueguard.adapters.decisions import DecisionLog
from glueguard.handlers.enforcer import handler

from tests.support.events import load
from tests.support.glue import saved_definitions, tags
from tests.support.lambda_context import LambdaContext

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
OTHER = "9b8a7c6d-1111-4222-8333-444455556666"
TRIGGER = f"project-{PID}-trigger-nightly"
OWN = {"JobName": f"project-{PID}-job-ingest", "Arguments": {"--day": "today"}, "Timeout": 30}
FOREIGN = {"JobName": f"project-{OTHER}-job-train"}


def _trigger() -> dict:
    return boto3.client("glue").get_trigger(Name=TRIGGER)["Trigger"]


def _create_trigger(actions: list[dict], **extra) -> None:
    boto3.client("glue").create_trigger(
        Name=TRIGGER,
        Type="SCHEDULED",
        Schedule="cron(0 3 * * ? *)",
        Actions=actions,
        Description="nightly",
        StartOnCreation=True,
        **extra,
    )


def test_trigger_starting_another_projects_job_is_deactivated_and_stripped(project):
    _create_trigger([OWN, FOREIGN])

    result = handler(load("enforcer/create_trigger_cross_project.json"), LambdaContext())

    trigger = _trigger()
    assert result["outcome"] == "stopped"
    assert trigger["State"] == "DEACTIVATED"
    assert trigger["Actions"] == [OWN]  # the own action is kept whole
    assert (trigger["Schedule"], trigger["Description"]) == ("cron(0 3 * * ? *)", "nightly")
    assert tags("trigger", TRIGGER) == project.mandatory_tags()
    [saved] = saved_definitions(project, "trigger")
    assert saved["definition"]["Actions"] == [OWN, FOREIGN]
    assert saved["replay"]["request"]["StartOnCreation"] is False
    [decision] = DecisionLog().list(PID)
    assert decision.severity == "critical"
    assert [a["call"] for a in decision.actions] == [
        "s3:put_object",
        "glue:update_trigger",
        "glue:tag_resource",
        "glue:stop_trigger",
    ]


def test_restarted_trigger_is_judged_again(project):
    _create_trigger([OWN, FOREIGN])
    handler(load("enforcer/create_trigger_cross_project.json"), LambdaContext())
    glue = boto3.client("glue")
    glue.start_trigger(Name=TRIGGER)  # the own job only now: allowed to run
    assert handler(load("enforcer/start_trigger.json"), LambdaContext())["outcome"] == "compliant"
    assert _trigger()["State"] == "ACTIVATED"


def test_trigger_starting_only_foreign_jobs_is_saved_then_removed(project):
    _create_trigger([FOREIGN])
    result = handler(load("enforcer/update_trigger.json"), LambdaContext())
    assert result["outcome"] == "deleted"
    with pytest.raises(boto3.client("glue").exceptions.EntityNotFoundException):
        _trigger()
    [saved] = saved_definitions(project, "trigger")
    assert saved["replay"]["operation"] == "CreateTrigger"
    assert saved["replay"]["request"]["Actions"] == [FOREIGN]


def test_workflow_tags_are_set_and_a_bad_name_reported(project):
    glue = boto3.client("glue")
    glue.create_workflow(Name="nightly-pipeline", Description="ingest then train", MaxConcurrentRuns=1)

    result = handler(load("enforcer/create_workflow_bad_name.json"), LambdaContext())

    assert result["outcome"] == "remediated"  # tags fixed; the name is reported
    assert set(result["violations"]) == {"workflow-naming", "workflow-tags"}
    assert tags("workflow", "nightly-pipeline") == project.mandatory_tags()
    workflow = glue.get_workflow(Name="nightly-pipeline")["Workflow"]
    assert (workflow["Description"], workflow["MaxConcurrentRuns"]) == ("ingest then train", 1)


def test_workflow_with_bad_name_is_saved_then_deleted_when_policy_says_delete(project, monkeypatch):
    monkeypatch.setenv("GLUEGUARD_POLICY", '{"naming_action": "delete"}')
    glue = boto3.client("glue")
    glue.create_workflow(Name="nightly-pipeline", DefaultRunProperties={"stage": "prod"})
    assert handler(load("enforcer/create_workflow_bad_name.json"), LambdaContext())["outcome"] == "deleted"
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_workflow(Name="nightly-pipeline")
    [saved] = saved_definitions(project, "workflow")
    replay = saved["replay"]["request"]
    assert replay["Name"] == f"project-{PID}-workflow-nightly-pipeline"
    glue.create_workflow(**replay)  # the saved request replays
    assert glue.get_workflow(Name=replay["Name"])["Workflow"]["DefaultRunProperties"] == {"stage": "prod"}


def test_compliant_workflow_update_changes_nothing(project):
    glue = boto3.client("glue")
    name = f"project-{PID}-workflow-nightly"
    glue.create_workflow(Name=name, Tags=project.mandatory_tags())
    assert handler(load("enforcer/update_workflow.json"), LambdaContext())["outcome"] == "compliant"
    assert DecisionLog().list(PID) == []
