import json

import pytest
from glueguard.policy.settings import Mode, NamingAction, PolicyError, load_policy, parse_policy


def test_design_defaults():
    policy = load_policy({})
    assert policy.max_workers_per_job == 50
    assert policy.max_dpu_per_project == 100
    assert (policy.default_timeout_minutes, policy.max_timeout_minutes) == (120, 480)
    assert policy.mandatory_tags == ("Project", "Service", "Owner", "CostCenter")
    assert policy.lock_role and policy.lock_vpc and policy.lock_security_group and policy.lock_database
    assert policy.mode("job-role") is Mode.ENFORCE
    assert policy.mode("job-flex-preference") is Mode.REPORT
    assert policy.naming_action is NamingAction.REPORT


def test_loads_json_then_single_fields_from_env():
    env = {"GLUEGUARD_POLICY": json.dumps({"max_workers_per_job": 20}), "GLUEGUARD_MAX_TIMEOUT_MINUTES": "600"}
    policy = load_policy(env)
    assert (policy.max_workers_per_job, policy.max_timeout_minutes) == (20, 600)


def test_loads_from_ssm_parameter():
    seen = []

    def reader(name):
        seen.append(name)
        return json.dumps({"rule_modes": {"job-role": "report"}})

    policy = load_policy({"GLUEGUARD_POLICY_PARAMETER": "/glueguard/policy"}, ssm_reader=reader)
    assert seen == ["/glueguard/policy"]
    assert policy.mode("job-role") is Mode.REPORT


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('{"max_workers_per_job": 0}', "max_workers_per_job: Input should be greater than or equal to 1"),
        ('{"max_timeout_minutes": 20000}', "max_timeout_minutes"),
        ('{"default_timeout_minutes": 600}', "default_timeout_minutes (600) exceeds max_timeout_minutes (480)"),
        ('{"rule_modes": {"job-role": "sometimes"}}', "rule_modes.job-role"),
        ('{"colour": "blue"}', "colour: Extra inputs are not permitted"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
    ],
)
def test_invalid_documents_name_the_field(document, message):
    with pytest.raises(PolicyError) as info:
        parse_policy(document)
    assert message in str(info.value)


def test_invalid_env_field_is_reported_with_its_source():
    with pytest.raises(PolicyError, match="max_dpu_per_project"):
        load_policy({"GLUEGUARD_MAX_DPU_PER_PROJECT": "-5"})


def test_project_overrides_merge_rule_modes():
    base = parse_policy({"rule_modes": {"job-role": "report"}})
    merged = base.with_overrides({"max_workers_per_job": 10, "rule_modes": {"job-tags": "off"}})
    assert merged.max_workers_per_job == 10
    assert merged.mode("job-role") is Mode.REPORT and merged.mode("job-tags") is Mode.OFF
    assert base.with_overrides(None) is base
    # invalid overrides fail closed (issue 12): the policy applies unchanged and says why
    assert base.with_overrides({"max_workers_per_job": "many"}) is base
    assert "project overrides: max_workers_per_job" in (base.override_error({"max_workers_per_job": "many"}) or "")
