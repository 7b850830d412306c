"""Each job rule alone: what it finds and the patch it proposes."""

from __future__ import annotations

import pytest
from glueguard.models.project import Project, ProjectResources
from glueguard.models.resource import Resource
from glueguard.models.violation import Severity
from glueguard.policy.settings import parse_policy
from glueguard.rules import RuleContext, evaluate, rules_for

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
OTHER = "9b8a7c6d-1111-4222-8333-444455556666"
ROLE = f"arn:aws:iam::123456789012:role/project-{PID}-glue-job-role"
PROJECT = Project(
    project_id=PID,
    owner="ml-team-a",
    cost_center="cc-1",
    resources=ProjectResources(job_role_arn=ROLE, connection_name=f"project-{PID}-network"),
)
TAGS = {"Project": f"project-{PID}", "Service": "glue", "Owner": "ml-team-a", "CostCenter": "cc-1"}
COMPLIANT = {
    "Name": f"project-{PID}-job-ingest",
    "Role": ROLE,
    "Command": {"Name": "glueetl", "ScriptLocation": f"s3://project-{PID}-glue-scripts/ingest.py"},
    "DefaultArguments": {"--TempDir": f"s3://project-{PID}-glue-temp/tmp/"},
    "Connections": {"Connections": [f"project-{PID}-network"]},
    "SecurityConfiguration": f"project-{PID}-security-config",
    "WorkerType": "G.1X",
    "NumberOfWorkers": 10,
    "Timeout": 120,
    "GlueVersion": "4.0",
    "ExecutionClass": "FLEX",
    "NotificationProperty": {"NotifyDelayAfter": 1},
}


def check(
    changes: dict | None = None,
    tags: dict | None = None,
    policy: dict | None = None,
    name: str | None = None,
    drop: tuple[str, ...] = (),
):
    definition = {**COMPLIANT, **(changes or {})}
    for key in drop:
        definition.pop(key)
    resource = Resource("job", name or definition["Name"], definition, TAGS if tags is None else tags)
    found = evaluate(resource, RuleContext(PROJECT, parse_policy(policy or {})))
    return {v.rule: v for v in found}


def test_compliant_job_has_no_violation():
    assert check() == {}


def test_every_job_rule_is_registered_with_a_description():
    ids = {r.id for r in rules_for("job")}
    assert ids >= {
        "job-naming",
        "job-role",
        "job-vpc",
        "job-security-configuration",
        "job-script-location",
        "job-temp-dir",
        "job-worker-cap",
        "job-timeout",
        "job-tags",
        "job-flex-preference",
    }
    assert all(r.description for r in rules_for("job"))


def test_naming():
    found = check(name="ingest")
    assert found["job-naming"].unfixable and found["job-naming"].severity is Severity.HIGH
    cross = check(name=f"project-{OTHER}-job-x")["job-naming"]
    assert cross.severity is Severity.CRITICAL and OTHER in cross.message


def test_role_locked():
    found = check({"Role": "arn:aws:iam::123456789012:role/admin"})["job-role"]
    assert found.patch == {"Role": ROLE}
    assert check({"Role": f"project-{PID}-glue-job-role"}) == {}  # a role name is the same role
    assert check({"Role": f"project-{OTHER}-glue-job-role"})["job-role"].severity is Severity.CRITICAL
    assert check({"Role": "admin"}, policy={"lock_role": False}) == {}


def test_vpc_connection_present_and_no_foreign_connection():
    missing = check(drop=("Connections",))["job-vpc"]
    assert missing.patch == {"Connections": {"Connections": [f"project-{PID}-network"]}}
    foreign = check({"Connections": {"Connections": [f"project-{OTHER}-network", f"project-{PID}-jdbc"]}})["job-vpc"]
    assert foreign.severity is Severity.CRITICAL
    assert foreign.patch["Connections"]["Connections"] == [f"project-{PID}-network", f"project-{PID}-jdbc"]


def test_security_configuration():
    assert check(drop=("SecurityConfiguration",))["job-security-configuration"].patch == {
        "SecurityConfiguration": f"project-{PID}-security-config"
    }


def test_script_location_outside_is_saved_then_removed_never_rewritten():
    found = check({"Command": {"Name": "glueetl", "ScriptLocation": f"s3://project-{OTHER}-glue-scripts/x.py"}})
    violation = found["job-script-location"]
    assert violation.severity is Severity.CRITICAL and violation.remove and not violation.patch


def test_temp_dir_patch_keeps_other_arguments():
    found = check({"DefaultArguments": {"--TempDir": "s3://elsewhere/tmp/", "--x": "1"}})["job-temp-dir"]
    assert found.patch == {"DefaultArguments": {"--TempDir": f"s3://project-{PID}-glue-temp/temporary/"}}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"NumberOfWorkers": 80}, {"NumberOfWorkers": 50}),
        ({"WorkerType": "G.8X", "NumberOfWorkers": 20}, {"NumberOfWorkers": 12}),  # 100 DPU / 8
        ({"WorkerType": None, "NumberOfWorkers": None, "MaxCapacity": 150.0}, {"MaxCapacity": 100.0}),
    ],
)
def test_worker_cap(changes, expected):
    assert check(changes)["job-worker-cap"].patch == expected


