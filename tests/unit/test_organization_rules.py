"""Organization scale, pure parts: the cross-account naming rule and the heartbeat's judgment."""

from __future__ import annotations

from glueguard.models.project import Project
from glueguard.models.resource import Resource
from glueguard.organization.heartbeat import MemberState, RuleState, judge
from glueguard.policy.settings import parse_policy
from glueguard.rules import RuleContext, evaluate

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
HOME, OTHER = "222222222222", "333333333333"
BUS = "arn:aws:events:us-east-1:123456789012:event-bus/glueguard-bus"


def _rules(account: str, event: str = "CreateJob", home: str | None = HOME) -> dict:
    project = Project(project_id=PID, owner="team", cost_center="cc", account_id=home)
    name = f"project-{PID}-job-a"
    resource = Resource("job", name, {"Name": name}, {}, f"arn:aws:glue:us-east-1:{account}:job/{name}")
    return {v.rule: v for v in evaluate(resource, RuleContext(project, parse_policy({}), event_name=event))}


def test_a_job_named_for_a_project_of_another_account_is_cross_account_and_reverted() -> None:
    violation = _rules(OTHER)["cross-account"]
    assert (violation.severity, violation.remove) == ("critical", True)
    assert OTHER in violation.message and HOME in violation.message
    assert _rules(OTHER, event="UpdateJob")["cross-account"].remove is False


def test_the_project_s_own_account_and_unplaced_projects_are_not_cross_account() -> None:
    assert "cross-account" not in _rules(HOME)
    assert "cross-account" not in _rules(OTHER, home=None)


def _healthy() -> list[RuleState]:
    names = ("glueguard-forward-glue", "glueguard-forward-s3", "glueguard-heartbeat")
    return [RuleState(n, True, "ENABLED", [BUS]) for n in names]


def test_a_healthy_member_has_nothing_to_report() -> None:
    assert judge(MemberState(HOME, rules=_healthy()), BUS) == []


def test_each_kind_of_tampering_is_one_critical_violation() -> None:
    rules = _healthy()
    rules[0] = RuleState("glueguard-forward-glue", True, "DISABLED", [BUS])
    rules[1] = RuleState("glueguard-forward-s3", False)
    rules[2] = RuleState("glueguard-heartbeat", True, "ENABLED", ["arn:aws:events:us-east-1:999999999999:event-bus/x"])
    found = judge(MemberState(HOME, rules=rules), BUS)
    assert [(v.rule, v.severity) for v in found] == [
        ("forwarding-rule-disabled", "critical"),
        ("forwarding-rule-deleted", "critical"),
        ("forwarding-target-changed", "critical"),
    ]


def test_a_member_role_that_cannot_be_assumed_is_critical() -> None:
    [violation] = judge(MemberState(HOME, role_error="AccessDenied"), BUS)
    assert (violation.rule, violation.severity) == ("member-role-broken", "critical")


def test_the_member_role_is_the_plane_in_members_only() -> None:
    from glueguard.models.events import PlanePrincipals, UserIdentity

    plane = PlanePrincipals(frozenset(), "/glueguard/", home_account="123456789012")

    def identity(account: str, role: str = "glueguard/glueguard-member") -> UserIdentity:
        issuer = {"type": "Role", "arn": f"arn:aws:iam::{account}:role/{role}"}
        return UserIdentity.model_validate(
            {
                "type": "AssumedRole",
                "arn": f"arn:aws:sts::{account}:assumed-role/x/s",
                "sessionContext": {"sessionIssuer": issuer},
            }
        )

    assert plane.is_plane(identity(HOME))
    assert not plane.is_plane(identity("123456789012"))  # a look-alike in the plane's own account is judged
    assert plane.impersonates(identity("123456789012"))
    assert not plane.is_plane(identity(HOME, "glueguard/other"))
    assert not PlanePrincipals(frozenset(), "/glueguard/").is_plane(identity(HOME))
