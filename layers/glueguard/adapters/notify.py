"""SNS notifications with `project` and `severity` message attributes (for subscription filter policies)."""

from __future__ import annotations

import json
import os

from glueguard.adapters.clients import plane_client
from glueguard.models.decision import Decision

PLATFORM = "platform"


class Notifier:
    def __init__(self, topic_arn: str | None = None) -> None:
        self.topic_arn = topic_arn or os.environ.get("GLUEGUARD_TOPIC_ARN")

    def decision(self, decision: Decision) -> None:
        """Publish a decision; critical ones are also addressed to the platform team (audience attribute)."""
        if not self.topic_arn:
            return
        severity = decision.severity or "low"
        subject = f"glueguard {decision.outcome}: {decision.resource_kind} {decision.resource_name}"[:100]
        attributes = {
            "project": {"DataType": "String", "StringValue": decision.project_id},
            "severity": {"DataType": "String", "StringValue": severity},
            "kind": {"DataType": "String", "StringValue": decision.resource_kind},
            "outcome": {"DataType": "String", "StringValue": decision.outcome},
            "audience": {"DataType": "String", "StringValue": PLATFORM if severity == "critical" else "project"},
        }
        plane_client("sns").publish(
            TopicArn=self.topic_arn,
            Subject=subject,
            Message=message(decision),
            MessageAttributes=attributes,
        )


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
