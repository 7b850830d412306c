"""Custom rules written as data in the policy: validation, evaluation beside the built-in rules, remedies."""

from __future__ import annotations

import json

import pytest
from glueguard.models.resource import Resource
from glueguard.models.violation import Severity
from glueguard.policy.settings import PolicyCache, PolicyError, cache_seconds, parse_policy, policy_schema
from glueguard.remediation.plan import apply_patches
from glueguard.remediation.planner import build_plan
from glueguard.resources.job import JobKind
from glueguard.rules import RuleContext, evaluate

from tests.unit.test_job_rules import COMPLIANT, PID, PROJECT, TAGS

LOGS = "DefaultArguments.--enable-continuous-cloudwatch-log"
CONTINUOUS_LOGS = {
    "id": "job-continuous-logs",
    "kind": "job",
    "severity": "low",
    "message": "continuous CloudWatch logging is off",
    "condition": {"key": LOGS, "op": "ne", "value": "true"},
    "remedy": {"type": "set", "key": LOGS, "value": "true"},
}


def judge(policy: dict, changes: dict | None = None, tags: dict | None = None, kind: str = "job") -> dict:
    definition = {**COMPLIANT, **(changes or {})}
    resource = Resource(kind, definition["Name"], definition, TAGS if tags is None else tags)
    return {v.rule: v for v in evaluate(resource, RuleContext(PROJECT, parse_policy(policy)))}


def rule(**fields) -> dict:
    return {"id": "job-custom", "kind": "job", "message": "custom", **fields}


def test_set_rule_is_evaluated_beside_the_built_in_rules_and_patches_only_its_key():
    found = judge({"custom_rules": [CONTINUOUS_LOGS]}, {"NumberOfWorkers": 80})
    assert set(found) == {"job-worker-cap", "job-continuous-logs"}
    custom = found["job-continuous-logs"]
    assert (custom.severity, custom.enforce) == (Severity.LOW, True)
    assert custom.patch == {"DefaultArguments": {"--enable-continuous-cloudwatch-log": "true"}}
    corrected = apply_patches(COMPLIANT, [custom])
    assert corrected["DefaultArguments"] == {
        **COMPLIANT["DefaultArguments"],
        "--enable-continuous-cloudwatch-log": "true",
    }
    assert {k: v for k, v in corrected.items() if k != "DefaultArguments"} == {
        k: v for k, v in COMPLIANT.items() if k != "DefaultArguments"
    }
    compliant = {"DefaultArguments": {**COMPLIANT["DefaultArguments"], "--enable-continuous-cloudwatch-log": "true"}}
    assert judge({"custom_rules": [CONTINUOUS_LOGS]}, compliant) == {}


def test_the_update_goes_through_the_kinds_full_definition_update():
    policy = parse_policy({"custom_rules": [CONTINUOUS_LOGS]})
    resource = Resource(
        "job", COMPLIANT["Name"], dict(COMPLIANT), TAGS, f"arn:aws:glue:us-east-1:1:job/{COMPLIANT['Name']}"
    )
    violations = evaluate(resource, RuleContext(PROJECT, policy))
    plan = build_plan(JobKind(), resource, violations, PROJECT, policy)
    (update,) = plan.actions
    assert update.operation == "update_job"
    job_update = update.params["JobUpdate"]
    assert job_update["DefaultArguments"]["--enable-continuous-cloudwatch-log"] == "true"
    assert job_update["DefaultArguments"]["--TempDir"] == COMPLIANT["DefaultArguments"]["--TempDir"]
    for key in ("Role", "Command", "Connections", "WorkerType", "NumberOfWorkers", "Timeout", "GlueVersion"):
        assert job_update[key] == COMPLIANT[key]


def test_rule_modes_apply_to_custom_rules():
    reported = judge({"custom_rules": [CONTINUOUS_LOGS], "rule_modes": {"job-continuous-logs": "report"}})
    assert reported["job-continuous-logs"].enforce is False
    assert judge({"custom_rules": [CONTINUOUS_LOGS], "rule_modes": {"job-continuous-logs": "off"}}) == {}


