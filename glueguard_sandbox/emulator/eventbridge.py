"""EventBridge as AWS documents it, where moto 5.2.5 falls short.

- Only ENABLED rules with an event pattern match events: disabled and schedule-only rules match none.
- A target receives the event transformed by Input (constant JSON), InputPath (a JSONPath into the
  event) or InputTransformer (InputPathsMap + InputTemplate, placeholders inside quotes get the raw
  string, outside quotes the JSON value).
- Lambda targets are invoked asynchronously (then Lambda's own retries apply), Step Functions targets
  start an execution. A target that cannot be delivered to is retried per its RetryPolicy (default 185
  attempts / 24 h) with back-off on the sandbox's clock, then sent to its DeadLetterConfig queue with AWS's
  message attributes.
- Scheduled rules (`rate(...)`, `cron(...)`) fire "Scheduled Event"s at their real times on the
  sandbox's schedule clock (`schedules.py`): `fire_schedules()` fires those due, `fire_schedules(force=True)`
  fires every enabled one now.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from moto.events.models import Rule, events_backends

from glueguard_sandbox.emulator import delivery
from glueguard_sandbox.emulator.schedules import schedules

log = logging.getLogger(__name__)

_original_send = Rule.send_to_targets

#: Targets the extension delivers itself; the rest (logs, archives, API destinations) stay moto's.
_OWN_SERVICES = {"lambda", "states", "sqs", "sns"}


def _own(arn: str) -> bool:
    parts = arn.split(":")
    return parts[2] in _OWN_SERVICES or (parts[2] == "events" and parts[5].startswith("event-bus/"))


class JsonPathError(ValueError):
    pass


# ------------------------------------------------------------------------------- input transformation
_SEGMENT = re.compile(r"\.([A-Za-z0-9_\-@$]+)|\[(\d+)\]|\['([^']+)'\]|\[\"([^\"]+)\"\]")
_MISSING = object()


def json_path(document: Any, path: str) -> Any:
    """Evaluate a simple JSONPath (`$`, `$.a.b`, `$.a[0]`, `$['a-b']`); missing -> _MISSING."""
    if not path.startswith("$"):
        raise JsonPathError(f"JSONPath must start with $: {path!r}")
    value, position = document, 1
    while position < len(path):
        match = _SEGMENT.match(path, position)
        if not match:
            raise JsonPathError(f"unsupported JSONPath {path!r}")
        key, index = match.group(1) or match.group(3) or match.group(4), match.group(2)
        if index is not None:
            value = value[int(index)] if isinstance(value, list) and int(index) < len(value) else _MISSING
        else:
            value = value.get(key, _MISSING) if isinstance(value, dict) else _MISSING
        if value is _MISSING:
            return _MISSING
        position = match.end()
    return value


def _template_values(transformer: dict[str, Any], event: dict[str, Any], rule: Rule) -> dict[str, Any]:
    values: dict[str, Any] = {
        "aws.events.rule-arn": rule.arn,
        "aws.events.rule-name": rule.name,
        "aws.events.event.ingestion-time": event.get("time"),
        "aws.events.event": event,
        "aws.events.event.json": event,
    }
    for name, path in (transformer.get("InputPathsMap") or {}).items():
        values[name] = json_path(event, path)
    return values


def render_template(template: str, values: dict[str, Any]) -> str:
    """Fill `<name>` placeholders as EventBridge does (raw text inside JSON strings, JSON outside)."""
    out: list[str] = []
    in_string = escaped = False
    i = 0
    while i < len(template):
        ch = template[i]
        if ch == "<":
            end = template.find(">", i)
            name = template[i + 1 : end] if end > 0 else None
            if name is not None and name in values:
                value = values[name]
                if value is _MISSING:
                    value = None
                if in_string:
                    text = value if isinstance(value, str) else json.dumps(value)
                    out.append(json.dumps(text)[1:-1])
                else:
                    out.append(json.dumps(value))
                i = end + 1
                continue
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        out.append(ch)
        i += 1
    return "".join(out)


def target_input(target: dict[str, Any], event: dict[str, Any], rule: Rule) -> Any:
    """What the target receives: a JSON value, or a plain string (a non-JSON InputTemplate)."""
    if target.get("Input") is not None:
        return json.loads(target["Input"])
    if target.get("InputPath"):
        value = json_path(event, target["InputPath"])
        return None if value is _MISSING else value
    transformer = target.get("InputTransformer")
    if transformer:
        rendered = render_template(transformer["InputTemplate"], _template_values(transformer, event, rule))
        try:
            return json.loads(rendered)
        except ValueError:
            return rendered
    return event


# ------------------------------------------------------------------------------- delivery
def _iso(value: Any) -> str:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def _deliver(rule: Rule, target: dict[str, Any], payload: Any) -> None:
    """Hand the payload to the target's service; raises when the target cannot accept it."""
    from moto.utilities.arns import parse_arn

    arn = target["Arn"]
    parsed = parse_arn(arn)
    if parsed.service == "lambda":
        from glueguard_sandbox.emulator import lambda_async

        lambda_async.invoke_function_async(arn, payload)
    elif parsed.service == "states":
        from moto.stepfunctions.responses import get_backend

        get_backend(parsed.account, parsed.region).start_execution(arn, name=None, execution_input=json.dumps(payload))
    elif parsed.service == "events" and parsed.resource_type == "event-bus":
        from glueguard_sandbox.emulator.eventbus.models import forward

        forward(rule, target, payload)
    elif parsed.service == "sqs":
        group = (target.get("SqsParameters") or {}).get("MessageGroupId")
        from moto.sqs.models import sqs_backends

        body = payload if isinstance(payload, str) else json.dumps(payload)
        sqs_backends[parsed.account][parsed.region].send_message(
            queue_name=parsed.resource_id, message_body=body, group_id=group
        )
    else:
        delivery.send_to_arn(arn, payload)


