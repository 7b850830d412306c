"""`glueguard policy test DIR`: resource fixtures run against a policy, offline (no AWS call).

Each `*.json` (or `.yaml`) file in DIR other than the policy itself is one fixture:

    {"description": "a job without continuous logs is corrected",
     "kind": "job",
     "definition": {"Name": "project-<uuid>-job-x", ...},      # as Get<Kind> returns it
     "tags": {"Owner": "..."},                                   # optional
     "project": {"owner": "team-a", "cost_center": "cc-1"},     # optional registry entry fields
     "expect": {"violations": ["job-continuous-logs"],           # exactly these rules break
                "changes": {"DefaultArguments.--enable-continuous-cloudwatch-log": "true"},
                "tags": {"DataClass": "internal"}}}              # optional: fields/tags the plan sets

The project is the one the name claims (`project-{uuid}-...`), with the registry's names for its
role, connection and security configuration unless the fixture's `project` says otherwise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from glueguard.models.project import Project, ProjectResources
from glueguard.models.resource import Resource
from glueguard.naming import claimed_project, project_of
from glueguard.policy.settings import Policy
from glueguard.remediation.planner import build_plan
from glueguard.resources.base import kinds
from glueguard.rules import RuleContext, evaluate
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from glueguard_cli.planning import field_changes
from glueguard_cli.policy_store import read_document

ACCOUNT = "123456789012"
REGION = "us-east-1"
POLICY_FILES = ("policy.json", "policy.yaml", "policy.yml")


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    violations: list[str]
    changes: dict[str, Any] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)


class Fixture(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = ""
    kind: str
    name: str | None = None
    definition: dict[str, Any]
    tags: dict[str, str] = Field(default_factory=dict)
    project: dict[str, Any] = Field(default_factory=dict)
    expect: Expectation


@dataclass
class FixtureResult:
    path: Path
    description: str
    problems: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def fixture_paths(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and p.suffix in (".json", ".yaml", ".yml") and p.name not in POLICY_FILES
    )


def policy_file(directory: Path) -> Path | None:
    return next((directory / n for n in POLICY_FILES if (directory / n).is_file()), None)


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    import yaml

    return yaml.safe_load(text)


def _project(fixture: Fixture, name: str) -> Project:
    pid = fixture.project.get("project_id") or project_of(name) or claimed_project(name)
    if not pid:
        raise ValueError(f"name {name!r} claims no project; give project.project_id")
    names = {
        "job_role_arn": f"arn:aws:iam::{ACCOUNT}:role/project-{pid}-glue-job-role",
        "crawler_role_arn": f"arn:aws:iam::{ACCOUNT}:role/project-{pid}-glue-crawler-role",
        "dev_role_arn": f"arn:aws:iam::{ACCOUNT}:role/project-{pid}-glue-dev-role",
        "connection_name": f"project-{pid}-network",
        "security_configuration": f"project-{pid}-security-config",
        "database_name": f"project-{pid}-catalog-db",
    }
    given = dict(fixture.project)
    resources = {**names, **given.pop("resources", {})}
    return Project.model_validate(
        {
            "project_id": pid,
            "owner": "fixture-owner",
            "cost_center": "fixture-cc",
            **given,
            "resources": ProjectResources.model_validate(resources),
        }
    )


def run_fixture(path: Path, policy: Policy) -> FixtureResult:
    """Judge one fixture's resource under `policy` and compare with what it expects."""
    try:
        fixture = Fixture.model_validate(_load(path))
    except (ValueError, ValidationError) as exc:
        return FixtureResult(path, "", [f"not a valid fixture: {exc}"])
    result = FixtureResult(path, fixture.description)
    kind = kinds().get(fixture.kind)
    if kind is None:
        result.problems.append(f"kind {fixture.kind!r} is not governed ({', '.join(sorted(kinds()))})")
        return result
    name = fixture.name or fixture.definition.get("Name") or ""
    try:
        project = _project(fixture, name)
    except ValueError as exc:
        result.problems.append(str(exc))
        return result
    resource = Resource(kind.kind, name, fixture.definition, fixture.tags, kind.arn(name, REGION, ACCOUNT))
    effective = policy.with_overrides(project.policy_overrides)
    violations = evaluate(resource, RuleContext(project, effective))
    result.found = sorted({v.rule for v in violations})
    expected = sorted(set(fixture.expect.violations))
    if result.found != expected:
        missing, extra = sorted(set(expected) - set(result.found)), sorted(set(result.found) - set(expected))
        detail = {v.rule: v.message for v in violations}
        result.problems.append(
            "violations differ:"
            + (f" expected but not found {missing};" if missing else "")
            + "".join(f" found unexpected {rule!r} ({detail[rule]});" for rule in extra)
        )
    if fixture.expect.changes or fixture.expect.tags:
        plan = build_plan(kind, resource, violations, project, effective) if violations else None
        from glueguard.remediation.plan import apply_patches, merged_tags

        applied = [v for v in (plan.enforced if plan else []) if v.patch and not (v.unfixable or v.remove)]
        after = {
            c.path: c.after for c in field_changes(resource.definition, apply_patches(resource.definition, applied))
        }
        for path_, value in fixture.expect.changes.items():
            if after.get(path_, "<unchanged>") != value:
                result.problems.append(
                    f"change {path_}: expected {value!r}, the plan sets {after.get(path_, '<unchanged>')!r}"
                )
        tags = merged_tags(plan.enforced) if plan else {}
        for key, value in fixture.expect.tags.items():
            if tags.get(key) != value:
                result.problems.append(f"tag {key}: expected {value!r}, the plan sets {tags.get(key)!r}")
    return result


def run_directory(directory: Path, policy_path: Path | None = None) -> tuple[Policy, list[FixtureResult]]:
    """The policy (`policy_path`, else DIR/policy.json|yaml, else the defaults) and every fixture's result."""
    from glueguard.policy.settings import parse_policy

    source = policy_path or policy_file(directory)
    policy = parse_policy(read_document(source) if source else {}, source=str(source or "defaults"))
    return policy, [run_fixture(p, policy) for p in fixture_paths(directory)]
