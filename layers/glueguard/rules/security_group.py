"""Rules for a project's EC2 security group (DescribeSecurityGroups `SecurityGroups[]` items).

Audit only (no patch): security-group edits belong to the provisioning workflow. Used by the
AWS Config rule `security-group`.
"""

from __future__ import annotations

from collections.abc import Iterator

from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.rules.engine import RuleContext, rule

KIND = "securitygroup"
OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})


@rule(KIND, "sg-open-ingress", "no inbound rule from the whole internet")
def open_ingress(group: Resource, ctx: RuleContext) -> Iterator[Violation]:
    for permission in group.get("IpPermissions") or []:
        cidrs = [r.get("CidrIp") for r in permission.get("IpRanges") or []]
        cidrs += [r.get("CidrIpv6") for r in permission.get("Ipv6Ranges") or []]
        opened = sorted(c for c in cidrs if c in OPEN_CIDRS)
        if opened:
            ports = f"{permission.get('FromPort', 'all')}-{permission.get('ToPort', 'all')}"
            yield Violation(
                "sg-open-ingress",
                Severity.HIGH,
                f"inbound {permission.get('IpProtocol')} {ports} open to {', '.join(opened)}",
            )


@rule(KIND, "sg-self-reference", "the self-referencing inbound rule Glue needs between its workers")
def self_reference(group: Resource, ctx: RuleContext) -> Iterator[Violation]:
    group_id = group.get("GroupId")
    for permission in group.get("IpPermissions") or []:
        pairs = {p.get("GroupId") for p in permission.get("UserIdGroupPairs") or []}
        all_tcp = permission.get("IpProtocol") == "-1" or (
            permission.get("IpProtocol") == "tcp"
            and permission.get("FromPort") == 0
            and permission.get("ToPort") == 65535
        )
        if group_id in pairs and all_tcp:
            return
    yield Violation(
        "sg-self-reference",
        Severity.MEDIUM,
        f"{group_id} has no inbound all-TCP rule from itself; Glue workers in it cannot reach each other",
    )


@rule(KIND, "sg-vpc", "the security group is in the project's VPC")
def in_project_vpc(group: Resource, ctx: RuleContext) -> Iterator[Violation]:
    wanted = ctx.project.resources.vpc_id
    if wanted and group.get("VpcId") != wanted:
        yield Violation(
            "sg-vpc", Severity.HIGH, f"security group is in {group.get('VpcId')}, not the project VPC {wanted}"
        )
