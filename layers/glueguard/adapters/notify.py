"""SNS notifications with `project` and `severity` message attributes (for subscription filter policies).

A decision's detail goes to its own project's topic (the registry's `notifications_topic_arn`, in the project's
account, encrypted with the project key; never a topic named after the event's account, which another account's
administrator could create: issue 24 item 7); the plane-wide topic, which any platform subscriber reads, carries only a summary of critical and platform
(unowned, organization) decisions, so no team reads another's (docs/security.md, 8c).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from botocore.exceptions import ClientError

from glueguard.adapters.clients import acting_in, client, plane_account, plane_client
from glueguard.models.decision import PLATFORM_OWNED, Decision

logger = logging.getLogger(__name__)
PLATFORM = "platform"
#: What the plane topic says about a decision (no messages, states, principals or parameters).
#: SNS Publish's error code for a topic that does not exist (botocore's model: NotFoundException): the only
#: failure a notification may swallow. Throttling, KMS and access errors reach the notifier's batchItemFailures.
TOPIC_MISSING = frozenset({"NotFound"})
SUMMARY_FIELDS = ("project_id", "severity", "outcome", "resource_kind", "resource_name", "function", "created_at")


class Notifier:
    def __init__(self, topic_arn: str | None = None, registry: Any = None) -> None:
        self.topic_arn = topic_arn or os.environ.get("GLUEGUARD_TOPIC_ARN")
        self._registry = registry

    def decision(self, decision: Decision) -> None:
        """The detail to the project's topic; a summary of critical and platform decisions to the plane topic."""
        if not self.topic_arn:
            return
        severity = decision.severity or "low"
        subject = f"glueguard {decision.outcome}: {decision.resource_kind} {decision.resource_name}"[:100]
        attributes = {
            "project": {"DataType": "String", "StringValue": decision.project_id},
            "severity": {"DataType": "String", "StringValue": severity},
            "kind": {"DataType": "String", "StringValue": decision.resource_kind},
            "outcome": {"DataType": "String", "StringValue": decision.outcome},
        }
        platform = decision.project_id in PLATFORM_OWNED  # unowned resources, organization (member account) findings
        if not platform:
            self._to_project(decision, subject, attributes)
        if severity == "critical" or platform:
            plane_client("sns").publish(
                TopicArn=self.topic_arn,
                Subject=subject,
                Message=summary(decision),
                MessageAttributes={**attributes, "audience": {"DataType": "String", "StringValue": PLATFORM}},
            )

    def project_topic(self, project_id: str) -> str | None:
        """The project's topic as the registry holds it (docs/provisioning.md); for a project registered before
        topics were recorded, its fixed name in the project's own account. None for an unregistered project."""
        if self._registry is None:
            from glueguard.adapters.registry import Registry

            self._registry = Registry()
        project = self._registry.get(project_id)
        if project is None:
            return None
        if project.resources.notifications_topic_arn:
            return project.resources.notifications_topic_arn
        partition, region = str(self.topic_arn).split(":")[1:4:2]
        account = project.account_id or plane_account()
        return f"arn:{partition}:sns:{region}:{account}:project-{project_id}-notifications"

    def _to_project(self, decision: Decision, subject: str, attributes: dict[str, dict[str, str]]) -> None:
        audience = {"audience": {"DataType": "String", "StringValue": "project"}}
        topic = self.project_topic(decision.project_id)
        if topic is None:
            logger.warning("project %s is not registered: its decision is not notified", decision.project_id)
            return
        try:
            with acting_in(topic.split(":")[4]):  # the topic's account: a member's, through its member role
                client("sns").publish(
                    TopicArn=topic,
                    Subject=subject,
                    Message=message(decision),
                    MessageAttributes={**attributes, **audience},
                )
        except ClientError as exc:  # a project without a topic (deprovisioned, never made) is told nothing;
            if exc.response.get("Error", {}).get("Code") not in TOPIC_MISSING:  # any other failure is retried
                raise
            logger.warning("project topic of %s not notified: %s", decision.project_id, exc)


def summary(decision: Decision) -> str:
    """The plane topic's body: which decision, where, how severe; the detail is in the decisions table and on the
    project's own topic."""
    body = {k: getattr(decision, k) for k in SUMMARY_FIELDS}
    body["decision_id"] = decision.decision_id
    body["rules"] = sorted({str(v.get("rule")) for v in decision.violations})
    return json.dumps(body, separators=(",", ":"), default=str)


def message(decision: Decision) -> str:
    """The notification body: what happened and why, and the decision id to read the full record by.

    The state before and after, the calls' parameters and the rules' patches stay in the decisions
    table: they can be large (a whole JobUpdate) and are not needed to route or read the notification.
    """
    body = decision.model_dump(mode="json", exclude={"before", "after", "actions", "violations"})
    body["decision_id"] = decision.decision_id
    body["violations"] = [
        {k: v.get(k) for k in ("rule", "severity", "message", "enforced")} for v in decision.violations
    ]
    body["actions"] = [{k: a.get(k) for k in ("call", "reason")} for a in decision.actions]
    return json.dumps(body, separators=(",", ":"), default=str)