def test_worker_cap_respects_policy():
    assert check({"NumberOfWorkers": 30}, policy={"max_workers_per_job": 20})["job-worker-cap"].patch == {
        "NumberOfWorkers": 20
    }
    assert "job-worker-cap" not in check({"NumberOfWorkers": 50})


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [(None, 120), (2880, 120), (600, 480)],
)
def test_timeout_default_and_cap(timeout, expected):
    changes = {} if timeout is None else {"Timeout": timeout}
    found = check(changes, drop=("Timeout",) if timeout is None else ())
    assert found["job-timeout"].patch == {"Timeout": expected}
    assert "job-timeout" not in check({"Timeout": 480})


def test_tags_take_registry_values():
    found = check(tags={"Project": f"project-{PID}", "Owner": "someone-else"})["job-tags"]
    assert found.tags == {"Service": "glue", "Owner": "ml-team-a", "CostCenter": "cc-1"}


def test_flex_preference_is_report_only_and_skips_critical_jobs():
    found = check({"ExecutionClass": "STANDARD"})["job-flex-preference"]
    assert found.patch == {"ExecutionClass": "FLEX"} and not found.enforce
    assert "job-flex-preference" not in check({"ExecutionClass": "STANDARD"}, tags={**TAGS, "Criticality": "critical"})
    assert "job-flex-preference" not in check({"ExecutionClass": "STANDARD", "GlueVersion": "2.0"})
    assert check({"ExecutionClass": "STANDARD"}, policy={"rule_modes": {"job-flex-preference": "enforce"}})[
        "job-flex-preference"
    ].enforce


def test_rule_mode_off_silences_a_rule():
    assert "job-role" not in check({"Role": "x"}, policy={"rule_modes": {"job-role": "off"}})


def test_observability_metrics_are_required_only_when_the_policy_asks():
    required = {"rule_modes": {"job-observability-metrics": "enforce"}}
    assert "job-observability-metrics" not in check()  # off by default
    found = check(policy=required)["job-observability-metrics"]
    assert found.enforce and found.patch == {"DefaultArguments": {"--enable-observability-metrics": "true"}}
    enabled = {"DefaultArguments": {**COMPLIANT["DefaultArguments"], "--enable-observability-metrics": "true"}}
    assert "job-observability-metrics" not in check(enabled, policy=required)
    assert "job-observability-metrics" not in check({"GlueVersion": "3.0"}, policy=required)  # needs Glue 4.0+


@pytest.mark.parametrize(
    ("notification", "expected"),
    [(None, 1), ({}, 1), ({"NotifyDelayAfter": 10}, 1), ({"NotifyDelayAfter": 1}, None)],
)
def test_notify_delay_is_at_most_one_minute_so_every_run_announces_itself(notification, expected):
    found = check(
        {"NotificationProperty": notification} if notification is not None else None,
        drop=("NotificationProperty",) if notification is None else (),
    )
    if expected is None:
        assert "job-notify-delay" not in found
    else:
        assert found["job-notify-delay"].patch == {"NotificationProperty": {"NotifyDelayAfter": expected}}


def _spark_1(capacity: float) -> dict:
    return {"GlueVersion": "1.0", "WorkerType": None, "NumberOfWorkers": None, "MaxCapacity": capacity}


@pytest.mark.parametrize(
    ("command", "capacity", "cap", "expected"),
    [
        ("glueetl", 10.0, 2.5, 2.0),  # Glue takes whole DPUs from 2 to 100 without a worker type
        ("glueetl", 150.0, 100.0, 100.0),
        ("pythonshell", 1.0, 0.5, 0.0625),  # Python shell takes 0.0625 or 1
    ],
)
def test_max_capacity_is_corrected_to_the_nearest_value_glue_accepts(command, capacity, cap, expected):
    rule = "job-pythonshell-capacity" if command == "pythonshell" else "job-worker-cap"
    changes = {**_spark_1(capacity), "Command": {**COMPLIANT["Command"], "Name": command}}
    found = check(changes, policy={"max_dpu_per_job": cap})
    assert found[rule].patch == {"MaxCapacity": expected}


def test_max_capacity_with_no_value_glue_accepts_under_the_cap_is_reported_not_patched():
    found = check(_spark_1(10.0), policy={"max_dpu_per_job": 1.5})
    assert found["job-worker-cap"].patch == {} and "reported" in found["job-worker-cap"].message


def test_streaming_jobs_get_their_own_worker_cap_and_no_timeout_clamp():
    streaming = {"Command": {**COMPLIANT["Command"], "Name": "gluestreaming"}, "NumberOfWorkers": 20}

    found = check(streaming, drop=("Timeout",))

    assert "job-timeout" not in found  # a streaming job runs until stopped
    assert "job-worker-cap" not in found
    assert found["job-streaming-worker-cap"].patch == {"NumberOfWorkers": 10}  # streaming_max_workers
    assert "job-streaming-worker-cap" not in check(streaming, policy={"streaming_max_workers": 20})


def test_ray_jobs_are_capped_in_z2x_workers():
    ray = {"Command": {**COMPLIANT["Command"], "Name": "glueray"}, "WorkerType": "Z.2X", "NumberOfWorkers": 80}
    found = check(ray)
    assert found["job-ray-worker-cap"].patch == {"NumberOfWorkers": 50}
    assert "job-worker-cap" not in found
