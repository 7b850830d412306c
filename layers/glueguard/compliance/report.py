"""The compliance report: what the sweep found and left, per resource, per project and overall (pure).

Definitions (the design's success metrics):
- compliant: no violation of an `enforce`-mode rule is open (report-mode rules are advisories);
- job in the project VPC: the project's network connection is attached and no other project's is;
- cross-project violation: a critical violation (the rules reserve `critical` for references to
  another project's role, network, bucket or name);
- naming compliant: no `*-naming` violation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, Field

from glueguard.cost import CostReport
from glueguard.metrics.inputs import SuccessSection
from glueguard.models.decision import UNOWNED
from glueguard.models.project import Project
from glueguard.models.violation import Severity, Violation
from glueguard.naming import project_of

REMEDIATED_OUTCOMES = frozenset({"remediated", "deleted"})


class Finding(BaseModel):
    rule: str
    severity: str
    message: str
    enforced: bool = True

    @classmethod
    def of(cls, violation: Violation) -> Finding:
        return cls(
            rule=violation.rule, severity=str(violation.severity), message=violation.message, enforced=violation.enforce
        )


class ResourceStatus(BaseModel):
    """One resource as the sweep found it (`before`) and left it (`after`: the violations still open)."""

    kind: str
    name: str
    project_id: str = UNOWNED
    outcome: str
    before: list[Finding] = Field(default_factory=list)
    after: list[Finding] = Field(default_factory=list)
    in_project_vpc_before: bool | None = None  # jobs only
    in_project_vpc_after: bool | None = None
    error: str | None = None

    @property
    def compliant_before(self) -> bool:
        return not any(f.enforced for f in self.before)

    @property
    def compliant_after(self) -> bool:
        return self.error is None and not any(f.enforced for f in self.after)

    @property
    def remediated_rules(self) -> list[str]:
        if self.outcome not in REMEDIATED_OUTCOMES:
            return []
        still_open = {f.rule for f in self.after}
        return sorted({f.rule for f in self.before if f.enforced and f.rule not in still_open})


class Metrics(BaseModel):
    resources: int = 0
    compliant_before: int = 0
    compliant_after: int = 0
    compliance_pct_before: float | None = None
    compliance_pct_after: float | None = None
    jobs: int = 0
    jobs_in_vpc_before: int = 0
    jobs_in_vpc_after: int = 0
    jobs_in_vpc_pct_before: float | None = None
    jobs_in_vpc_pct_after: float | None = None
    cross_project_violations_before: int = 0
    cross_project_violations_after: int = 0
    naming_compliant_before: int = 0
    naming_compliant_after: int = 0
    naming_pct_before: float | None = None
    naming_pct_after: float | None = None
    remediated_resources: int = 0
    remediations: int = 0
    errors: int = 0


class ProjectSummary(BaseModel):
    project_id: str
    owner: str | None = None
    cost_center: str | None = None
    metrics: Metrics
    dpu_hours: float | None = None
    cost_usd: float | None = None


class ComplianceReport(BaseModel):
    run_id: str
    generated_at: str
    scope: str  # "global" or a project id
    metrics: Metrics
    remediations_by_rule: dict[str, int] = Field(default_factory=dict)
    violations_by_rule: dict[str, int] = Field(default_factory=dict)
    advisories_by_rule: dict[str, int] = Field(default_factory=dict)
    projects: list[ProjectSummary] = Field(default_factory=list)
    resources: list[ResourceStatus] = Field(default_factory=list)
    cost: CostReport | None = None
    kinds_swept: list[str] = Field(default_factory=list)
    kinds_not_swept: dict[str, str] = Field(default_factory=dict)
    api_calls: dict[str, int] = Field(default_factory=dict)
    sweep_seconds: float | None = None
    success: SuccessSection | None = None  # the design's performance and cost metrics (docs/metrics.md)

    @property
    def fully_compliant(self) -> bool:
        return self.metrics.compliant_after == self.metrics.resources and self.metrics.errors == 0

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)


def in_project_vpc(definition: Mapping[str, Any], project: Project | None) -> bool:
    """The project's network connection is attached to the job, and no other project's connection."""
    if project is None:
        return False
    connections = list((definition.get("Connections") or {}).get("Connections") or [])
    foreign = [c for c in connections if (project_of(c) or project.project_id) != project.project_id]
    return project.connection_name in connections and not foreign


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def _naming_ok(findings: Iterable[Finding]) -> bool:
    return not any(f.rule.endswith("-naming") for f in findings)


def _cross(findings: Iterable[Finding]) -> int:
    return sum(1 for f in findings if f.severity == str(Severity.CRITICAL))


def metrics_of(statuses: list[ResourceStatus]) -> Metrics:
    jobs = [s for s in statuses if s.kind == "job"]
    m = Metrics(
        resources=len(statuses),
        compliant_before=sum(s.compliant_before for s in statuses),
        compliant_after=sum(s.compliant_after for s in statuses),
        jobs=len(jobs),
        jobs_in_vpc_before=sum(bool(s.in_project_vpc_before) for s in jobs),
        jobs_in_vpc_after=sum(bool(s.in_project_vpc_after) for s in jobs),
        cross_project_violations_before=sum(_cross(s.before) for s in statuses),
        cross_project_violations_after=sum(_cross(s.after) for s in statuses),
        naming_compliant_before=sum(_naming_ok(s.before) for s in statuses),
        naming_compliant_after=sum(_naming_ok(s.after) for s in statuses),
        remediated_resources=sum(bool(s.remediated_rules) for s in statuses),
        remediations=sum(len(s.remediated_rules) for s in statuses),
        errors=sum(s.error is not None for s in statuses),
    )
    m.compliance_pct_before = _pct(m.compliant_before, m.resources)
    m.compliance_pct_after = _pct(m.compliant_after, m.resources)
    m.jobs_in_vpc_pct_before = _pct(m.jobs_in_vpc_before, m.jobs)
    m.jobs_in_vpc_pct_after = _pct(m.jobs_in_vpc_after, m.jobs)
    m.naming_pct_before = _pct(m.naming_compliant_before, m.resources)
    m.naming_pct_after = _pct(m.naming_compliant_after, m.resources)
    return m


def _restrict_cost(cost: CostReport | None, project_id: str) -> CostReport | None:
    if cost is None:
        return None
    projects = [p for p in cost.projects if p.project_id == project_id]
    return cost.model_copy(
        update={
            "projects": projects,
            "jobs": [j for j in cost.jobs if j.project_id == project_id],
            "hints": [h for h in cost.hints if h.project_id == project_id],
            "total_dpu_hours": sum(p.dpu_hours for p in projects),
            "total_cost_usd": sum(p.cost_usd for p in projects),
        }
    )


def build_report(
    statuses: list[ResourceStatus],
    projects: list[Project],
    *,
    run_id: str,
    generated_at: str,
    scope: str = "global",
    cost: CostReport | None = None,
    **extra: Any,
) -> ComplianceReport:
    """The report over `statuses` (scope "global"), or one project's share of it (scope = its id)."""
    if scope != "global":
        statuses = [s for s in statuses if s.project_id == scope]
        projects = [p for p in projects if p.project_id == scope]
        cost = _restrict_cost(cost, scope)
        if (section := extra.get("success")) is not None:
            extra["success"] = section.model_copy(
                update={
                    "metrics": section.metrics.restricted(scope),
                    "billing": [b for b in section.billing if b.project_id == scope],
                }
            )
    remediations: Counter[str] = Counter()
    violations: Counter[str] = Counter()
    advisories: Counter[str] = Counter()
    for status in statuses:
        remediations.update(status.remediated_rules)
        violations.update(f.rule for f in status.before if f.enforced)
        advisories.update(f.rule for f in status.before if not f.enforced)
    cost_of = {p.project_id: p for p in (cost.projects if cost else [])}
    by_project: dict[str, list[ResourceStatus]] = {}
    for status in statuses:
        by_project.setdefault(status.project_id, []).append(status)
    summaries = [
        ProjectSummary(
            project_id=p.project_id,
            owner=p.owner,
            cost_center=p.cost_center,
            metrics=metrics_of(by_project.get(p.project_id, [])),
            dpu_hours=cost_of[p.project_id].dpu_hours if p.project_id in cost_of else None,
            cost_usd=cost_of[p.project_id].cost_usd if p.project_id in cost_of else None,
        )
        for p in sorted(projects, key=lambda p: p.project_id)
    ]
    if by_project.get(UNOWNED):
        summaries.append(ProjectSummary(project_id=UNOWNED, metrics=metrics_of(by_project[UNOWNED])))
    return ComplianceReport(
        run_id=run_id,
        generated_at=generated_at,
        scope=scope,
        metrics=metrics_of(statuses),
        remediations_by_rule=dict(remediations.most_common()),
        violations_by_rule=dict(violations.most_common()),
        advisories_by_rule=dict(advisories.most_common()),
        projects=summaries,
        resources=sorted(statuses, key=lambda s: (s.project_id, s.kind, s.name)),
        cost=cost,
        **extra,
    )
