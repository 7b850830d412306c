"""Glue's special arguments as governed data: the table's check, its validation, and the job rules that apply it."""

from __future__ import annotations

import pytest
from glueguard.arguments import ArgumentFinding, ArgumentPolicy, check
from glueguard.models.violation import Severity
from glueguard.policy.settings import PolicyError, parse_policy

from tests.unit.test_job_rules import COMPLIANT, OTHER, PID
from tests.unit.test_job_rules import check as job_check

BUCKETS = {p: f"project-{PID}-glue-{p}" for p in ("scripts", "temp", "artifacts")}
SCRIPTS, TEMP, ART = (f"s3://{BUCKETS[p]}" for p in ("scripts", "temp", "artifacts"))
THEIRS = f"s3://project-{OTHER}-glue-scripts"


def found(arguments: dict, **policy) -> dict[str, str | None]:
    """key -> correction of every finding."""
    return {f.key: f.correction for f in check(arguments, BUCKETS, ArgumentPolicy(**policy))}


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"--extra-py-files": f"{SCRIPTS}/lib.zip,{ART}/b.py"}, {}),
        ({"--extra-py-files": f"{SCRIPTS}/lib.zip,{THEIRS}/evil.py"}, {"--extra-py-files": f"{SCRIPTS}/lib.zip"}),
        ({"--extra-jars": f"{THEIRS}/x.jar"}, {"--extra-jars": None}),
        ({"--extra-files": "https://example.com/conf.json"}, {"--extra-files": None}),
        ({"--extra-files": f"s3a://{BUCKETS['temp']}/x"}, {"--extra-files": None}),  # temp is not for code
        ({"--scriptLocation": f"{THEIRS}/main.py"}, {"--scriptLocation": None}),
        ({"--TempDir": "s3://elsewhere/tmp/"}, {"--TempDir": f"{TEMP}/temporary/"}),
        ({"--spark-event-logs-path": f"{ART}/spark/"}, {}),
        ({"--input_path": f"{THEIRS}/data/"}, {}),  # the script's own argument: not Glue's to govern
    ],
)
def test_paths_are_confined_to_the_projects_buckets(arguments, expected):
    assert found(arguments) == expected


@pytest.mark.parametrize(
    ("value", "correction"),
    [
        ("scikit-learn==1.5.0,boto3", "ok"),
        (f"scikit-learn==1.5.0,{SCRIPTS}/wheels/mine-1.0-py3-none-any.whl", "ok"),
        ("scikit-learn,https://evil.example/pkg.whl", "scikit-learn"),
        ("evil @ https://evil.example/evil.tar.gz", None),
        ("git+https://github.com/evil/pkg", None),
        (f"{THEIRS}/pkg.whl", None),
        ("--index-url=https://evil.example/simple,numpy", "numpy"),
    ],
)
def test_additional_python_modules_come_from_no_outside_place(value, correction):
    result = found({"--additional-python-modules": value})
    assert result == ({} if correction == "ok" else {"--additional-python-modules": correction})


def test_installer_options_name_only_the_policys_indexes():
    mirror = "https://mirror.internal/simple"
    assert found({"--python-modules-installer-option": "--upgrade --no-cache-dir"}) == {}
    assert found({"--python-modules-installer-option": "--upgrade --index-url https://evil.example/simple"}) == {
        "--python-modules-installer-option": "--upgrade"
    }
    assert found({"--python-modules-installer-option": f"--index-url={mirror}"}, package_indexes=(mirror,)) == {}
    assert found({"--python-modules-installer-option": "--trusted-host evil.example"}) == {
        "--python-modules-installer-option": None
    }
    assert found({"--python-modules-installer-option": f"-r {THEIRS}/req.txt"}) == {
        "--python-modules-installer-option": None
    }


def test_spark_conf_only_what_the_policy_allows_and_never_capacity_or_credentials():
    conf = "spark.sql.shuffle.partitions=8 --conf spark.executor.instances=400"
    assert found({"--conf": conf}) == {"--conf": None}  # nothing allowed by default
    allowed = ("spark.sql.",)
    assert found({"--conf": conf}, spark_conf_allowed=allowed) == {"--conf": "spark.sql.shuffle.partitions=8"}
    provider = "spark.hadoop.fs.s3.customAWSCredentialsProvider=com.evil.Provider"
    assert found({"--conf": provider}, spark_conf_allowed=("spark.",)) == {"--conf": None}  # denied wins
    assert found({"--conf": "spark.sql.ansi.enabled=true"}, spark_conf_allowed=allowed) == {}


def test_environment_variables_may_not_carry_credentials():
    value = "MODE=train,AWS_ACCESS_KEY_ID=AKIAEVIL,AWS_SECRET_ACCESS_KEY=x"
    assert found({"--customer-driver-env-vars": value}) == {"--customer-driver-env-vars": "MODE=train"}
    assert found({"--customer-executor-env-vars": "AWS_ENDPOINT_URL=https://evil"}) == {
        "--customer-executor-env-vars": None
    }


