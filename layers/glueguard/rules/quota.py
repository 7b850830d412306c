"""Per-project quotas of Glue resources (issue 23): Glue's quotas (jobs, crawlers) are the account's, so one
project could exhaust them for every other. The enforcer counts at each creation (RuleContext.project_count: the
project's resources created up to this one); the creation past the project's quota is saved and removed, and one
that brings the account near Glue's quota is reported."""

from __future__ import annotations

from collections.abc import Iterator

from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.rules.engine import RuleContext, rule

#: kind -> (the policy's per-project quota, the policy's copy of the account's Glue quota)
QUOTAS = {
    "job": ("max_jobs_per_project", "account_jobs_quota"),
    "crawler": ("max_crawlers_per_project", "account_crawlers_quota"),
}


def project_quota(resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    if ctx.project_count is None:
        return
    limit = getattr(ctx.policy, QUOTAS[resource.kind][0])
    if ctx.project_count > limit:
        yield Violation(
            "project-quota",
            Severity.HIGH,
            f"{resource.kind} {ctx.project_count} of project {ctx.project.project_id}, past its quota of {limit} "
            f"({QUOTAS[resource.kind][0]}): the creation is reverted",
            remove=True,
        )


def account_quota(resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    if ctx.account_count is None:
        return
    quota = getattr(ctx.policy, QUOTAS[resource.kind][1])
    if ctx.account_count >= ctx.policy.account_quota_warning_share * quota:
        yield Violation(
            "account-quota-near",
            Severity.MEDIUM,
            f"the account holds {ctx.account_count} Glue {resource.kind}s of its quota of {quota} "
            f"({ctx.account_count / quota:.0%}): raise the quota or lower the projects' quotas",
            enforce=False,
        )


for _kind in QUOTAS:
    rule(_kind, "project-quota", "a project holds at most its quota of the kind (Glue's quotas are the account's)")(
        project_quota
    )
    rule(_kind, "account-quota-near", "the account's count of the kind stays under the warning share of Glue's")(
        account_quota
    )
