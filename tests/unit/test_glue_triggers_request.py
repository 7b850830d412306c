"""Issue #12 item 2: a trigger is made on the plane's path only when every action and watched job is the project's."""

from __future__ import annotations

import pytest
from glueguard.glue_triggers import TriggerRefused, create, problems
from glueguard.models.project import Project

A = "0a0a0a0a-1111-4222-8333-aaaaaaaaaaaa"
B = "0b0b0b0b-1111-4222-8333-bbbbbbbbbbbb"
PROJECT = Project(project_id=A, owner="team-a", cost_center="cc-1")


def _request(**changes):
    return {
        "Name": f"project-{A}-trigger-nightly",
        "Type": "ON_DEMAND",
        "Actions": [{"JobName": f"project-{A}-job-ingest", "Arguments": {"--day": "today"}}],
        **changes,
    }


def test_a_trigger_on_the_projects_own_jobs_is_made_with_its_tags():
    class Glue:
        def create_trigger(self, **request):
            self.request = request
            return {"Name": request["Name"]}

    glue = Glue()
    assert create(glue, _request(), PROJECT) == {"Name": f"project-{A}-trigger-nightly"}
    assert glue.request["Tags"] == PROJECT.mandatory_tags()


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        (
            {"Actions": [{"JobName": f"project-{B}-job-ingest", "Arguments": {"--additional-python-modules": "x"}}]},
            "not a job of the project",
        ),
        ({"Actions": [{"CrawlerName": f"project-{B}-crawler-raw"}]}, "not a crawler of the project"),
        ({"Actions": [{"JobName": "shared-etl"}]}, "not a job of the project"),
        (
            {
                "Type": "CONDITIONAL",
                "Predicate": {"Conditions": [{"JobName": f"project-{B}-job-x", "State": "SUCCEEDED"}]},
            },
            "watches",
        ),
        ({"WorkflowName": f"project-{B}-workflow-w"}, "not a workflow of the project"),
        ({"Name": f"project-{B}-trigger-x"}, "is not project-"),
        ({"Actions": [{"JobName": f"project-{A}-job-ingest", "SecurityConfiguration": "plain"}]}, "not the project's"),
        ({"Actions": []}, "at least one"),
    ],
)
def test_a_trigger_reaching_outside_the_project_is_refused_and_nothing_is_made(changes, why):
    class Glue:
        def create_trigger(self, **request):
            raise AssertionError("nothing may be created")

    assert any(why in p for p in problems(_request(**changes), PROJECT))
    with pytest.raises(TriggerRefused, match=why):
        create(Glue(), _request(**changes), PROJECT)
