"""PutEvents naming another account's event bus (EventBusName = its ARN): moto 5.2.5 looks the bus up by name
in the *caller's* account. Here the entries go to that bus, sent by the caller's account, policy checked; a
refusal is AccessDeniedException for the call, as AWS answers it."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from moto.events.models import EventsBackend

from glueguard_sandbox.emulator.eventbus.models import DeliveryDenied, bus_policy_allows, deliver_to_bus, target_bus

_original_put_events = EventsBackend.put_events


def _foreign(backend: EventsBackend, entry: dict[str, Any]) -> str | None:
    name = entry.get("EventBusName") or ""
    if name.startswith("arn:") and name.split(":")[4] != backend.account_id:
        return str(name)
    return None


def put_events(self: EventsBackend, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from moto.core.exceptions import JsonRESTError

    foreign = [e for e in events if _foreign(self, e)]
    if not foreign:
        return _original_put_events(self, events)
    for entry in foreign:
        bus = target_bus(_foreign(self, entry) or "")
        if not bus_policy_allows(bus, self.account_id):
            raise JsonRESTError(
                "AccessDeniedException",
                f"User: arn:aws:iam::{self.account_id}:root is not authorized to perform: events:PutEvents on "
                f"resource: {bus.arn} because no resource-based policy allows the events:PutEvents action",
            )
    results = []
    for entry in events:
        arn = _foreign(self, entry)
        if not arn:
            results.extend(_original_put_events(self, [entry]))
            continue
        event_id = str(uuid.uuid4())
        event = {
            "version": "0",
            "id": event_id,
            "detail-type": entry.get("DetailType"),
            "source": entry.get("Source"),
            "account": self.account_id,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.region_name,
            "resources": entry.get("Resources", []),
            "detail": json.loads(entry.get("Detail") or "{}"),
        }
        try:
            deliver_to_bus(target_bus(arn), event, self.account_id)
        except DeliveryDenied as exc:  # checked above; kept for a bus deleted meanwhile
            results.append({"ErrorCode": exc.code, "ErrorMessage": str(exc)})
            continue
        results.append({"EventId": event_id})
    return results


def install() -> None:
    EventsBackend.put_events = put_events  # type: ignore[method-assign]