def test_a_policy_changes_the_table_key_by_key():
    policy = parse_policy({"arguments": {"rules": {"--conf": {"action": "allow"}, "--debug": {"action": "deny"}}}})
    table = policy.arguments.table
    assert table["--conf"].action == "allow" and table["--debug"].action == "deny"
    assert table["--extra-jars"].action == "confine"  # the rest of the built-in table stays
    assert check({"--debug": "true", "--conf": "x=y"}, BUCKETS, policy.arguments) == [
        ArgumentFinding("--debug", "--debug is not allowed by the policy", None)
    ]


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"extra-jars": {"action": "deny"}}, "argument names start with --"),
        ({"--x": {"action": "confine"}}, "action 'confine' needs buckets"),
        ({"--x": {"action": "deny", "buckets": ["temp"]}}, "buckets apply to confine and packages only"),
        ({"--x": {"action": "confine", "buckets": ["data"]}}, "Input should be 'scripts', 'temp' or 'artifacts'"),
        ({"--x": {"action": "confine", "buckets": ["temp"], "default": "s3://{bucket}/"}}, "only {scripts}"),
        ({"--x": {"action": "block"}}, "Input should be 'allow', 'deny'"),
    ],
)
def test_a_bad_table_is_refused_with_the_field(rules, message):
    with pytest.raises(PolicyError, match="arguments") as refused:
        parse_policy({"arguments": {"rules": rules}})
    assert message in str(refused.value)


def test_job_arguments_rule_corrects_default_and_non_overridable_arguments():
    changes = {
        "DefaultArguments": {
            "--TempDir": f"{TEMP}/tmp/",
            "--extra-py-files": f"{THEIRS}/evil.py",
            "--conf": "spark.executor.instances=400",
            "--mode": "train",
        },
        "NonOverridableArguments": {"--additional-python-modules": "https://evil.example/pkg.whl"},
    }
    violation = job_check(changes)["job-arguments"]
    assert violation.severity is Severity.CRITICAL  # it names another project's bucket
    assert violation.patch == {
        "DefaultArguments": {"--extra-py-files": None, "--conf": None},
        "NonOverridableArguments": {"--additional-python-modules": None},
    }
    assert "job-arguments" not in job_check({"DefaultArguments": {**COMPLIANT["DefaultArguments"], "--mode": "x"}})


def test_pinned_arguments_are_set_when_the_policy_turns_the_rule_on():
    assert "job-pinned-arguments" not in job_check()  # off by default
    on = {"rule_modes": {"job-pinned-arguments": "enforce"}}
    violation = job_check(policy=on)["job-pinned-arguments"]
    assert violation.patch == {
        "NonOverridableArguments": {"--TempDir": f"{TEMP}/tmp/", "--scriptLocation": f"{SCRIPTS}/ingest.py"}
    }
    pinned = {"NonOverridableArguments": violation.patch["NonOverridableArguments"]}
    assert "job-pinned-arguments" not in job_check(pinned, policy=on)
    # a pinned value outside the project is replaced by the compliant one
    bad = {"NonOverridableArguments": {**pinned["NonOverridableArguments"], "--TempDir": "s3://elsewhere/"}}
    found_rules = job_check(bad, policy=on)
    assert found_rules["job-arguments"].patch == {"NonOverridableArguments": {"--TempDir": f"{TEMP}/temporary/"}}
    assert found_rules["job-pinned-arguments"].patch == {"NonOverridableArguments": {"--TempDir": f"{TEMP}/tmp/"}}


def test_session_and_trigger_arguments_are_judged_by_the_same_table():
    from glueguard.models.resource import Resource
    from glueguard.rules import RuleContext, evaluate

    from tests.unit.test_job_rules import PROJECT, TAGS

    ctx = RuleContext(PROJECT, parse_policy({}))
    session = Resource("session", f"project-{PID}-session-s", {"DefaultArguments": {"--conf": "spark.x=1"}}, TAGS)
    [violation] = [v for v in evaluate(session, ctx) if v.rule == "session-arguments"]
    assert violation.stop and violation.patch == {"DefaultArguments": {"--conf": None}}
    actions = [
        {"JobName": f"project-{PID}-job-a", "Arguments": {"--extra-jars": f"{THEIRS}/x.jar", "--mode": "1"}},
        {"JobName": f"project-{PID}-job-b", "Arguments": {"--TempDir": "s3://elsewhere/"}},
    ]
    trigger = Resource("trigger", f"project-{PID}-trigger-t", {"Actions": actions}, TAGS)
    [violation] = [v for v in evaluate(trigger, ctx) if v.rule == "trigger-arguments"]
    assert violation.stop and violation.severity is Severity.CRITICAL
    assert violation.patch == {
        "Actions": [
            {"JobName": f"project-{PID}-job-a", "Arguments": {"--mode": "1"}},
            {"JobName": f"project-{PID}-job-b", "Arguments": {"--TempDir": f"{TEMP}/temporary/"}},
        ]
    }


