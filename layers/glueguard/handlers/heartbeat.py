"""Heartbeat Lambda: on its schedule, every member account (an instance of the member stack set) is probed through its member
role; a member whose forwarding rules are gone, disabled or re-aimed, or whose role no longer works, gets a
critical decision (notified to the platform) and the MembersTampered metric the alarm watches."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(service="glueguard-heartbeat")
TAMPERED_METRIC = "MembersTampered"


def check(event_id: str, bus_arn: str, stack_set: str) -> dict[str, Any]:
    from glueguard.adapters import metrics
    from glueguard.adapters.decisions import DecisionLog
    from glueguard.adapters.members import member_accounts, probe
    from glueguard.adapters.notify import Notifier
    from glueguard.models.decision import Decision
    from glueguard.organization.heartbeat import KIND, ORGANIZATION, judge

    decisions, notifier = DecisionLog(), Notifier()
    tampered: dict[str, list[str]] = {}
    accounts = member_accounts(stack_set)
    for account in accounts:
        violations = judge(probe(account), bus_arn)
        if not violations:
            continue
        tampered[account] = [v.rule for v in violations]
        decision = Decision(
            project_id=ORGANIZATION,
            event_id=event_id,
            event_name="Heartbeat",
            function="heartbeat",
            resource_kind=KIND,
            resource_name=account,
            account=account,
            outcome="reported",
            severity="critical",
            violations=[v.to_dict() for v in violations],
        )
        if decisions.record(decision):
            notifier.decision(decision)
    metrics.count(TAMPERED_METRIC, len(tampered))
    return {"members": len(accounts), "tampered": tampered}


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    event_id = event.get("id") if isinstance(event, dict) else None
    if not isinstance(event_id, str) or not event_id:
        raise ValueError("the heartbeat check needs a scheduled event with an id")
    result = check(event_id, os.environ["GLUEGUARD_BUS_ARN"], os.environ["GLUEGUARD_MEMBER_STACK_SET"])
    logger.info("heartbeat", extra=result)
    return result