def test_tag_and_report_remedies():
    tag = rule(
        condition={"key": "tag:DataClass", "op": "absent"},
        remedy={"type": "tag", "key": "DataClass", "value": "internal"},
    )
    report = rule(id="job-no-glue-2", condition={"key": "GlueVersion", "op": "in", "value": ["0.9", "1.0", "2.0"]})
    found = judge({"custom_rules": [tag, report]}, {"GlueVersion": "2.0"})
    assert found["job-custom"].tags == {"DataClass": "internal"} and not found["job-custom"].patch
    assert not (found["job-no-glue-2"].patch or found["job-no-glue-2"].tags or found["job-no-glue-2"].unfixable)
    assert "job-custom" not in judge({"custom_rules": [tag]}, tags={**TAGS, "DataClass": "secret"})


@pytest.mark.parametrize(
    ("condition", "changes", "tags", "matches"),
    [
        ({"key": "WorkerType", "value": "G.1X"}, {}, None, True),
        ({"key": "WorkerType", "op": "ne", "value": "G.1X"}, {}, None, False),
        ({"key": "WorkerType", "op": "not-in", "value": ["G.2X"]}, {}, None, True),
        ({"key": "Command.ScriptLocation", "op": "regex", "value": r"\.py$"}, {}, None, True),
        ({"key": "Command.ScriptLocation", "op": "regex", "value": r"\.scala$"}, {}, None, False),
        ({"key": "NumberOfWorkers", "op": "gt", "value": 9}, {}, None, True),
        ({"key": "NumberOfWorkers", "op": "lt", "value": 10}, {}, None, False),
        (
            {"key": "DefaultArguments.--max-records", "op": "gt", "value": 100},
            {"DefaultArguments": {"--max-records": "500"}},
            None,
            True,
        ),
        ({"key": "MaxRetries", "op": "absent"}, {}, None, True),
        ({"key": "MaxRetries", "op": "present"}, {"MaxRetries": 0}, None, True),
        ({"key": "tag:Owner", "value": "ml-team-a"}, {}, None, True),
        ({"key": "tag:Owner", "op": "eq", "value": "ml-team-a"}, {}, {}, False),
        (
            {"all": [{"key": "WorkerType", "value": "G.1X"}, {"key": "NumberOfWorkers", "op": "gt", "value": 5}]},
            {},
            None,
            True,
        ),
        (
            {"all": [{"key": "WorkerType", "value": "G.1X"}, {"key": "NumberOfWorkers", "op": "gt", "value": 50}]},
            {},
            None,
            False,
        ),
        ({"any": [{"key": "WorkerType", "value": "G.2X"}, {"key": "GlueVersion", "value": "4.0"}]}, {}, None, True),
        (
            {"not": {"any": [{"key": "WorkerType", "value": "G.2X"}, {"key": "GlueVersion", "value": "4.0"}]}},
            {},
            None,
            False,
        ),
        (
            {"key": 'DefaultArguments."--conf.with.dots"', "value": "x"},
            {"DefaultArguments": {"--conf.with.dots": "x"}},
            None,
            True,
        ),
    ],
)
def test_value_filters(condition, changes, tags, matches):
    found = judge({"custom_rules": [rule(condition=condition)]}, changes, tags)
    assert ("job-custom" in found) is matches


def test_a_set_that_would_not_clear_the_condition_only_reports():
    policy = {
        "custom_rules": [
            rule(
                condition={"key": "GlueVersion", "op": "ne", "value": "5.0"},
                remedy={"type": "set", "key": "GlueVersion", "value": "4.0"},
            )
        ]
    }
    violation = judge(policy)["job-custom"]
    assert violation.patch == {} and "does not clear the condition" in violation.message


