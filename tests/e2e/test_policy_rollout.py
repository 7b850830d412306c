"""Policy as data, end to end in the sandbox: custom rules enforced from the policy file alone,
`glueguard plan` against what `policy apply` + the sweep then change, and a version rolled out (and
rolled back) while events flow, each visible on the decisions.

The sandbox's functions keep a policy version POLICY_CACHE_SECONDS (template parameter
PolicyCacheSeconds, 30 s by default, at most 60 s)."""

from __future__ import annotations

import copy
import json
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from glueguard.adapters.decisions import DecisionLog
from typer.testing import CliRunner

from glueguard_cli.cli import app
from tests.e2e.conftest import POLICY_CACHE_SECONDS, SandboxHandle, poll, provisioned_project
from tests.support.fleet import compliant_job

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = json.loads((ROOT / "examples/policy/policy.json").read_text())
LOGS = "--enable-continuous-cloudwatch-log"


def cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def policy_files(plane_env: SandboxHandle, tmp_path: Path) -> Iterator[dict[str, Path]]:
    """The example (strict) policy and the deployed one as files; the deployed document is put back after."""
    from glueguard.adapters.clients import client

    from glueguard_cli.policy_store import PolicyStore

    store = PolicyStore(client("ssm"), plane_env.outputs["PolicyParameterName"])
    original = store.current().document()
    strict = tmp_path / "strict.json"
    strict.write_text(json.dumps(EXAMPLE))
    default = tmp_path / "default.json"
    default.write_text(json.dumps(original))
    yield {"strict": strict, "default": default}
    if store.current().document() != original:
        store.put(original, "e2e: restore")
        time.sleep(POLICY_CACHE_SECONDS + 0.5)


def apply(path: Path) -> int:
    result = cli("policy", "apply", str(path), "--yes")
    assert result.exit_code == 0, result.output
    return int(re.search(r"policy version (\d+)\s+written", result.output)[1])


def crawler(project: Any, suffix: str) -> dict[str, Any]:
    names = project.names
    return {
        "Name": names.resource("crawler", suffix),
        "Role": project.resources.crawler_role_arn,
        "DatabaseName": project.database_name,
        "Targets": {"S3Targets": [{"Path": f"s3://{names.bucket('artifacts')}/raw/"}]},
        "CrawlerSecurityConfiguration": project.security_configuration,
        "Tags": project.mandatory_tags(),
    }


def glue_state(glue: Any) -> dict[str, Any]:
    jobs = [j for page in glue.get_paginator("get_jobs").paginate() for j in page["Jobs"]]
    crawlers = glue.get_crawlers()["Crawlers"]
    state = {}
    for kind, items in (("job", jobs), ("crawler", crawlers)):
        for item in items:
            arn = f"arn:aws:glue:us-east-1:123456789012:{kind}/{item['Name']}"
            state[(kind, item["Name"])] = (
                json.dumps(item, default=str, sort_keys=True),
                glue.get_tags(ResourceArn=arn)["Tags"],
            )
    return state


def test_custom_rules_from_the_policy_file_alone_are_enforced(plane_env: SandboxHandle, policy_files):
    """`set` corrects a job, `tag` tags a crawler, `report` records; decisions name the custom rules."""
    version = apply(policy_files["strict"])
    time.sleep(POLICY_CACHE_SECONDS + 0.2)
    project = provisioned_project(plane_env)
    pid = project.project_id
    glue = plane_env.client("glue", plane_env.assume("ml-scientist", "dana"))

    job = compliant_job(project, 1)
    glue.create_job(**job)  # no continuous logging
    legacy = {
        **compliant_job(project, 2),
        "GlueVersion": "2.0",
        "DefaultArguments": {**job["DefaultArguments"], LOGS: "true"},
    }
    legacy.pop("ExecutionClass")  # FLEX needs Glue 3.0+
    glue.create_job(**legacy)
    glue.create_crawler(**crawler(project, "raw"))

    corrected = poll(
        lambda: glue.get_job(JobName=job["Name"])["Job"]["DefaultArguments"].get(LOGS) == "true", timeout=10
    )
    assert corrected
    arn = f"arn:aws:glue:us-east-1:123456789012:crawler/{project.names.resource('crawler', 'raw')}"
    assert poll(lambda: glue.get_tags(ResourceArn=arn)["Tags"].get("DataClass") == "internal", timeout=10)
    plane_env.drain()

    after = glue.get_job(JobName=job["Name"])["Job"]
    assert after["DefaultArguments"] == {**job["DefaultArguments"], LOGS: "true"}
    for key in ("Role", "Command", "Connections", "NumberOfWorkers", "WorkerType", "Timeout", "GlueVersion"):
        assert after[key] == job[key], key
    assert glue.get_job(JobName=legacy["Name"])["Job"]["GlueVersion"] == "2.0"  # reported, not changed

    decisions = {d.resource_name: d for d in DecisionLog().list(pid)}
    assert {n: (d.outcome, [v["rule"] for v in d.violations]) for n, d in decisions.items()} == {
        job["Name"]: ("remediated", ["job-continuous-logs"]),
        legacy["Name"]: ("reported", ["job-no-glue-2"]),
        project.names.resource("crawler", "raw"): ("remediated", ["crawler-data-class"]),
    }
    assert {d.policy_version for d in decisions.values()} == {str(version)}
    logs = decisions[job["Name"]]
    assert [a["call"] for a in logs.actions] == ["glue:update_job"]


