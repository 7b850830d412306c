"""Report building (pure): the success metrics, remediations by rule, scopes, and the HTML page."""

from __future__ import annotations

from glueguard.compliance.html import render_html
from glueguard.compliance.report import Finding, ResourceStatus, build_report, in_project_vpc
from glueguard.models.project import Project

P1 = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
P2 = "0b6f7c1d-2e3f-4a5b-8c9d-0e1f2a3b4c5d"
PROJECTS = [Project(project_id=P1, owner="a", cost_center="1"), Project(project_id=P2, owner="b", cost_center="2")]


def _f(rule, severity="high", enforced=True):
    return Finding(rule=rule, severity=severity, message=rule, enforced=enforced)


def _job(name, project, outcome, before=(), after=(), vpc=(True, True), error=None):
    return ResourceStatus(
        kind="job", name=name, project_id=project, outcome=outcome, before=list(before), after=list(after),
        in_project_vpc_before=vpc[0], in_project_vpc_after=vpc[1], error=error,
    )  # fmt: skip


STATUSES = [
    _job("a", P1, "compliant"),
    _job("b", P1, "remediated", [_f("job-vpc", "critical"), _f("job-tags", "low")], vpc=(False, True)),
    _job("c", P1, "reported", [_f("job-naming"), _f("job-flex-preference", "low", enforced=False)],
         [_f("job-naming"), _f("job-flex-preference", "low", enforced=False)]),
    _job("d", P2, "compliant", [_f("job-flex-preference", "low", enforced=False)],
         [_f("job-flex-preference", "low", enforced=False)]),
    _job("e", P2, "failed", error="RemediationError: boom", vpc=(False, False)),
]  # fmt: skip


def test_global_metrics():
    report = build_report(STATUSES, PROJECTS, run_id="r", generated_at="2026-03-02T00:00:00+00:00")
    m = report.metrics
    assert (m.resources, m.compliant_before, m.compliant_after) == (5, 3, 3)  # advisories do not count; errors do
    assert (m.jobs_in_vpc_before, m.jobs_in_vpc_after, m.jobs_in_vpc_pct_after) == (3, 4, 80.0)
    assert (m.cross_project_violations_before, m.cross_project_violations_after) == (1, 0)
    assert (m.naming_compliant_after, m.naming_pct_after) == (4, 80.0)
    assert report.remediations_by_rule == {"job-vpc": 1, "job-tags": 1}
    assert report.advisories_by_rule == {"job-flex-preference": 2}
    assert m.errors == 1 and not report.fully_compliant


def test_project_scope_keeps_only_its_resources():
    report = build_report(STATUSES, PROJECTS, run_id="r", generated_at="t", scope=P2)
    assert [r.name for r in report.resources] == ["d", "e"]
    assert [p.project_id for p in report.projects] == [P2]
    assert report.metrics.compliance_pct_after == 50.0


def test_no_jobs_means_no_vpc_percentage():
    report = build_report([], PROJECTS, run_id="r", generated_at="t")
    assert report.metrics.jobs_in_vpc_pct_after is None and report.metrics.compliance_pct_after is None


def test_in_project_vpc_needs_the_project_connection_and_no_foreign_one():
    project = PROJECTS[0]
    own = project.connection_name
    assert in_project_vpc({"Connections": {"Connections": [own]}}, project)
    assert not in_project_vpc({"Connections": {"Connections": [own, f"project-{P2}-network"]}}, project)
    assert not in_project_vpc({}, project)
    assert not in_project_vpc({"Connections": {"Connections": [own]}}, None)


def test_html_is_self_contained_and_escapes_names():
    hostile = _job("<script>alert(1)</script>", P1, "failed", error="<img src=x>")
    page = render_html(build_report([*STATUSES, hostile], PROJECTS, run_id="r<1>", generated_at="t"))
    assert "<script>" not in page and "&lt;script&gt;" in page and "<img" not in page
    assert "<svg" in page and "src=" not in page.replace("&lt;img src=x&gt;", "")
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
