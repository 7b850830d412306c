"""Rules for Glue connections (GetConnection `Connection`)."""

from __future__ import annotations

from collections.abc import Iterator

from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.rules.common import naming_violations, tag_violations
from glueguard.rules.engine import RuleContext, rule

KIND = "connection"
#: Connection types that place Glue in a VPC.
PLACED_TYPES = frozenset({"NETWORK", "JDBC"})


@rule(KIND, "connection-naming", "the name is the project's network connection or project-{uuid}-connection-*")
def naming(connection: Resource, ctx: RuleContext) -> Iterator[Violation]:
    if connection.name != ctx.project.connection_name:
        yield from naming_violations(connection, ctx, "connection-naming")


@rule(KIND, "connection-network", "a NETWORK or JDBC connection sits in a project subnet with the project SG")
def network(connection: Resource, ctx: RuleContext) -> Iterator[Violation]:
    if connection.get("ConnectionType") not in PLACED_TYPES:
        return
    resources = ctx.project.resources
    current = dict(connection.get("PhysicalConnectionRequirements") or {})
    wanted = dict(current)
    problems = []
    if ctx.policy.lock_vpc and resources.subnet_ids and current.get("SubnetId") not in resources.subnet_ids:
        problems.append(f"subnet {current.get('SubnetId')!r} is not a project subnet {resources.subnet_ids}")
        wanted["SubnetId"] = resources.subnet_ids[0]
        zone = resources.subnet_availability_zones.get(wanted["SubnetId"])
        if zone:
            wanted["AvailabilityZone"] = zone
    group = resources.security_group_id
    if ctx.policy.lock_security_group and group and current.get("SecurityGroupIdList") != [group]:
        problems.append(f"security groups {current.get('SecurityGroupIdList')} are not [{group!r}]")
        wanted["SecurityGroupIdList"] = [group]
    if problems:
        yield Violation(
            "connection-network", Severity.HIGH, "; ".join(problems), patch={"PhysicalConnectionRequirements": wanted}
        )


@rule(KIND, "connection-tags", "the mandatory tags, with the registry's values")
def tags(connection: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from tag_violations(connection, ctx, "connection-tags")
