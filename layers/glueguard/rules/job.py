"""Rules for Glue jobs (GetJob `Job` definitions)."""

from __future__ import annotations

from collections.abc import Iterator

from glueguard import dpu
from glueguard.arguments import check, pinned_keys
from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.rules.common import (
    argument_findings,
    argument_violation,
    bucket_severity,
    connections_violations,
    naming_violations,
    project_buckets,
    role_violations,
    s3_bucket,
    security_configuration_violations,
    tag_violations,
)
from glueguard.rules.engine import RuleContext, rule

KIND = "job"
#: Glue sends `Glue Job Run Status` once a run passes NotifyDelayAfter (minutes): at 1, every run, whoever or
#: whatever started it (triggers, schedules and workflows make no StartJobRun call), is seen within a minute.
NOTIFY_DELAY_MAX_MINUTES = 1


@rule(KIND, "job-naming", "the name is project-{uuid}-job-*")
def naming(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from naming_violations(job, ctx, "job-naming")


@rule(KIND, "job-role", "the execution role is the project's locked job role")
def execution_role(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    wanted = ctx.project.job_role_arn or ctx.project.names.job_role
    yield from role_violations(job.get("Role"), [wanted], "Role", "execution role", "job-role", ctx)


@rule(KIND, "job-vpc", "the project network connection is attached, and no connection of another project")
def vpc_placement(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from connections_violations(job, ctx, "job-vpc")


@rule(KIND, "job-security-configuration", "the project's security configuration is set")
def security_configuration(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from security_configuration_violations(job, ctx, "SecurityConfiguration", "job-security-configuration")


@rule(KIND, "job-script-location", "the script is in the project's scripts bucket (else saved, then removed)")
def script_location(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    location = (job.get("Command") or {}).get("ScriptLocation")
    bucket = s3_bucket(location)
    if bucket != ctx.project.bucket("scripts"):
        # A script cannot be moved without the owner's copy, and code from outside the project must not run as
        # the project's role: the definition is saved (the owner restores it with a script of the project), then
        # the job is removed.
        yield Violation(
            "job-script-location",
            bucket_severity(bucket, ctx),
            f"script {location!r} is outside s3://{ctx.project.bucket('scripts')}/: saved, then removed",
            remove=True,
        )


#: Arguments another job rule owns in DefaultArguments (job-temp-dir): judged there, once.
_OWN_RULES = frozenset({"--TempDir"})


@rule(KIND, "job-arguments", "Glue's special arguments follow the policy's table (paths in the project's buckets)")
def arguments(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    patch: dict[str, dict[str, str | None]] = {}
    found = []
    seen = {**(job.get("DefaultArguments") or {}), **(job.get("NonOverridableArguments") or {})}
    for field in ("DefaultArguments", "NonOverridableArguments"):
        findings = [
            f
            for f in argument_findings(job.get(field), ctx, seen if field == "DefaultArguments" else None)
            if not (field == "DefaultArguments" and f.key in _OWN_RULES)
        ]
        if findings:
            patch[field] = {f.key: f.correction for f in findings}
            found.extend(findings)
    if found:
        yield argument_violation("job-arguments", "job arguments", found, ctx, patch=patch)


def _pin_value(job: Resource, key: str, ctx: RuleContext) -> str | None:
    """The compliant value a pinned argument takes: the job's own (DefaultArguments; the script for
    --scriptLocation), else the table's default; None when there is none."""
    table, buckets = ctx.policy.arguments, project_buckets(ctx)
    candidates = [(job.get("DefaultArguments") or {}).get(key)]
    if key == "--scriptLocation":
        candidates.append((job.get("Command") or {}).get("ScriptLocation"))
    for value in candidates:
        if value is not None and not check({key: value}, buckets, table):
            return value
    default = table.table[key].default
    return default.format(**buckets) if default is not None else None


@rule(KIND, "job-pinned-arguments", "arguments the policy pins are NonOverridableArguments: no run changes them")
def pinned_arguments(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    current = job.get("NonOverridableArguments") or {}
    wanted = {}
    for key in pinned_keys(ctx.policy.arguments):
        value = _pin_value(job, key, ctx)
        if value is not None and current.get(key) != value:
            wanted[key] = value
    if wanted:
        yield Violation(
            "job-pinned-arguments",
            Severity.MEDIUM,
            f"{sorted(wanted)} not pinned: a run could override them; setting NonOverridableArguments",
            patch={"NonOverridableArguments": wanted},
        )


@rule(KIND, "job-temp-dir", "--TempDir is in the project's temp bucket")
def temp_dir(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    arguments = job.get("DefaultArguments") or {}
    current = arguments.get("--TempDir")
    temp_bucket = ctx.project.bucket("temp")
    if current is not None and s3_bucket(current) == temp_bucket:
        return
    yield Violation(
        "job-temp-dir",
        bucket_severity(s3_bucket(current), ctx) if current else Severity.MEDIUM,
        f"--TempDir {current!r} is not in s3://{temp_bucket}/",
        patch={"DefaultArguments": {"--TempDir": f"s3://{temp_bucket}/temporary/"}},
    )


def _command(job: Resource) -> str:
    return (job.get("Command") or {}).get("Name") or "glueetl"


def _worker_violation(job: Resource, rule_id: str, max_workers: int, dpu_cap: float, what: str) -> Iterator[Violation]:
    """Workers within `max_workers` and `dpu_cap`; the nearest count Glue accepts, or a report when none fits."""
    worker_type, workers = job.get("WorkerType"), job.get("NumberOfWorkers")
    allowed = min(max_workers, dpu.max_workers_within(worker_type, dpu_cap))
    if workers <= allowed:
        return
    message = (
        f"{workers} {worker_type} workers ({dpu.capacity(worker_type, workers, None):g} DPU) exceed the cap "
        f"of {allowed} ({what})"
    )
    if allowed < 1:
        yield Violation(rule_id, Severity.HIGH, f"{message}; no worker count Glue accepts fits: reported")
        return
    yield Violation(rule_id, Severity.HIGH, message, patch={"NumberOfWorkers": allowed})


def _capacity_violation(job: Resource, rule_id: str, dpu_cap: float) -> Iterator[Violation]:
    """MaxCapacity within `dpu_cap`, corrected to the nearest value Glue accepts for the command, else reported."""
    max_capacity, command = job.get("MaxCapacity"), _command(job)
    if max_capacity is None or max_capacity <= dpu_cap:
        return
    nearest = dpu.nearest_max_capacity(command, dpu_cap)
    message = f"MaxCapacity {max_capacity:g} DPU exceeds the per-job cap of {dpu_cap:g}"
    if nearest is None:
        accepted = "0.0625 or 1" if command == "pythonshell" else "whole numbers from 2 to 100"
        yield Violation(rule_id, Severity.HIGH, f"{message}; Glue accepts only {accepted} for {command}: reported")
        return
    yield Violation(rule_id, Severity.HIGH, message, patch={"MaxCapacity": nearest})


@rule(KIND, "job-worker-cap", "Spark ETL jobs: workers and DPU within the per-job caps, as values Glue accepts")
def worker_cap(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    if _command(job) not in ("glueetl",):
        return
    policy = ctx.policy
    if job.get("WorkerType") and job.get("NumberOfWorkers"):
        what = f"{policy.max_workers_per_job} workers, {policy.max_dpu_per_job:g} DPU per job"
        yield from _worker_violation(job, "job-worker-cap", policy.max_workers_per_job, policy.max_dpu_per_job, what)
        return
    yield from _capacity_violation(job, "job-worker-cap", policy.max_dpu_per_job)


@rule(KIND, "job-streaming-worker-cap", "streaming jobs: workers within streaming_max_workers and the DPU cap")
def streaming_worker_cap(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    if _command(job) != "gluestreaming":
        return
    policy = ctx.policy
    if job.get("WorkerType") and job.get("NumberOfWorkers"):
        what = f"{policy.streaming_max_workers} streaming workers, {policy.max_dpu_per_job:g} DPU per job"
        rule_id = "job-streaming-worker-cap"
        yield from _worker_violation(job, rule_id, policy.streaming_max_workers, policy.max_dpu_per_job, what)
        return
    yield from _capacity_violation(job, "job-streaming-worker-cap", policy.max_dpu_per_job)


@rule(KIND, "job-ray-worker-cap", "Ray jobs: Z.2X workers within the worker and DPU caps")
def ray_worker_cap(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    if _command(job) != "glueray" or not (job.get("WorkerType") and job.get("NumberOfWorkers")):
        return
    policy = ctx.policy
    what = f"{policy.max_workers_per_job} workers, {policy.max_dpu_per_job:g} M-DPU per job"
    yield from _worker_violation(job, "job-ray-worker-cap", policy.max_workers_per_job, policy.max_dpu_per_job, what)


@rule(KIND, "job-pythonshell-capacity", "Python shell jobs: MaxCapacity 0.0625 or 1, within the DPU cap")
def pythonshell_capacity(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    if _command(job) == "pythonshell":
        yield from _capacity_violation(job, "job-pythonshell-capacity", ctx.policy.max_dpu_per_job)


@rule(KIND, "job-timeout", "a timeout is set, within the maximum")
def timeout(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    if _command(job) == "gluestreaming":  # streaming jobs run until stopped: the run guard's streaming cap applies
        return
    current = job.get("Timeout")
    policy = ctx.policy
    # GetJob reports Glue's own default (2880 min) when none was given: treat that as unset too.
    if current is None or (current == 2880 and policy.max_timeout_minutes < 2880):
        yield Violation(
            "job-timeout",
            Severity.MEDIUM,
            f"no timeout set (Glue's default is 48 h); setting {policy.default_timeout_minutes} min",
            patch={"Timeout": policy.default_timeout_minutes},
        )
    elif current > policy.max_timeout_minutes:
        yield Violation(
            "job-timeout",
            Severity.MEDIUM,
            f"timeout {current} min exceeds the maximum of {policy.max_timeout_minutes} min",
            patch={"Timeout": policy.max_timeout_minutes},
        )


@rule(KIND, "job-notify-delay", "NotifyDelayAfter is at most 1 minute, so every run announces itself")
def notify_delay(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    delay = (job.get("NotificationProperty") or {}).get("NotifyDelayAfter")
    if delay is None or delay > NOTIFY_DELAY_MAX_MINUTES:
        now = "not set" if delay is None else f"{delay} min"
        yield Violation(
            "job-notify-delay",
            Severity.MEDIUM,
            f"NotifyDelayAfter is {now}: runs no user started (triggers, schedules, workflows) would stay unseen "
            f"by the run guard; setting {NOTIFY_DELAY_MAX_MINUTES} min",
            patch={"NotificationProperty": {"NotifyDelayAfter": NOTIFY_DELAY_MAX_MINUTES}},
        )


@rule(KIND, "job-unknown-members", "GetJob holds no member the SDK does not know (an UpdateJob would reset it)")
def unknown_members(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    if members := job.extra.get("unknown_members"):
        yield Violation(
            "job-unknown-members",
            Severity.MEDIUM,
            f"GetJob returned {', '.join(members)}, unknown to this botocore: UpdateJob would reset it, so the job "
            "is reported, not corrected (update the layer's pinned boto3/botocore)",
        )


@rule(KIND, "job-tags", "the mandatory tags, with the registry's values")
def tags(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from tag_violations(job, ctx, "job-tags")


def _glue_version(job: Resource) -> float:
    try:
        return float(job.get("GlueVersion") or "0.9")
    except ValueError:
        return 0.0


@rule(KIND, "job-flex-preference", "non-critical glueetl jobs on Glue 3.0+ use FLEX (the seed's 'spot')")
def flex_preference(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    command = (job.get("Command") or {}).get("Name")
    critical = job.tags.get(ctx.policy.critical_tag_key, "").lower() == ctx.policy.critical_tag_value.lower()
    if command != "glueetl" or _glue_version(job) < 3.0 or critical:
        return
    if job.get("ExecutionClass") != "FLEX":
        yield Violation(
            "job-flex-preference",
            Severity.LOW,
            "non-critical glueetl job could run as FLEX (spare capacity, lower price)",
            patch={"ExecutionClass": "FLEX"},
        )


@rule(KIND, "job-observability-metrics", "glueetl jobs on Glue 4.0+ report observability metrics (utilization)")
def observability_metrics(job: Resource, ctx: RuleContext) -> Iterator[Violation]:
    """Off unless the policy enables it: the utilization and waste metrics read these (docs/metrics.md)."""
    command = (job.get("Command") or {}).get("Name")
    if command != "glueetl" or _glue_version(job) < 4.0:  # observability metrics need Glue 4.0+
        return
    if str((job.get("DefaultArguments") or {}).get("--enable-observability-metrics", "")).lower() != "true":
        yield Violation(
            "job-observability-metrics",
            Severity.LOW,
            "the job does not report Glue observability metrics, so its utilization cannot be measured",
            patch={"DefaultArguments": {"--enable-observability-metrics": "true"}},
        )
