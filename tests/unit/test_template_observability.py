"""template.yaml: every function has an errors alarm, every DLQ a depth alarm, and the dashboard is valid JSON."""

from __future__ import annotations

import json
import re

from tests.support.stack import template

RESOURCES = template()["Resources"]


def _of_type(kind: str) -> list[str]:
    return [name for name, r in RESOURCES.items() if r["Type"] == kind]


def _alarm_references() -> str:
    return json.dumps([r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::CloudWatch::Alarm"])


def test_every_function_has_an_errors_alarm():
    alarms = _alarm_references()
    missing = [f for f in _of_type("AWS::Serverless::Function") if json.dumps({"Ref": f}) not in alarms]
    assert not missing, f"add an AWS/Lambda Errors alarm for {missing} (template.yaml 'dashboard and alarms')"


def test_every_dead_letter_queue_has_a_depth_alarm():
    alarms = _alarm_references()
    queues = [q for q in _of_type("AWS::SQS::Queue") if "DeadLetter" in q]
    missing = [q for q in queues if json.dumps({"Fn::GetAtt": [q, "QueueName"]}) not in alarms]
    assert queues and not missing, f"add an ApproximateNumberOfMessagesVisible alarm for {missing}"


def test_dashboard_body_is_json_with_the_plane_widgets():
    body, variables = RESOURCES["PlaneDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    rendered = re.sub(r"\$\{[^}]+\}", "x", body)
    widgets = json.loads(rendered)["widgets"]
    titles = " ".join(w["properties"]["title"].lower() for w in widgets)
    for topic in ("violations", "remediations", "stopped runs", "cost", "errors", "dlq"):
        assert topic in titles
    assert set(re.findall(r"\$\{(\w+)\}", body)) - {
        "EnforcerFunction",
        "ComplianceFunction",
        "ConfigRulesFunction",
    } <= set(variables)


def test_dashboard_has_one_widget_per_success_metric():
    from glueguard.compliance.run import SUCCESS_METRICS

    body, _ = RESOURCES["PlaneDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))["widgets"]
    shown = [
        name
        for w in widgets
        for name in SUCCESS_METRICS.values()
        if f'MetricName="{name}"' in json.dumps(w["properties"]["metrics"]).replace('\\"', '"')
    ]
    assert sorted(shown) == sorted(SUCCESS_METRICS.values())  # each exactly once
