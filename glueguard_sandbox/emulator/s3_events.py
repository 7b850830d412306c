"""S3 `Object Created` on EventBridge as AWS delivers it (FACTS.md 'Events'), where moto 5.2.5 falls short.

moto builds the event with a numeric `time`, `eTag` instead of `etag`, a constant sequencer and a
null `version-id` on unversioned buckets, and hands it to each rule's targets without pattern
matching (so Lambda targets are never reached in the sandbox). Here the event gets the real shape
(a fresh id, ISO time, a per-bucket increasing sequencer, `version-id` only when versioned, the
API's name as `reason`, the key URL-encoded as S3 sends it) and goes through the default bus's rules like any other event.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

_sequence = itertools.count(1)
_lock = threading.Lock()

#: moto's S3 event name -> the `reason` AWS puts in the EventBridge event.
REASONS = {
    "Put": "PutObject",
    "Post": "POST Object",
    "Copy": "CopyObject",
    "CompleteMultipartUpload": "CompleteMultipartUpload",
}


def encoded_key(name: str) -> str:
    """The object key as S3 puts it in event notifications: URL-encoded as a form encodes it (`red flower.jpg`
    becomes `red+flower.jpg`), `/` kept (S3 user guide, "Event message structure")."""
    return quote_plus(name, safe="/")


def object_created_event(account_id: str, bucket: Any, event_name: str, key: Any) -> dict[str, Any]:
    from moto.s3.notifications import _detail_type

    with _lock:
        sequencer = f"{int(datetime.now(UTC).timestamp() * 1000):012X}{next(_sequence):06X}"
    obj: dict[str, Any] = {"key": encoded_key(key.name), "size": key.size, "etag": key.etag.replace('"', "")}
    if key.version_id and key.version_id != "null":
        obj["version-id"] = key.version_id
    obj["sequencer"] = sequencer
    action = event_name.split(":")[-1]
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": _detail_type(event_name),
        "source": "aws.s3",
        "account": account_id,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": bucket.region_name,
        "resources": [bucket.arn],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket.name},
            "object": obj,
            "request-id": uuid.uuid4().hex[:16].upper(),
            "requester": account_id,
            "source-ip-address": "127.0.0.1",
            "reason": REASONS.get(action, action),
        },
    }


def _send_event_bridge_message(account_id: str, bucket: Any, event_name: str, key: Any) -> None:
    from moto.events.models import events_backends

    event = object_created_event(account_id, bucket, event_name, key)
    bus = events_backends[account_id][bucket.region_name].event_buses.get("default")
    if bus is None:
        return
    for rule in list(bus.rules.values()):
        rule.send_to_targets(event)  # pattern-matched, as on AWS


def install() -> None:
    from moto.s3 import notifications

    notifications._send_event_bridge_message = _send_event_bridge_message


__all__ = ["install", "object_created_event"]