def test_deep_set_keeps_the_siblings():
    policy = {
        "custom_rules": [
            rule(
                id="job-notify",
                condition={"key": "NotificationProperty.NotifyDelayAfter", "op": "absent"},
                remedy={"type": "set", "key": "NotificationProperty.NotifyDelayAfter", "value": 15},
            )
        ]
    }
    assert judge(policy, {"NotificationProperty": {}})["job-notify"].patch == {
        "NotificationProperty": {"NotifyDelayAfter": 15}
    }


#: Ten kinds of mistakes, each refused with the rule's id and the field at fault.
INVALID = [
    (rule(kind="jobs", condition={"key": "Role", "value": "x"}), "kind: 'jobs' is not a governed kind"),
    (rule(condition={"key": "WorkerTyp", "value": "G.1X"}), "condition on 'WorkerTyp': Job has no field 'WorkerTyp'"),
    (rule(condition={"key": "Role", "op": "like", "value": "x"}), "condition.op: Input should be 'eq', 'ne'"),
    (rule(condition={"key": "WorkerType", "op": "in", "value": "G.1X"}), "condition: op 'in' needs a non-empty list"),
    (rule(condition={"key": "Role", "op": "regex", "value": "(unclosed"}), "regex '(unclosed' does not compile"),
    (
        rule(condition={"all": [{"key": "NumberOfWorkers", "value": "ten"}]}),
        "value for NumberOfWorkers must be an integer",
    ),
    (rule(condition={"key": "Role", "op": "gt", "value": 3}), "op 'gt' compares numbers but Role is a string"),
    (rule(condition={"key": "Role..x", "value": "a"}), "key path 'Role..x' is malformed"),
    (rule(condition={"key": "MaxRetries", "op": "absent", "value": 0}), "op 'absent' takes no value"),
    (rule(condition={"any": []}), "condition.any: Tuple should have at least 1 item"),
    (rule(condition={"keys": "Role"}), "condition: a condition is a value filter"),
    (
        rule(condition={"key": "Role", "value": "a"}, remedy={"type": "set", "key": "Name", "value": "x"}),
        "remedy 'set': 'Name' is not a field JobUpdate can change",
    ),
    (
        rule(condition={"key": "Role", "value": "a"}, remedy={"type": "set", "key": "NumberOfWorkers", "value": "5"}),
        "remedy 'set': the value for NumberOfWorkers must be an integer",
    ),
    (
        rule(
            kind="session", condition={"key": "Role", "value": "a"}, remedy={"type": "set", "key": "Role", "value": "b"}
        ),
        "remedy 'set': a session cannot be updated in place",
    ),
    (
        rule(
            kind="table", condition={"key": "Owner", "op": "absent"}, remedy={"type": "tag", "key": "a", "value": "b"}
        ),
        "remedy 'tag': Glue cannot tag a table",
    ),
    (
        rule(condition={"key": "Role", "value": "a"}, remedy={"type": "tag", "key": "aws:x", "value": "b"}),
        "the aws: prefix is reserved",
    ),
    (rule(condition={"key": "Role", "value": "a"}, remedy={"type": "delete"}), "remedy: Input tag 'delete'"),
    (
        rule(severity="urgent", condition={"key": "Role", "value": "a"}),
        "severity: Input should be 'low', 'medium', 'high'",
    ),
    (
        rule(condition={"key": "Role", "value": "a"}, remedey={"type": "report"}),
        "remedey: Extra inputs are not permitted",
    ),
    (rule(id="Job Custom", condition={"key": "Role", "value": "a"}), "id: String should match pattern"),
]


