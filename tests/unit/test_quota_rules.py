"""Per-project quotas (issue 23): the creation past a project's quota is reverted, one that brings the account near
Glue's quota is reported, and nothing is judged when nothing was counted (sweeps, plans)."""

from __future__ import annotations

import pytest
from glueguard.models.resource import Resource
from glueguard.policy.settings import parse_policy
from glueguard.rules import RuleContext, evaluate

from tests.unit.test_kind_rules import CRAWLER, PROJECT, TAGS

POLICY = {"max_jobs_per_project": 2, "max_crawlers_per_project": 1, "account_jobs_quota": 10}


def rules(kind: str, project_count: int | None, account_count: int | None, policy: dict | None = None) -> dict:
    definition = CRAWLER if kind == "crawler" else {"Name": f"{PROJECT.names.prefix}-job-x"}
    resource = Resource(kind, definition["Name"], definition, TAGS, "arn")
    ctx = RuleContext(
        PROJECT,
        parse_policy(policy or POLICY),
        event_name="Create",
        project_count=project_count,
        account_count=account_count,
    )
    return {v.rule: v for v in evaluate(resource, ctx) if v.rule in ("project-quota", "account-quota-near")}


@pytest.mark.parametrize(
    ("kind", "count", "past"), [("job", 2, False), ("job", 3, True), ("crawler", 1, False), ("crawler", 2, True)]
)
def test_the_creation_past_the_projects_quota_is_removed(kind: str, count: int, past: bool):
    found = rules(kind, count, 1)
    assert ("project-quota" in found) is past
    if past:
        assert found["project-quota"].remove and found["project-quota"].enforce


@pytest.mark.parametrize(("account", "near"), [(7, False), (8, True), (10, True)])
def test_the_account_near_glues_quota_is_reported_not_enforced(account: int, near: bool):
    found = rules("job", 1, account)
    assert ("account-quota-near" in found) is near
    if near:
        assert not found["account-quota-near"].enforce and not found["account-quota-near"].remove


def test_nothing_counted_nothing_judged():
    assert rules("job", None, None) == {}
