"""AWS Config custom rules (Lambda-backed): the enforcer's evaluator, reported with PutEvaluations.

One function serves four rules, chosen by the rule's InputParameters `{"check": ...}`:
`vpc`, `role`, `naming` (AWS::Glue::Job) and `security-group` (AWS::EC2::SecurityGroup, the
projects' `project-{uuid}-glue-sg` groups). A change notification names a resource, which is read
from the API (current state); a scheduled notification evaluates every resource in scope.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from glueguard.handlers import scaffold
from glueguard.models.resource import Resource
from glueguard.models.violation import Violation
from glueguard.naming import project_of
from glueguard.ownership import resolve_project

logger = Logger(service="glueguard-config-rules")

#: check -> (Config resource type, rule-id suffixes that belong to the check)
CHECKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "vpc": ("AWS::Glue::Job", ("-vpc",)),
    "role": ("AWS::Glue::Job", ("-role",)),
    "naming": ("AWS::Glue::Job", ("-naming",)),
    "security-group": ("AWS::EC2::SecurityGroup", ("sg-",)),
}
CHANGE_MESSAGES = {"ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification"}
GONE = {"ResourceDeleted", "ResourceDeletedNotRecorded", "ResourceNotRecorded"}
BATCH = 100  # PutEvaluations takes at most 100 evaluations
ANNOTATION_MAX = 256


class InvalidConfigEvent(ValueError):
    """A Config rule invocation this handler cannot evaluate; the message says what is wrong."""


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


@scaffold.Lazy
def _registry() -> Any:
    from glueguard.adapters.registry import Registry

    return Registry()


def _policy() -> Any:
    from glueguard.policy.settings import current_policy

    return current_policy()


reset = scaffold.reset


def _matches(violation: Violation, suffixes: tuple[str, ...]) -> bool:
    return any(violation.rule.endswith(s) or violation.rule.startswith(s) for s in suffixes)


def judge(resource: Resource, check: str) -> tuple[str, str]:
    """(ComplianceType, annotation) of one resource for one check, with the enforcer's rules."""
    from glueguard.rules import RuleContext, evaluate

    project_id = resolve_project(resource) or project_of(resource.tags.get("Project"))
    project = _registry().get(project_id) if project_id else None
    if project is None:
        if check == "security-group":
            return "NOT_APPLICABLE", "not a glueguard project security group"
        return "NON_COMPLIANT", f"{resource.kind} {resource.name} belongs to no registered project"
    ctx = RuleContext(project, _policy().with_overrides(project.policy_overrides))
    found = [v for v in evaluate(resource, ctx) if _matches(v, CHECKS[check][1])]
    if not found:
        return "COMPLIANT", f"{check}: compliant"
    return "NON_COMPLIANT", "; ".join(v.message for v in found)[:ANNOTATION_MAX]


def _security_group(group: dict[str, Any]) -> Resource:
    tags = {t["Key"]: t["Value"] for t in group.get("Tags") or []}
    return Resource("securitygroup", group.get("GroupName", group["GroupId"]), group, tags, group["GroupId"])


def _read(resource_type: str, resource_id: str, name: str | None, account: str) -> Resource | None:
    from glueguard.adapters.clients import client
    from glueguard.resources import kinds

    if resource_type == "AWS::Glue::Job":
        job = kinds()["job"]
        job_name = name or resource_id
        return job.read(client("glue"), job_name, job.arn(job_name, _region(), account))
    ec2 = client("ec2")
    try:
        groups = ec2.describe_security_groups(GroupIds=[resource_id])["SecurityGroups"]
    except ec2.exceptions.ClientError as exc:
        if exc.response["Error"]["Code"] == "InvalidGroup.NotFound":
            return None
        raise
    return _security_group(groups[0]) if groups else None


def _all(resource_type: str, account: str) -> Iterator[tuple[str, Resource]]:
    from glueguard.adapters.clients import client
    from glueguard.adapters.tags import tag_index
    from glueguard.resources import kinds

    if resource_type == "AWS::Glue::Job":
        glue = client("glue")
        tags = tag_index(glue, client, ["job"])
        for resource in kinds()["job"].list_all(glue, _region(), account, tags):
            yield resource.name, resource
        return
    pages = (
        client("ec2")
        .get_paginator("describe_security_groups")
        .paginate(Filters=[{"Name": "group-name", "Values": ["project-*-glue-sg"]}])
    )
    for page in pages:
        for group in page["SecurityGroups"]:
            yield group["GroupId"], _security_group(group)


def _evaluation(resource_type: str, resource_id: str, compliance: str, annotation: str, when: Any) -> dict[str, Any]:
    return {
        "ComplianceResourceType": resource_type,
        "ComplianceResourceId": resource_id,
        "ComplianceType": compliance,
        "Annotation": annotation[:ANNOTATION_MAX] or compliance,
        "OrderingTimestamp": when,
    }


def evaluations(event: dict[str, Any]) -> tuple[list[dict[str, Any]], str, bool]:
    """The evaluations an invocation calls for, its result token, and whether Config runs in test mode
    (Config's own test invocations carry the result token `TESTMODE`)."""
    try:
        invoking = json.loads(event["invokingEvent"])
        params = json.loads(event.get("ruleParameters") or "{}")
        token = event["resultToken"]
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise InvalidConfigEvent(f"not a Config rule invocation: {exc!r}") from None
    check = params.get("check")
    if check not in CHECKS:
        raise InvalidConfigEvent(f"ruleParameters.check must be one of {sorted(CHECKS)}, got {check!r}")
    account = str(event.get("accountId") or "000000000000")
    resource_type = CHECKS[check][0]
    message_type = invoking.get("messageType")
    now = datetime.now(UTC)
    test_mode = token == "TESTMODE"
    if message_type in CHANGE_MESSAGES:
        item = invoking.get("configurationItem") or invoking.get("configurationItemSummary") or {}
        if item.get("resourceType") != resource_type:
            raise InvalidConfigEvent(f"{check} evaluates {resource_type}, got {item.get('resourceType')!r}")
        resource_id, name = item.get("resourceId") or item.get("resourceName"), item.get("resourceName")
        when = item.get("configurationItemCaptureTime") or now
        if event.get("eventLeftScope") or item.get("configurationItemStatus") in GONE:
            return (
                [_evaluation(resource_type, resource_id, "NOT_APPLICABLE", "deleted or out of scope", when)],
                token,
                False,
            )
        current = _read(resource_type, resource_id, name, account)
        if current is None:
            return (
                [_evaluation(resource_type, resource_id, "NOT_APPLICABLE", "no longer exists", when)],
                token,
                test_mode,
            )
        return [_evaluation(resource_type, resource_id, *judge(current, check), when)], token, test_mode
    if message_type == "ScheduledNotification":
        found = [_evaluation(resource_type, rid, *judge(r, check), now) for rid, r in _all(resource_type, account)]
        return found, token, test_mode
    raise InvalidConfigEvent(f"unsupported messageType {message_type!r}")


def _batches(items: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for i in range(0, len(items), BATCH):
        yield items[i : i + BATCH]


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from glueguard.adapters.clients import client

    found, token, test_mode = evaluations(event)
    config = client("config")
    failed = []
    for batch in _batches(found):
        failed += config.put_evaluations(Evaluations=batch, ResultToken=token, TestMode=test_mode).get(
            "FailedEvaluations", []
        )
    summary = {
        "evaluations": len(found),
        "non_compliant": sum(e["ComplianceType"] == "NON_COMPLIANT" for e in found),
        "failed": len(failed),
    }
    logger.info("config rule evaluated", extra=summary)
    return summary
