"""Organization scale, pure parts: where a project lives and the heartbeat's judgment."""

from __future__ import annotations

from glueguard.models.project import Project
from glueguard.organization.heartbeat import PATTERNS, MemberState, RuleState, Target, judge

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
HOME, OTHER = "222222222222", "333333333333"
BUS = "arn:aws:events:us-east-1:123456789012:event-bus/glueguard-bus"


def test_a_project_lives_only_in_its_own_account() -> None:
    """A name-alike in another account is not the project's (issue 24 item 7); a project registered without an
    account lives in the plane's."""
    placed = Project(project_id=PID, owner="team", cost_center="cc", account_id=HOME)
    unplaced = Project(project_id=PID, owner="team", cost_center="cc")
    assert [placed.lives_in(a, OTHER) for a in (HOME, OTHER)] == [True, False]
    assert [unplaced.lives_in(a, OTHER) for a in (HOME, OTHER)] == [False, True]


FORWARDER = f"arn:aws:iam::{HOME}:role/glueguard/glueguard-forwarder"


def _healthy() -> list[RuleState]:
    return [RuleState(n, True, "ENABLED", [Target(BUS, FORWARDER)], p) for n, p in PATTERNS.items()]


def test_the_patterns_judged_are_the_member_templates() -> None:
    from pathlib import Path

    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    template = yaml.load(Path("templates/member.yaml").read_text(), Loader=Loader)  # a SafeLoader: tags read as None
    rules = {
        r["Properties"]["Name"]: r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Events::Rule"
    }
    assert {name: rule.get("EventPattern") for name, rule in rules.items()} == PATTERNS
    assert template["Resources"]["ForwarderRole"]["Properties"]["RoleName"] == "glueguard-forwarder"


def test_a_healthy_member_has_nothing_to_report() -> None:
    assert judge(MemberState(HOME, rules=_healthy()), BUS) == []


def test_each_kind_of_tampering_is_one_critical_violation() -> None:
    rules = _healthy()
    rules[0] = RuleState("glueguard-forward-glue", True, "DISABLED", [Target(BUS, FORWARDER)])
    rules[1] = RuleState("glueguard-forward-s3", False)
    elsewhere = Target("arn:aws:events:us-east-1:999999999999:event-bus/x", FORWARDER)
    rules[2] = RuleState("glueguard-heartbeat", True, "ENABLED", [elsewhere])
    found = judge(MemberState(HOME, rules=rules), BUS)
    assert [(v.rule, v.severity) for v in found] == [
        ("forwarding-rule-disabled", "critical"),
        ("forwarding-rule-deleted", "critical"),
        ("forwarding-target-changed", "critical"),
    ]


def test_a_rule_that_forwards_less_through_another_role_or_rewritten_is_critical() -> None:
    """Issue 24 item 9: enabled and aimed at the bus is not enough."""
    rules = _healthy()
    rules[0].pattern = {"source": ["aws.glue"], "detail-type": ["Nothing"]}
    rules[1].targets = [Target(BUS, FORWARDER, rewrites=True)]
    rules[2].targets = [Target(BUS, f"arn:aws:iam::{HOME}:role/own-forwarder")]
    found = judge(MemberState(HOME, rules=rules), BUS)
    assert [(v.rule, v.severity) for v in found] == [
        ("forwarding-pattern-changed", "critical"),
        ("forwarding-input-changed", "critical"),
        ("forwarding-role-changed", "critical"),
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