#: Jobs in the plan-vs-sweep fleet: every combination of the strict policy's effects (index % 3, % 4) many times
#: over, in both projects (the scale figure is `make bench`'s sweep over 10,000 jobs).
FLEET = 72


def test_plan_lists_exactly_what_apply_and_the_sweep_then_change(plane_env: SandboxHandle, policy_files):
    """FLEET jobs over two projects; the strict policy's plan (changing nothing) against the sweep that follows."""
    projects = [provisioned_project(plane_env) for _ in range(2)]
    glue = plane_env.client("glue")
    for index in range(FLEET):
        project = projects[index % 2]
        job = compliant_job(project, index)
        if index % 3:
            job["DefaultArguments"] = {**job["DefaultArguments"], LOGS: "true"}
        if index % 4 == 0:
            job["NumberOfWorkers"] = 30  # within the default cap (50), over the strict one (20)
        glue.create_job(**job)
    for project in projects:
        tagged = crawler(project, "tagged")
        tagged["Tags"] = {**tagged["Tags"], "DataClass": "public"}
        glue.create_crawler(**tagged)
        glue.create_crawler(**crawler(project, "untagged"))
    plane_env.drain()
    ours = {p.project_id for p in projects}
    decisions_before = {pid: len(DecisionLog().list(pid)) for pid in ours}
    state_before = glue_state(glue)

    # each project's plan (the worker's sandbox holds every earlier test's resources: only ours are judged)
    planned: dict[str, Any] = {"resources": [], "by_project": {}}
    for pid in sorted(ours):
        result = cli("plan", "--policy", str(policy_files["strict"]), "--project", pid, "--json")
        assert result.exit_code == 2, result.output
        one = json.loads(result.output)
        assert {r["project_id"] for r in one["resources"]} == {pid}
        planned["resources"] += one["resources"]
        planned["by_project"].update(one["by_project"])
    changing = {(r["kind"], r["name"]): r for r in planned["resources"] if r["actions"]}
    assert glue_state(glue) == state_before  # the plan changed nothing
    assert {pid: len(DecisionLog().list(pid)) for pid in ours} == decisions_before
    expected_jobs = {compliant_job(projects[i % 2], i)["Name"] for i in range(FLEET) if i % 3 == 0 or i % 4 == 0}
    assert {name for kind, name in changing if kind == "job"} == expected_jobs
    assert {name for kind, name in changing if kind == "crawler"} == {
        p.names.resource("crawler", "untagged") for p in projects
    }
    for project in projects:
        assert planned["by_project"][project.project_id]["corrected"] == sum(
            1 for i in range(project_index(projects, project), FLEET, 2) if i % 3 == 0 or i % 4 == 0
        )

    version = apply(policy_files["strict"])
    time.sleep(POLICY_CACHE_SECONDS + 0.2)
    run_id = f"plan-check-{uuid.uuid4().hex[:8]}"
    response = plane_env.sweep({"id": run_id, "projects": sorted(ours)})
    assert "FunctionError" not in response, response["Payload"].read()
    swept = [d for pid in ours for d in DecisionLog().list(pid) if d.event_id == f"sweep-{run_id}"]
    changed = {(d.resource_kind, d.resource_name): d for d in swept if d.actions}
    assert set(changed) == set(changing)
    assert {d.policy_version for d in swept} == {str(version)}
    for key, decision in changed.items():
        plan_rules = set(changing[key]["effects"])
        assert {v["rule"] for v in decision.violations if v["enforced"]} <= plan_rules
        assert [a["call"] for a in decision.actions] == changing[key]["actions"]
        if key[0] == "job":  # the field-level diff the plan showed is what the sweep wrote
            after = glue.get_job(JobName=key[1])["Job"]
            for change in changing[key]["changes"]:
                assert lookup(after, change["path"]) == change["after"], (key, change)


