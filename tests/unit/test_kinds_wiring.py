"""Every governed event is routed to a kind, and template.yaml's enforcer rule lists exactly those events."""

from __future__ import annotations

import pytest
from glueguard.enforcement import Enforcer  # noqa: F401  (the pipeline imports every kind)
from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.policy.settings import parse_policy
from glueguard.remediation.execute import summarize
from glueguard.remediation.planner import build_plan
from glueguard.resources.base import governed_events, kind_for_arn_type, kind_for_event, kinds
from glueguard.rules import rules_for

from tests.support.stack import template
from tests.unit.test_job_rules import PID, PROJECT


def test_template_rule_lists_exactly_the_governed_events():
    pattern = template()["Resources"]["EnforcerFunction"]["Properties"]["Events"]["GlueJobApiCalls"]["Properties"]
    assert set(pattern["Pattern"]["detail"]["eventName"]) == governed_events()


def test_every_kind_has_rules_with_descriptions_and_a_cross_project_rule():
    for name in kinds():
        registered = rules_for(name)
        assert registered, name
        assert all(r.description for r in registered)
        assert "cross-project" in {r.id for r in registered}


@pytest.mark.parametrize(
    ("event", "request_parameters", "kind", "name"),
    [
        ("CreateCrawler", {"name": "c"}, "crawler", "c"),
        ("CreateConnection", {"connectionInput": {"name": "n"}}, "connection", "n"),
        ("UpdateConnection", {"name": "n", "connectionInput": {"name": "n"}}, "connection", "n"),
        ("CreateDatabase", {"databaseInput": {"name": "d"}}, "database", "d"),
        ("CreateTable", {"databaseName": "d", "tableInput": {"name": "t"}}, "table", "d/t"),
        ("CreateSession", {"id": "s"}, "session", "s"),
        ("CreateDevEndpoint", {"endpointName": "e"}, "devendpoint", "e"),
        ("TagResource", {"resourceArn": "arn:aws:glue:us-east-1:1:table/d/t"}, "table", "d/t"),
        ("UntagResource", {"resourceArn": "arn:aws:glue:us-east-1:1:devEndpoint/e"}, "devendpoint", "e"),
    ],
)
def test_events_name_their_resource(event, request_parameters, kind, name):
    target_kind, target_name = kind_for_event(event).target(event, request_parameters, None)
    assert (target_kind.kind, target_name) == (kind, name)


def test_an_event_missing_its_name_is_a_clear_error():
    with pytest.raises(KeyError, match=r"requestParameters\.databaseName"):
        kind_for_event("CreateTable").target("CreateTable", {"tableInput": {"name": "t"}}, None)
    with pytest.raises(KeyError, match=r"connectionInput\.name"):
        kind_for_event("CreateConnection").target("CreateConnection", {}, None)


def test_tagging_an_ungoverned_type_concerns_nothing():
    arn = "arn:aws:glue:us-east-1:1:mlTransform/tfm-1"
    assert kind_for_event("TagResource").target("TagResource", {"resourceArn": arn}, None) is None
    assert kind_for_arn_type("securityConfiguration").kind == "securityconfiguration"


def test_connection_secrets_never_reach_records():
    kind = kinds()["connection"]
    definition = {"Name": "c", "ConnectionType": "JDBC", "ConnectionProperties": {"PASSWORD": "pw", "USERNAME": "u"}}
    resource = Resource("connection", "c", definition, {}, "arn")
    action = kind.update_action(resource, definition)
    assert action.params["ConnectionInput"]["ConnectionProperties"]["PASSWORD"] == "pw"  # sent to Glue
    assert summarize(action)["params"]["ConnectionInput"]["ConnectionProperties"] == {
        "PASSWORD": "***",
        "USERNAME": "u",
    }
    assert kind.redact(definition)["ConnectionProperties"]["PASSWORD"] == "***"


def _v(**flags):
    return Violation("r", Severity.HIGH, "m", **flags)


def test_stop_saves_first_then_updates_tags_and_stops():
    kind = kinds()["trigger"]
    definition = {
        "Name": "t",
        "Type": "SCHEDULED",
        "State": "ACTIVATED",
        "Actions": [{"JobName": "a"}, {"JobName": "b"}],
    }
    resource = Resource("trigger", "t", definition, {}, "arn:t")
    plan = build_plan(
        kind,
        resource,
        [_v(patch={"Actions": [{"JobName": "a"}]}, stop=True), _v(tags={"Owner": "o"})],
        PROJECT,
        parse_policy({}),
    )
    assert [a.operation for a in plan.actions] == ["put_object", "update_trigger", "tag_resource", "stop_trigger"]
    assert plan.actions[1].params["TriggerUpdate"]["Actions"] == [{"JobName": "a"}]
    assert plan.outcome == "stopped"


def test_nothing_to_stop_means_no_save():
    kind = kinds()["session"]
    resource = Resource("session", "s", {"Id": "s", "Status": "STOPPED"}, {}, "arn:s")
    plan = build_plan(kind, resource, [_v(patch={"IdleTimeout": 60}, stop=True)], PROJECT, parse_policy({}))
    assert plan.actions == [] and plan.outcome == "compliant"


def test_remove_ignores_the_naming_action_and_replays_the_patch():
    kind = kinds()["table"]
    resource = Resource("table", "default/events", {"Name": "events", "DatabaseName": "default"}, {}, "arn")
    plan = build_plan(kind, resource, [_v(remove=True)], PROJECT, parse_policy({"naming_action": "report"}))
    save, delete = plan.actions
    assert delete.params == {"DatabaseName": "default", "Name": "events"}
    assert f'"DatabaseName": "project-{PID}-catalog-db"' in save.params["Body"]
    assert plan.outcome == "deleted"