@pytest.mark.parametrize(("custom", "message"), INVALID, ids=[m.split(":")[0][:40] for _, m in INVALID])
def test_invalid_custom_rule_is_refused_naming_the_rule_and_the_field(custom, message):
    with pytest.raises(PolicyError) as info:
        parse_policy({"custom_rules": [CONTINUOUS_LOGS, custom]})
    text = str(info.value)
    assert f"custom_rules[1] (rule {custom['id']!r})" in text
    assert message in text


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {"custom_rules": [CONTINUOUS_LOGS, CONTINUOUS_LOGS]},
            "custom_rules: rule id 'job-continuous-logs' is used twice",
        ),
        (
            {"custom_rules": [rule(id="job-role", condition={"key": "Role", "value": "a"})]},
            "rule 'job-role' has the id of a built-in rule",
        ),
        ({"rule_modes": {"job-rol": "off"}}, "rule_modes: no rule named 'job-rol'"),
    ],
)
def test_rule_ids_are_unique_and_rule_modes_name_real_rules(document, message):
    with pytest.raises(PolicyError, match=message):
        parse_policy(document)


def test_rule_modes_may_name_a_custom_rule():
    assert parse_policy({"custom_rules": [CONTINUOUS_LOGS], "rule_modes": {"job-continuous-logs": "report"}})


def test_published_schema_describes_custom_rules():
    schema = policy_schema()
    text = json.dumps(schema)
    assert schema["title"] == "glueguard policy"
    assert "custom_rules" in schema["properties"]
    for name in ("ValueFilter", "AllOf", "AnyOf", "NotOf", "SetRemedy", "TagRemedy", "ReportRemedy", "CustomRule"):
        assert name in schema["$defs"], name
    assert '"not-in"' in text and '"regex"' in text


def test_policy_cache_reads_again_after_its_ttl_and_keeps_the_last_good_version(monkeypatch, clock):
    """The TTL runs on the one clock (the wall clock, which the sandbox's `tick` and the tests' `clock` move)."""
    monkeypatch.setenv("GLUEGUARD_POLICY_TTL_SECONDS", "10")
    versions = iter(["1", "2", "broken", "3"])

    def load():
        version = next(versions)
        if version == "broken":
            raise PolicyError("SSM parameter x version 3: not valid JSON")
        return parse_policy({"max_workers_per_job": int(version) * 10}).versioned(version)

    cache = PolicyCache(load)
    assert cache.get().version == "1"
    clock.shift(9.5)
    assert cache.get().version == "1"
    clock.shift(0.5)
    assert cache.get().version == "2"
    clock.shift(10)
    assert cache.get().version == "2"  # a broken version leaves the last good one in force
    clock.shift(10)
    assert (cache.get().version, cache.get().max_workers_per_job) == ("3", 30)


def test_cache_seconds_defaults_within_a_minute_and_is_capped():
    assert cache_seconds({}) == 30.0
    assert cache_seconds({"GLUEGUARD_POLICY_TTL_SECONDS": "600"}) == 60.0
    assert cache_seconds({"GLUEGUARD_POLICY_TTL_SECONDS": "2"}) == 2.0
    with pytest.raises(PolicyError, match="GLUEGUARD_POLICY_TTL_SECONDS"):
        cache_seconds({"GLUEGUARD_POLICY_TTL_SECONDS": "soon"})


def test_project_overrides_keep_the_version_and_the_custom_rules():
    policy = parse_policy({"custom_rules": [CONTINUOUS_LOGS]}).versioned("7")
    merged = policy.with_overrides({"max_workers_per_job": 5, "rule_modes": {"job-continuous-logs": "report"}})
    assert merged.version == "7" and [r.id for r in merged.custom_rules] == ["job-continuous-logs"]
    assert PID in COMPLIANT["Name"]


def test_conditions_survive_loading_and_project_overrides():
    """The policy is dumped and validated again on both paths; `not` (an alias) must come back as itself."""
    from glueguard.policy.settings import load_policy

    document = {"custom_rules": [rule(condition={"not": {"key": "MaxRetries", "op": "present"}})]}
    for policy in (
        load_policy({"GLUEGUARD_POLICY": json.dumps(document)}),
        parse_policy(document).with_overrides({"max_workers_per_job": 5}),
    ):
        assert policy.custom_rules == parse_policy(document).custom_rules
