"""Events sent from one event bus to another, as AWS documents it, where moto 5.2.5 re-puts a forwarded event
with a new id, the *target's* account and no permission check.

- A rule whose target is an event bus forwards the event itself: its id, `account` (the sending account),
  time, region, resources, source, detail-type and detail are kept, so the receiver knows where it came from.
- The target must name an execution role (RoleArn) in the rule's account that events.amazonaws.com may
  assume (EventBridge user guide, "Sending and receiving events between AWS accounts": "the sending event bus
  must have IAM roles attached to them when sending events to another account"; same for bus-to-bus in one
  account, "eb-bus-to-bus").
- A bus in another account accepts the event only when its resource-based policy allows `events:PutEvents`
  to the sender ("Permissions for event buses"): Principal `*`, an account id or its root ARN, with the
  conditions `aws:PrincipalOrgID` / `aws:PrincipalAccount` evaluated on the sender.
A refused delivery is a failed target invocation: retried per the rule's RetryPolicy, then its DLQ.
"""

from __future__ import annotations

import json
from typing import Any

from glueguard_sandbox.emulator.iam.policy import documents_allow
from glueguard_sandbox.emulator.organizations.models import organization_id, principal_matches


class DeliveryDenied(PermissionError):
    """EventBridge refused the event (no execution role, or the receiving bus's policy does not allow it)."""

    code = "AccessDeniedException"
    retriable = False


def bus_policy_allows(bus: Any, sender_account: str) -> bool:
    """The receiving bus's resource policy decision for `events:PutEvents` by `sender_account`."""
    if bus.account_id == sender_account:
        return True  # same account: the sender's IAM permissions decide
    document = json.loads(bus.policy) if bus.policy else {"Statement": []}
    statements = document.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    applicable = [s for s in statements if principal_matches(s.get("Principal"), sender_account)]
    context = {"aws:PrincipalAccount": [sender_account]}
    org = organization_id(sender_account)
    if org:
        context["aws:PrincipalOrgID"] = [org]
    resourced = [{**s, "Resource": s.get("Resource", bus.arn)} for s in applicable]
    return documents_allow([{"Statement": resourced}], "events:PutEvents", bus.arn, context)


def _check_execution_role(rule: Any, target: dict[str, Any]) -> None:
    from moto.iam.models import iam_backends

    role_arn = target.get("RoleArn")
    if not role_arn:
        raise DeliveryDenied(f"target {target['Arn']} of rule {rule.arn}: an event bus target needs a RoleArn")
    account = role_arn.split(":")[4]
    name = role_arn.rsplit("/", 1)[-1]
    role = next((r for r in iam_backends[account]["global"].roles.values() if r.name == name), None)
    trust = json.loads(role.assume_role_policy_document) if role else {}
    services = [
        s.get("Principal", {}).get("Service")
        for s in trust.get("Statement", [])
        if s.get("Effect") == "Allow" and isinstance(s.get("Principal"), dict)
    ]
    if account != rule.account_id or not any(
        "events.amazonaws.com" in (v if isinstance(v, list) else [v]) for v in services
    ):
        raise DeliveryDenied(f"EventBridge cannot assume {role_arn} for rule {rule.arn}")


def target_bus(arn: str) -> Any:
    from moto.events.models import events_backends
    from moto.utilities.arns import parse_arn

    parsed = parse_arn(arn)
    try:
        return events_backends[parsed.account][parsed.region].describe_event_bus(parsed.resource_id)
    except Exception as exc:
        raise DeliveryDenied(f"event bus {arn} does not exist") from exc


def deliver_to_bus(bus: Any, event: dict[str, Any], sender_account: str) -> None:
    """Put a complete event on `bus` as sent by `sender_account` (policy checked); its rules then run."""
    if not bus_policy_allows(bus, sender_account):
        raise DeliveryDenied(
            f"User: arn:aws:iam::{sender_account}:root is not authorized to perform: events:PutEvents on "
            f"resource: {bus.arn} because no resource-based policy allows the events:PutEvents action"
        )
    for rule in list(bus.rules.values()):
        rule.send_to_targets(dict(event))


def forward(rule: Any, target: dict[str, Any], event: dict[str, Any]) -> None:
    """A rule's event-bus target: the same event, on the other bus (see the module docstring)."""
    _check_execution_role(rule, target)
    deliver_to_bus(target_bus(target["Arn"]), event, rule.account_id)
