"""`glueguard policy ...` and `glueguard plan` on moto: versions in Parameter Store, plans, fixtures, schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from typer.testing import CliRunner

from glueguard_cli.cli import app
from glueguard_cli.policy_store import PolicyStore
from tests.support.fleet import compliant_job

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples/policy"
PARAMETER = "/glueguard/test/policy"


def cli(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"}, catch_exceptions=False)


@pytest.fixture
def deployed(aws, monkeypatch):
    """The policy parameter as the template creates it (`{}`), named by GLUEGUARD_POLICY_PARAMETER."""
    boto3.client("ssm").put_parameter(Name=PARAMETER, Value="{}", Type="String", Tier="Intelligent-Tiering")
    monkeypatch.setenv("GLUEGUARD_POLICY_PARAMETER", PARAMETER)
    return PolicyStore(boto3.client("ssm"), PARAMETER)


def test_policy_test_runs_the_shipped_example():
    result = cli("policy", "test", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert "4 passed, 0 failed" in result.output


def test_policy_test_fails_a_fixture_whose_expectation_is_wrong(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "policy")
    fixture = tmp_path / "policy/fixtures/job-without-logs.json"
    document = json.loads(fixture.read_text())
    document["expect"] = {
        "violations": ["job-worker-cap"],
        "changes": {"DefaultArguments.--enable-continuous-cloudwatch-log": "false"},
    }
    fixture.write_text(json.dumps(document))

    result = cli("policy", "test", str(tmp_path / "policy"))

    output = " ".join(result.output.split())  # the console wraps long lines at its width
    assert result.exit_code == 1
    assert "3 passed, 1 failed" in output
    assert "expected but not found ['job-worker-cap']" in output
    assert "found unexpected 'job-continuous-logs' (continuous CloudWatch logging is off" in output
    assert "expected 'false', the plan sets 'true'" in output


def test_validate_names_the_rule_and_field_and_schema_accepts_the_example(tmp_path):
    import jsonschema

    bad = json.loads((EXAMPLE / "policy.json").read_text())
    bad["custom_rules"][2]["condition"]["op"] = "missing"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = CliRunner().invoke(app, ["policy", "validate", str(path)])
    assert result.exit_code == 1
    assert "custom_rules[2] (rule 'crawler-data-class') condition.op" in result.output

    schema = json.loads(cli("policy", "schema").output)
    jsonschema.validate(json.loads((EXAMPLE / "policy.json").read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_apply_history_and_rollback_write_new_versions(deployed, project, tmp_path):
    strict = EXAMPLE / "policy.json"
    assert cli("policy", "apply", str(strict), "--yes").exit_code == 0
    assert (deployed.current().version, deployed.current().document()) == (2, json.loads(strict.read_text()))
    assert deployed.policy().version == "2"

    result = cli("policy", "rollback", "1", "--yes")
    assert result.exit_code == 0, result.output
    history = json.loads(cli("policy", "history", "--json").output)
    assert [(v["version"], v["policy"], v["description"]) for v in history] == [
        (1, {}, ""),
        (2, json.loads(strict.read_text()), "glueguard policy apply policy.json"),
        (3, {}, "glueguard policy rollback 1"),
    ]
    assert cli("policy", "rollback", "9", "--yes").exit_code == 1  # no such version: nothing written
    assert deployed.current().version == 3


def test_apply_refuses_an_invalid_policy_and_writes_nothing(deployed, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"rule_modes": {"job-rol": "off"}}))
    result = CliRunner().invoke(app, ["policy", "apply", str(path), "--yes"])
    assert result.exit_code == 1 and "rule_modes: no rule named 'job-rol'" in result.output
    assert deployed.current().version == 1


def test_parameter_store_tiers_as_documented(deployed):
    ssm = boto3.client("ssm")
    large = json.dumps({"custom_rules": [], "mandatory_tags": ["x" * 100] * 45})
    assert 4096 < len(large) <= 8192
    with pytest.raises(ClientError, match="Standard tier parameters support a maximum parameter value of 4096"):
        ssm.put_parameter(Name="/other/standard", Value=large, Type="String")
    assert (
        ssm.put_parameter(Name=PARAMETER, Value=large, Type="String", Overwrite=True, Tier="Intelligent-Tiering")[
            "Tier"
        ]
        == "Advanced"
    )
    with pytest.raises(ClientError, match="8192"):
        ssm.put_parameter(Name=PARAMETER, Value="x" * 8193, Type="String", Overwrite=True, Tier="Advanced")


def test_plan_exit_codes_and_it_changes_nothing(deployed, project):
    glue = boto3.client("glue")
    job = compliant_job(project, 1)
    glue.create_job(**job)
    before = glue.get_job(JobName=job["Name"])["Job"]

    assert cli("plan").exit_code == 0  # the deployed policy ({}): nothing would change
    result = cli("plan", "--policy", str(EXAMPLE / "policy.json"), "--project", project.project_id, "--json")
    assert result.exit_code == 2, result.output
    (planned,) = json.loads(result.output)["resources"]
    assert planned["effects"] == {"job-continuous-logs": ["corrected"]}
    assert planned["changes"] == [
        {"path": "DefaultArguments.--enable-continuous-cloudwatch-log", "before": None, "after": "true"}
    ]
    assert planned["actions"] == ["glue:update_job"]
    assert glue.get_job(JobName=job["Name"])["Job"] == before

    table = cli("plan", "--policy", str(EXAMPLE / "policy.json"))
    assert table.exit_code == 2
    assert "job-continuous-logs" in table.output and "1 of 3 resources would change" in table.output


def test_custom_rules_count_in_metrics_decisions_and_reports(project, aws, monkeypatch, capsys):
    """The sweep under a policy with custom rules: EMF metrics, decisions and the report name them."""
    from glueguard.adapters.decisions import DecisionLog
    from glueguard.handlers import compliance

    from tests.support.lambda_context import LambdaContext

    boto3.client("s3").create_bucket(Bucket="glueguard-reports-test")
    monkeypatch.setenv("GLUEGUARD_REPORTS_BUCKET", "glueguard-reports-test")
    monkeypatch.setenv("GLUEGUARD_POLICY", (EXAMPLE / "policy.json").read_text())
    compliance.reset()
    glue = boto3.client("glue")
    job = compliant_job(project, 1)
    glue.create_job(**job)
    legacy = {**compliant_job(project, 2), "GlueVersion": "2.0"}
    legacy["DefaultArguments"] = {**legacy["DefaultArguments"], "--enable-continuous-cloudwatch-log": "true"}
    legacy.pop("ExecutionClass")
    glue.create_job(**legacy)
    capsys.readouterr()

    compliance.handler({"id": "sweep-custom"}, LambdaContext())

    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    by_metric = {(m["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"], m.get("Rule")) for m in emitted}
    assert {("Violations", "job-continuous-logs"), ("Remediations", "job-continuous-logs")} <= by_metric
    assert ("Violations", "job-no-glue-2") in by_metric and ("Remediations", "job-no-glue-2") not in by_metric
    decisions = {d.resource_name: d for d in DecisionLog().list(project.project_id)}
    assert [v["rule"] for v in decisions[job["Name"]].violations] == ["job-continuous-logs"]
    assert decisions[job["Name"]].policy_version.startswith("env:")
    report = json.loads(
        boto3.client("s3")
        .get_object(Bucket="glueguard-reports-test", Key="glueguard/reports/compliance/latest.json")["Body"]
        .read()
    )
    assert report["remediations_by_rule"] == {"job-continuous-logs": 1}
    assert report["violations_by_rule"]["job-no-glue-2"] == 1
    compliance.reset()


def test_registry_entries_refresh_after_the_policy_cache_time(project, monkeypatch, clock):
    """A project's policy_overrides changed in the registry are in force once the cache time has passed on the one
    clock (the wall clock, which the sandbox's `tick` and the tests' `clock` move)."""
    from glueguard.adapters.registry import Registry

    monkeypatch.setenv("GLUEGUARD_POLICY_TTL_SECONDS", "10")
    registry = Registry()
    assert registry.get(project.project_id).policy_overrides == {}
    boto3.resource("dynamodb").Table(registry.table_name).update_item(
        Key={"project_id": project.project_id},
        UpdateExpression="SET policy_overrides = :o",
        ExpressionAttributeValues={":o": {"max_workers_per_job": 5}},
    )
    clock.shift(9.5)
    assert registry.get(project.project_id).policy_overrides == {}
    clock.shift(0.5)
    assert registry.get(project.project_id).policy_overrides == {"max_workers_per_job": 5}


def test_policy_override_sets_and_unsets_a_projects_setting_validated_against_the_deployed_policy(deployed, project):
    from glueguard.adapters.registry import Registry

    pid = project.project_id
    result = cli(
        "policy", "override", "--project", pid, "--set", "run_time_cap_minutes=1", "--set", "max_workers_per_job=20"
    )
    assert result.exit_code == 0, result.output
    assert Registry().get(pid, cached=False).policy_overrides == {"run_time_cap_minutes": 1, "max_workers_per_job": 20}

    result = cli("policy", "override", "--project", pid, "--unset", "max_workers_per_job")
    assert result.exit_code == 0, result.output
    assert Registry().get(pid, cached=False).policy_overrides == {"run_time_cap_minutes": 1}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "run_time_cap_minutes=-5"], "invalid override for"),
        (["--set", 'rule_modes={"job-rol": "report"}'], "no rule named 'job-rol'"),
        (["--set", "no_such_setting=1"], "no_such_setting"),
        (["--set", "max_workers_per_job"], "is not KEY=VALUE"),
    ],
)
def test_policy_override_refuses_a_bad_override_and_writes_nothing(deployed, project, args, message):
    from glueguard.adapters.registry import Registry

    before = Registry().get(project.project_id, cached=False).policy_overrides
    result = CliRunner().invoke(app, ["policy", "override", "--project", project.project_id, *args])
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())
    assert Registry().get(project.project_id, cached=False).policy_overrides == before


def test_policy_override_of_an_unknown_project_is_refused(deployed, aws):
    result = CliRunner().invoke(app, ["policy", "override", "--project", "0" * 8 + "-0000-4000-8000-" + "0" * 12])
    assert result.exit_code == 1 and "no project" in result.output