def project_index(projects: list[Any], project: Any) -> int:
    return projects.index(project)


def lookup(definition: dict[str, Any], path: str) -> Any:
    from glueguard.policy.custom_rules import split_path

    value: Any = definition
    for key in split_path(path):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def test_a_version_applied_while_events_flow_is_in_force_within_a_minute_and_rollback_restores(
    plane_env: SandboxHandle, policy_files
):
    """A scientist keeps creating 80-worker jobs. Every decision recorded more than the cache time after
    `policy apply` (or `rollback`) is made under the new version, none recorded before it is, and the
    first one comes within a minute; the corrections follow the version (20 workers, then 50)."""
    project = provisioned_project(plane_env)
    pid = project.project_id
    glue = plane_env.client("glue", plane_env.assume("ml-scientist", "erin"))
    before = str(json.loads(cli("policy", "history", "--json").output)[-1]["version"])
    counter = iter(range(10_000))
    called: dict[str, datetime] = {}  # job name -> when its CreateJob was called (before the enforcer read a policy)

    def create_until(wanted: str, deadline: float = 60.0) -> Any:
        """Create an 80-worker job every 0.5 s until a decision made under version `wanted` is recorded."""
        started = time.monotonic()
        while time.monotonic() - started < deadline:
            job = copy.deepcopy(compliant_job(project, next(counter)))
            job["NumberOfWorkers"] = 80
            called[job["Name"]] = datetime.now(UTC)
            glue.create_job(**job)
            time.sleep(0.5)
            if found := [d for d in DecisionLog().list(pid) if d.policy_version == wanted]:
                return found[0]
        raise AssertionError(f"no decision under version {wanted} within {deadline} s")

    ahead = datetime.fromisoformat(plane_env.post("tick", {"seconds": 0})["now"]) - datetime.now(UTC)
    create_until(before)  # events flow under the deployed version
    strict_applied = datetime.now(UTC)
    strict = str(apply(policy_files["strict"]))
    strict_done = datetime.now(UTC)
    decision = create_until(strict)
    assert decision.after["definition"]["NumberOfWorkers"] == 20  # the strict cap
    assert "job-continuous-logs" in [v["rule"] for v in decision.violations]

    rolled_back = datetime.now(UTC)
    result = cli("policy", "rollback", before, "--yes")
    assert result.exit_code == 0, result.output
    rollback_done = datetime.now(UTC)
    restored = json.loads(cli("policy", "history", "--json").output)[-1]
    assert restored["version"] == int(strict) + 1
    assert restored["policy"] == json.loads(policy_files["default"].read_text())
    decision = create_until(str(restored["version"]))
    assert decision.after["definition"]["NumberOfWorkers"] == 50  # the deployed cap again
    assert [v["rule"] for v in decision.violations] == ["job-worker-cap"]
    plane_env.drain()

    # A decision's policy was read after its call and before its write. A read sees every version applied
    # (finished) at least the cache's life earlier, and none applied after it: so each decision may carry only
    # the versions in force somewhere in [call - cache, write]. (The sandbox's clock may run `ahead` of ours.)
    cache = timedelta(seconds=POLICY_CACHE_SECONDS + 0.5)
    restored_version = str(restored["version"])
    started = [(strict_applied, strict), (rolled_back, restored_version)]
    finished = [(strict_done, strict), (rollback_done, restored_version)]
    order = [before, strict, restored_version]

    def latest(applied: list[tuple[datetime, str]], moment: datetime) -> int:
        return max([0] + [order.index(version) for at, version in applied if at <= moment])

    for d in DecisionLog().list(pid):
        call, written = called[d.resource_name], datetime.fromisoformat(d.created_at) - ahead
        allowed = order[latest(finished, call - cache) : latest(started, written) + 1]
        assert d.policy_version in allowed, (d.resource_name, d.policy_version, allowed, call, written)
