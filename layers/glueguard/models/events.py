"""CloudTrail events as EventBridge delivers them (FACTS.md 'Events'), validated with pydantic."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from glueguard.models.violation import Severity, Violation

CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail"
#: An AWS Region code (us-east-1, us-gov-west-1, cn-north-1, eusc-de-east-1): what botocore can build a client for.
REGION_PATTERN = r"^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$"


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

    def is_under(self, role_path: str) -> bool:
        """True when the caller's role sits under `role_path` (e.g. /glueguard/): anyone able to create a role there
        can be; it proves nothing about who the caller is."""
        return bool(role_path) and f":role{role_path}" in (self.issuer_arn or "")


#: The member execution role every member account carries (templates/member.yaml), by account.
MEMBER_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::([0-9]{12}):role/glueguard/glueguard-member")


@dataclass(frozen=True)
class PlanePrincipals:
    """The loop guard: the exact role ARNs of this stack's functions (GLUEGUARD_PLANE_PRINCIPALS, from the
    template), and the plane's role path, which only marks impostors (GLUEGUARD_PLANE_ROLE_PATH)."""

    arns: frozenset[str] = frozenset()
    role_path: str = "/glueguard/"
    #: The plane's own account (GLUEGUARD_ACCOUNT_ID): the member role counts as the plane in every other one.
    home_account: str | None = None

    def is_plane(self, identity: UserIdentity) -> bool:
        """The call is the plane's own: its role (or session) ARN is one of the stack's, in this account, or the
        member role (templates/member.yaml; protected by the member SCP) in a member account."""
        if self.arns & {identity.issuer_arn or "", identity.arn or ""}:
            return True
        member = MEMBER_ROLE_ARN.fullmatch(identity.issuer_arn or "")
        return bool(member and self.home_account and member.group(1) != self.home_account)

    def impersonates(self, identity: UserIdentity) -> bool:
        """A role under the plane's path that is not one of the stack's: judged, and critical on a project resource."""
        return not self.is_plane(identity) and identity.is_under(self.role_path)

    def impersonation(self, principal: str | None, kind: str, name: str) -> Violation:
        """What an impostor's call on a project resource is reported as (the resource is judged like any other)."""
        return Violation(
            "plane-role-impersonation",
            Severity.CRITICAL,
            f"{principal} acted on {kind} {name} from a role under {self.role_path} that is not one of glueguard's "
            "own functions; the call was judged like anyone's (find who can create roles under that path)",
            enforce=False,
        )


def plane_principals(environ: Mapping[str, str] | None = None) -> PlanePrincipals:
    """The plane's exact role ARNs and role path from the environment the template sets."""
    environ = os.environ if environ is None else environ
    arns = frozenset(a.strip() for a in environ.get("GLUEGUARD_PLANE_PRINCIPALS", "").split(",") if a.strip())
    return PlanePrincipals(
        arns, environ.get("GLUEGUARD_PLANE_ROLE_PATH", "/glueguard/"), environ.get("GLUEGUARD_ACCOUNT_ID") or None
    )


class CloudTrailDetail(BaseModel):
    model_config = ConfigDict(extra="allow")
    eventID: str = Field(min_length=1)
    eventName: str = Field(min_length=1)
    eventSource: str = Field(min_length=1)
    eventTime: str | None = None
    awsRegion: str | None = Field(default=None, pattern=REGION_PATTERN)
    userIdentity: UserIdentity = Field(default_factory=UserIdentity)
    requestParameters: dict[str, Any] | None = None
    responseElements: dict[str, Any] | None = None
    errorCode: str | None = None
    errorMessage: str | None = None


ACCOUNT_PATTERN = r"^[0-9]{12}$"


class EventBridgeEnvelope(BaseModel):
    """The EventBridge envelope every event shares; subclasses type its `detail`."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    id: str = Field(min_length=1)
    source: str
    detail_type: str = Field(alias="detail-type")
    account: str | None = Field(default=None, pattern=ACCOUNT_PATTERN)
    region: str | None = Field(default=None, pattern=REGION_PATTERN)
    time: str | None = None


class CloudTrailEvent(EventBridgeEnvelope):
    """An EventBridge envelope around a CloudTrail record."""

    detail: CloudTrailDetail


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors(include_url=False)
    )


def parse_cloudtrail_event(event: Any) -> CloudTrailEvent:
    """Validate an EventBridge CloudTrail event; raise InvalidEventError naming what is wrong."""
    return parse_event(CloudTrailEvent, event, (CLOUDTRAIL_DETAIL_TYPE,))


# ---------------------------------------------------------------------------------- Glue and S3 events
GLUE_JOB_STATE_CHANGE = "Glue Job State Change"
GLUE_JOB_RUN_STATUS = "Glue Job Run Status"
S3_OBJECT_CREATED = "Object Created"
SCHEDULED_EVENT = "Scheduled Event"


class GlueJobDetail(BaseModel):
    model_config = ConfigDict(extra="allow")
    jobName: str = Field(min_length=1)
    jobRunId: str = Field(min_length=1)
    state: str = Field(min_length=1)
    severity: str | None = None
    message: str | None = None


class GlueJobEvent(EventBridgeEnvelope):
    """`Glue Job State Change` or `Glue Job Run Status` (FACTS.md 'Events')."""

    detail: GlueJobDetail


def parse_event(model: type[BaseModel], event: Any, detail_types: tuple[str, ...]) -> Any:
    event_id = event.get("id") if isinstance(event, dict) else None
    event_id = event_id if isinstance(event_id, str) else None
    if not isinstance(event, dict):
        raise InvalidEventError(f"expected a JSON object, got {type(event).__name__}")
    try:
        parsed = model.model_validate(event)
    except ValidationError as exc:
        raise InvalidEventError(_describe(exc), event_id) from None
    detail_type = parsed.detail_type  # type: ignore[attr-defined]
    if detail_type not in detail_types:
        expected = repr(detail_types[0]) if len(detail_types) == 1 else f"one of {list(detail_types)}"
        raise InvalidEventError(f"detail-type {detail_type!r} is not {expected}", event_id)
    return parsed


def parse_scheduled_event(event: Any) -> EventBridgeEnvelope:
    """Validate an EventBridge `Scheduled Event` (its envelope: id, account, region); InvalidEventError otherwise."""
    return parse_event(EventBridgeEnvelope, event, (SCHEDULED_EVENT,))


def parse_glue_job_event(event: Any) -> GlueJobEvent:
    """Validate a `Glue Job State Change` / `Glue Job Run Status` event; raise InvalidEventError otherwise."""
    return parse_event(GlueJobEvent, event, (GLUE_JOB_STATE_CHANGE, GLUE_JOB_RUN_STATUS))