def test_the_plane_path_refuses_a_trigger_whose_arguments_reach_outside():
    from glueguard.glue_triggers import problems

    from tests.unit.test_job_rules import PROJECT

    request = {
        "Name": f"project-{PID}-trigger-t",
        "Type": "ON_DEMAND",
        "Actions": [
            {"JobName": f"project-{PID}-job-a", "Arguments": {"--additional-python-modules": "evil @ https://x"}}
        ],
    }
    assert problems(request, PROJECT) == [
        "Actions[0].Arguments: --additional-python-modules from outside the project (URLs, pip options, or wheels "
        f"outside {SCRIPTS}/ or {ART}/): ['evil @ https://x']"
    ]
    request["Actions"][0]["Arguments"] = {"--additional-python-modules": "numpy==2.0"}
    assert problems(request, PROJECT) == []


def test_a_run_is_judged_on_the_jobs_defaults_with_its_overrides_except_what_the_job_pins():
    from glueguard.runs.caps import argument_breaches
    from glueguard.runs.job_run import JobRun

    def run(arguments: dict) -> JobRun:
        return JobRun(f"project-{PID}-job-a", "jr_1", "RUNNING", 2, "G.1X", 2, 60, None, arguments)

    policy = parse_policy({})
    job = {"DefaultArguments": {"--TempDir": f"{TEMP}/t/"}, "NonOverridableArguments": {"--scriptLocation": "x"}}
    assert argument_breaches(run({"--mode": "fast"}), job, BUCKETS, policy) == []
    [breach] = argument_breaches(run({"--conf": "spark.executor.instances=400"}), job, BUCKETS, policy)
    assert breach.rule == "run-arguments" and "spark.executor.instances=400" in breach.message
    assert argument_breaches(run({"--scriptLocation": f"{THEIRS}/x.py"}), job, BUCKETS, policy) == []  # pinned
    [breach] = argument_breaches(run({}), {"DefaultArguments": {"--extra-jars": f"{THEIRS}/x.jar"}}, BUCKETS, policy)
    assert "--extra-jars outside the project's buckets" in breach.message


PROXY_OFF = {"arguments": {"rules": {"--disable-proxy-v2": {"action": "require", "default": "true", "pin": True}}}}


def test_a_required_argument_is_added_where_it_is_missing_and_kept_by_runs():
    """`require` (e.g. Glue's job proxy off, so a job's S3 and Glue calls meet the project's endpoint policies):
    added to a job without it, corrected when it says otherwise, and a run may not turn it back."""
    from glueguard.runs.caps import argument_breaches
    from glueguard.runs.job_run import JobRun

    assert job_check(policy=PROXY_OFF)["job-arguments"].patch == {"DefaultArguments": {"--disable-proxy-v2": "true"}}
    defaults = {**COMPLIANT["DefaultArguments"], "--disable-proxy-v2": "false"}
    assert job_check({"DefaultArguments": defaults}, policy=PROXY_OFF)["job-arguments"].patch == {
        "DefaultArguments": {"--disable-proxy-v2": "true"}
    }
    pinned_in_job = {"NonOverridableArguments": {"--disable-proxy-v2": "true"}}
    assert "job-arguments" not in job_check(pinned_in_job, policy=PROXY_OFF)
    assert "job-arguments" not in job_check()  # not in the built-in table
    policy = parse_policy(PROXY_OFF)
    job = {"DefaultArguments": {"--disable-proxy-v2": "true"}}
    run = JobRun(f"project-{PID}-job-a", "jr_1", "RUNNING", 2, "G.1X", 2, 60, None, {"--disable-proxy-v2": "false"})
    [breach] = argument_breaches(run, job, BUCKETS, policy)
    assert breach.message == "run arguments break the policy: --disable-proxy-v2 must be 'true', not 'false'"
    pinned = {**job, "NonOverridableArguments": {"--disable-proxy-v2": "true"}}
    assert argument_breaches(run, pinned, BUCKETS, policy) == []  # Glue keeps the pinned value
    on = {**PROXY_OFF, "rule_modes": {"job-pinned-arguments": "enforce"}}
    pins = job_check({"DefaultArguments": {**COMPLIANT["DefaultArguments"], "--disable-proxy-v2": "true"}}, policy=on)
    assert pins["job-pinned-arguments"].patch["NonOverridableArguments"]["--disable-proxy-v2"] == "true"
    with pytest.raises(PolicyError, match="action 'require' needs the default it requires"):
        parse_policy({"arguments": {"rules": {"--disable-proxy-v2": {"action": "require"}}}})
