"""CloudTrail events as EventBridge delivers them (FACTS.md 'Events'), validated with pydantic."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail"


class InvalidEventError(ValueError):
    """An event that is not the shape a handler accepts; the message says exactly what is wrong."""

    def __init__(self, message: str, event_id: str | None = None) -> None:
        super().__init__(f"invalid event {event_id or '<no id>'}: {message}")
        self.event_id = event_id


class SessionIssuer(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str | None = None
    arn: str | None = None
    userName: str | None = None


class SessionContext(BaseModel):
    model_config = ConfigDict(extra="allow")
    sessionIssuer: SessionIssuer | None = None


class UserIdentity(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str | None = None
    arn: str | None = None
    principalId: str | None = None
    accountId: str | None = None
    sessionContext: SessionContext | None = None
    invokedBy: str | None = None

    @property
    def issuer_arn(self) -> str | None:
        """The role behind an assumed-role session, else the identity's own ARN."""
        issuer = self.sessionContext.sessionIssuer if self.sessionContext else None
        return (issuer.arn if issuer and issuer.arn else None) or self.arn

    @property
    def role_name(self) -> str | None:
        issuer = self.issuer_arn
        if issuer and ":role/" in issuer:
            return issuer.rsplit("/", 1)[-1]
        if self.arn and ":assumed-role/" in self.arn:
            return self.arn.split(":assumed-role/", 1)[1].split("/", 1)[0]
        return None

    def is_plane(self, role_path: str, extra_arns: frozenset[str] = frozenset()) -> bool:
        """True when the caller is one of the control plane's own roles (by path) or listed ARNs."""
        issuer = self.issuer_arn or ""
        if role_path and f":role{role_path}" in issuer:
            return True
        return bool(extra_arns & {issuer, self.arn or ""})


class CloudTrailDetail(BaseModel):
    model_config = ConfigDict(extra="allow")
    eventID: str = Field(min_length=1)
    eventName: str = Field(min_length=1)
    eventSource: str = Field(min_length=1)
    eventTime: str | None = None
    awsRegion: str | None = None
    userIdentity: UserIdentity = Field(default_factory=UserIdentity)
    requestParameters: dict[str, Any] | None = None
    responseElements: dict[str, Any] | None = None
    errorCode: str | None = None
    errorMessage: str | None = None


class CloudTrailEvent(BaseModel):
    """An EventBridge envelope around a CloudTrail record."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    id: str = Field(min_length=1)
    source: str
    detail_type: str = Field(alias="detail-type")
    account: str | None = None
    region: str | None = None
    time: str | None = None
    detail: CloudTrailDetail


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors(include_url=False)
    )


def parse_cloudtrail_event(event: Any) -> CloudTrailEvent:
    """Validate an EventBridge CloudTrail event; raise InvalidEventError naming what is wrong."""
    event_id = event.get("id") if isinstance(event, dict) else None
    event_id = event_id if isinstance(event_id, str) else None
    if not isinstance(event, dict):
        raise InvalidEventError(f"expected a JSON object, got {type(event).__name__}")
    try:
        parsed = CloudTrailEvent.model_validate(event)
    except ValidationError as exc:
        raise InvalidEventError(_describe(exc), event_id) from None
    if parsed.detail_type != CLOUDTRAIL_DETAIL_TYPE:
        raise InvalidEventError(f"detail-type {parsed.detail_type!r} is not {CLOUDTRAIL_DETAIL_TYPE!r}", event_id)
    return parsed
