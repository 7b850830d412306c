"""Rules for Glue development endpoints (GetDevEndpoint `DevEndpoint`). The role, subnet, security groups and
security configuration cannot be updated: an endpoint that breaks them is removed after its definition is saved."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.rules.common import (
    lifetime_violations,
    naming_violations,
    role_violations,
    security_configuration_violations,
    tag_violations,
)
from glueguard.rules.engine import RuleContext, rule

KIND = "devendpoint"


@rule(KIND, "devendpoint-naming", "the name is project-{uuid}-devendpoint-*")
def naming(endpoint: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from naming_violations(endpoint, ctx, "devendpoint-naming")


@rule(KIND, "devendpoint-role", "the role is the project's dev role")
def role(endpoint: Resource, ctx: RuleContext) -> Iterator[Violation]:
    wanted = ctx.project.resources.dev_role_arn or ctx.project.names.dev_role
    yield from role_violations(
        endpoint.get("RoleArn"), [wanted], "RoleArn", "role", "devendpoint-role", ctx, remove=True
    )


@rule(KIND, "devendpoint-network", "the endpoint sits in a project subnet with only the project security group")
def network(endpoint: Resource, ctx: RuleContext) -> Iterator[Violation]:
    subnets, group = ctx.project.resources.subnet_ids, ctx.project.resources.security_group_id
    problems, patch = [], {}
    if ctx.policy.lock_vpc and subnets and endpoint.get("SubnetId") not in subnets:
        problems.append(f"subnet {endpoint.get('SubnetId')!r} is not a project subnet {subnets}")
        patch["SubnetId"] = subnets[0]
    if ctx.policy.lock_security_group and group and endpoint.get("SecurityGroupIds") != [group]:
        problems.append(f"security groups {endpoint.get('SecurityGroupIds')} are not [{group!r}]")
        patch["SecurityGroupIds"] = [group]
    if problems:
        yield Violation("devendpoint-network", Severity.HIGH, "; ".join(problems), patch=patch, remove=True)


@rule(KIND, "devendpoint-security-configuration", "the project's security configuration is set (else removed, saved)")
def security_configuration(endpoint: Resource, ctx: RuleContext) -> Iterator[Violation]:
    # Like jobs' and crawlers' (Prowler glue_development_endpoints_*_encryption_enabled): S3, CloudWatch Logs and
    # job bookmarks encrypted with the project key. UpdateDevEndpoint cannot set it: the saved replay carries it.
    for violation in security_configuration_violations(
        endpoint, ctx, "SecurityConfiguration", "devendpoint-security-configuration"
    ):
        yield dataclasses.replace(violation, remove=True)


@rule(KIND, "devendpoint-lifetime", "the endpoint is removed once it outlives the lifetime cap")
def lifetime(endpoint: Resource, ctx: RuleContext) -> Iterator[Violation]:
    cap = timedelta(hours=ctx.policy.dev_endpoint_lifetime_max_hours)
    yield from lifetime_violations(endpoint.get("CreatedTimestamp"), cap, ctx, "devendpoint-lifetime", remove=True)


@rule(KIND, "devendpoint-tags", "the mandatory tags, with the registry's values")
def tags(endpoint: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from tag_violations(endpoint, ctx, "devendpoint-tags")