def _attempt(rule: Rule, target: dict[str, Any], event: dict[str, Any], attempt: int, first: float) -> None:
    try:
        _deliver(rule, target, target_input(target, event, rule))
        return
    except Exception as exc:
        error = exc
    policy = target.get("RetryPolicy") or {}
    retries = int(policy.get("MaximumRetryAttempts", 185))
    max_age = float(policy.get("MaximumEventAgeInSeconds", 86400))
    age = time.time() - first  # on the sandbox's clock, as the back-off
    # Permission errors are not retriable (EventBridge user guide, "How EventBridge retries delivering events").
    if getattr(error, "retriable", True) and attempt <= retries and age < max_age:
        backoff = min(2 ** (attempt - 1), 300)  # exponential back-off, capped, in sandbox seconds
        delivery.worker.schedule(lambda: _attempt(rule, target, event, attempt + 1, first), backoff, on_clock=True)
        return
    dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
    log.warning("rule %s: target %s failed %d times: %s", rule.name, target["Arn"], attempt, error)
    if dlq:
        code = getattr(error, "code", None) or type(error).__name__
        delivery.send_to_arn(
            dlq,
            event,
            {
                "RULE_ARN": rule.arn,
                "TARGET_ARN": target["Arn"],
                "ERROR_CODE": str(code),
                "ERROR_MESSAGE": str(error)[:256],
                "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttemptsExhausted"
                if attempt > retries
                else "MaximumEventAgeExceeded",
                "RETRY_ATTEMPTS": str(attempt - 1),
            },
        )


def matches(rule: Rule, event: dict[str, Any]) -> bool:
    """AWS: only enabled rules with an event pattern receive events."""
    if rule.state != "ENABLED" or not rule.event_pattern.dump():
        return False
    return rule.event_pattern.matches_event(event)


def send_to_targets(self: Rule, original_event: dict[str, Any], transform_input: bool = True) -> None:
    if self.managed_by or not transform_input:  # archives and replays keep moto's behaviour
        return _original_send(self, original_event, transform_input)
    if not matches(self, original_event):
        return None
    event = {**original_event, "time": _iso(original_event.get("time"))}
    event.pop("ingestion-time", None)
    others = []
    for target in self.targets:
        if _own(target["Arn"]):
            now = time.time()
            delivery.worker.schedule(lambda t=target, n=now: _attempt(self, t, event, 1, n))
        else:
            others.append(target)
    if others:
        saved = self.targets
        try:
            self.targets = others
            _original_send(self, original_event, transform_input)
        finally:
            self.targets = saved
    return None


# ------------------------------------------------------------------------------- schedules
def scheduled_event(rule: Rule, moment: datetime) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": rule.account_id,
        "time": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": rule.region_name,
        "resources": [rule.arn],
        "detail": {},
    }


def fire_schedules(force: bool = False) -> list[str]:
    """Fire scheduled rules that are due on the schedule clock (all enabled ones if `force`); return their ARNs."""
    fired: list[str] = []
    for _account, regions in list(events_backends.items()):
        for _region, backend in list(regions.items()):
            for bus in list(backend.event_buses.values()):
                for rule in list(bus.rules.values()):
                    if not rule.scheduled_expression or rule.state != "ENABLED":
                        continue
                    moment = schedules.due(rule.arn, rule.scheduled_expression, force)
                    if moment is None:
                        continue
                    event, accepted = scheduled_event(rule, moment), time.time()
                    for target in rule.targets:
                        delivery.worker.schedule(lambda r=rule, t=target, e=event, a=accepted: _attempt(r, t, e, 1, a))
                    fired.append(rule.arn)
    return fired


def install() -> None:
    Rule.send_to_targets = send_to_targets  # type: ignore[method-assign]
