"""S3 `Object Created` EventBridge notifications, parsed with Powertools' Parser model (loaded only by the upload
trigger: the Parser models package is large)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.parser.models import S3EventNotificationEventBridgeModel
from pydantic import Field

from glueguard.models.events import (
    ACCOUNT_PATTERN,
    REGION_PATTERN,
    S3_OBJECT_CREATED,
    InvalidEventError,
    parse_event,
)


class S3ObjectCreatedEvent(S3EventNotificationEventBridgeModel):
    """An S3 `Object Created` EventBridge notification, validated by Powertools' Parser model.

    S3 puts object keys in its notifications URL-encoded, as a form encodes them (space as `+`): `key` is the
    decoded key, the one the object has (Powertools' data class `S3EventBridgeNotificationObject.key` decodes
    the same way).
    """

    account: str = Field(pattern=ACCOUNT_PATTERN)  # picks the member role the trigger acts through
    region: str = Field(pattern=REGION_PATTERN)

    @property
    def bucket(self) -> str:
        return self.detail.bucket.name

    @property
    def key(self) -> str:
        return unquote_plus(self.detail.object.key)

    @property
    def object_version(self) -> str | None:
        obj = self.detail.object
        return obj.version_id or obj.sequencer

    @property
    def object_identity(self) -> str:
        """bucket/key, version id (or sequencer) and etag: the same object event delivered twice has the same one."""
        return f"{self.bucket}/{self.key}#{self.object_version or ''}#{self.detail.object.etag or ''}"


def parse_s3_object_created(event: Any) -> S3ObjectCreatedEvent:
    """Validate an S3 `Object Created` EventBridge event; raise InvalidEventError otherwise."""
    parsed = parse_event(S3ObjectCreatedEvent, event, (S3_OBJECT_CREATED,))
    if not parsed.key:
        raise InvalidEventError("detail.object.key: the object key is empty", parsed.id)
    return parsed
