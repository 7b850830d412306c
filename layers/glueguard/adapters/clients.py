"""boto3 clients with the plane's retry configuration (adaptive mode: throttling and 5xx back off).

The one place clients are made. `client()` acts in the account the current event or request concerns:
the plane's own account, or a member account of the organization through that account's member role
(`/glueguard/glueguard-member`, one session per account per container, its credentials refreshed by
botocore before they expire). `plane_client()` always reaches the plane's own resources (tables, queues,
topics, reports). Handlers say which account they act in with `acting_in(account)`; rules, remediation
and the pipeline never know. Every call any of these clients sends is announced to `observers`
(`glueguard.adapters.calls.counting_calls` counts them per service).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

#: botocore's client config: `max_attempts` counts retries, so a call is tried at most 11 times.
RETRY_CONFIG = {"mode": "adaptive", "max_attempts": 10}
#: The role the central functions assume in member accounts (templates/member.yaml).
MEMBER_ROLE = "glueguard/glueguard-member"
MEMBER_BOUNDARY = "glueguard/glueguard-project-role-boundary"

_acting_account: ContextVar[str | None] = ContextVar("glueguard_acting_account", default=None)


@cache
def _config() -> Any:
    from botocore.config import Config

    # A copy: botocore rewrites the dict it is given (max_attempts -> total_max_attempts).
    return Config(retries=dict(RETRY_CONFIG), connect_timeout=5, read_timeout=30)


@cache
def _session() -> Any:
    import boto3

    return boto3.session.Session()


def _region(region: str | None) -> str | None:
    return region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")


def region_name() -> str:
    """The region the plane runs in (Lambda sets AWS_REGION)."""
    return _region(None) or "us-east-1"


def client(service: str, region: str | None = None) -> Any:
    """A cached boto3 client for `service` in the account being acted in (AWS_ENDPOINT_URL is honoured)."""
    account = _acting_account.get()
    if account is None or account == plane_account():
        return _cached_client(service, _region(region))
    return _member_client(account, service, _region(region) or "us-east-1")


def plane_client(service: str, region: str | None = None) -> Any:
    """A cached client for the plane's own resources, whatever account is being acted in."""
    return _cached_client(service, _region(region))


@contextmanager
def acting_in(account: str | None) -> Iterator[None]:
    """Make `client()` act in `account` (None or the plane's own account: the plane's credentials)."""
    token = _acting_account.set(account or None)
    try:
        yield
    finally:
        _acting_account.reset(token)


def acting_account() -> str:
    """The account `client()` acts in now."""
    return _acting_account.get() or plane_account()


@cache
def plane_account() -> str:
    """The account the plane runs in (GLUEGUARD_ACCOUNT_ID from the template, else asked of STS once)."""
    return os.environ.get("GLUEGUARD_ACCOUNT_ID") or str(
        _cached_client("sts", _region(None)).get_caller_identity()["Account"]
    )


@cache
def _cached_client(service: str, region: str | None) -> Any:
    return _observed(_session().client(service, region_name=region or "us-east-1", config=_config()))


def plane_resource(service: str) -> Any:
    """The plane's cached boto3 resource for `service` (its own account), with the plane's configuration."""
    return _cached_resource(service, _region(None))


@cache
def _cached_resource(service: str, region: str | None) -> Any:
    built = _session().resource(service, region_name=region or "us-east-1", config=_config())
    _observed(built.meta.client)
    return built


#: Called with the service id ("Glue", "DynamoDB", ...) before every call a plane client sends.
observers: list[Callable[[str], None]] = []


def _announce(model: Any, **_: Any) -> None:
    for observer in list(observers):
        observer(model.service_model.service_id)


def _observed(built: Any) -> Any:
    built.meta.events.register("before-call", _announce, unique_id="glueguard-observers")
    return built


def member_role_arn(account: str) -> str:
    partition = os.environ.get("GLUEGUARD_PARTITION", "aws")
    return f"arn:{partition}:iam::{account}:role/{MEMBER_ROLE}"


def member_boundary_arn(account: str) -> str:
    """The project roles' permissions boundary in a member account (templates/member.yaml ProjectRoleBoundary)."""
    partition = os.environ.get("GLUEGUARD_PARTITION", "aws")
    return f"arn:{partition}:iam::{account}:policy/{MEMBER_BOUNDARY}"


_member_sessions: dict[str, Any] = {}
_member_clients: dict[tuple[str, str, str], Any] = {}
_profiled_sessions: dict[tuple[str, str], Any] = {}
_profiled_clients: dict[tuple[str, str, str, str], Any] = {}

#: The IAM tag (here a session tag) that assigns a Glue usage profile to a principal.
USAGE_PROFILE_TAG = "glue:UsageProfile"


def _assume(role_arn: str, external_id: str | None, tags: dict[str, str] | None = None) -> dict[str, str]:
    params: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "glueguard")[:64],
    }
    if external_id:
        params["ExternalId"] = external_id
    if tags:
        params["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    creds = plane_client("sts").assume_role(**params)["Credentials"]
    return {
        "access_key": creds["AccessKeyId"],
        "secret_key": creds["SecretAccessKey"],
        "token": creds["SessionToken"],
        "expiry_time": creds["Expiration"].isoformat(),
    }


def _assume_member_role(account: str) -> dict[str, str]:
    return _assume(member_role_arn(account), os.environ.get("GLUEGUARD_MEMBER_EXTERNAL_ID"))


def _refreshable(assume: Callable[[], dict[str, str]]) -> Any:
    """A boto3 session on assumed-role credentials botocore refreshes (by assuming again) before they expire."""
    import boto3
    from botocore.credentials import RefreshableCredentials
    from botocore.session import get_session

    botocore_session = get_session()
    botocore_session._credentials = RefreshableCredentials.create_from_metadata(
        metadata=assume(), refresh_using=assume, method="sts-assume-role"
    )
    return boto3.session.Session(botocore_session=botocore_session)


def _member_session(account: str) -> Any:
    """One session per member account; botocore refreshes its assumed-role credentials before expiry."""
    session = _member_sessions.get(account)
    if session is None:
        session = _member_sessions[account] = _refreshable(lambda: _assume_member_role(account))
    return session


def _member_client(account: str, service: str, region: str) -> Any:
    key = (account, service, region)
    if key not in _member_clients:
        _member_clients[key] = _observed(_member_session(account).client(service, region_name=region, config=_config()))
    return _member_clients[key]


def client_as_profile(service: str, profile: str, region: str | None = None) -> Any:
    """A client whose calls carry Glue usage profile `profile` (a `glue:UsageProfile` session tag), in the account
    being acted in: the plane's job editor role there (GLUEGUARD_JOB_EDITOR_ROLE_ARN), the member role in a member.
    Glue assigns the caller's profile to a job it updates, and removes it when the caller has none ("Usage profiles
    and jobs"). Without a job editor role (the plane outside its stack) it is `client()`."""
    account, region = acting_account(), _region(region) or "us-east-1"
    if account == plane_account():
        role, external_id = os.environ.get("GLUEGUARD_JOB_EDITOR_ROLE_ARN"), None
    else:
        role, external_id = member_role_arn(account), os.environ.get("GLUEGUARD_MEMBER_EXTERNAL_ID")
    if not role:
        return client(service, region)
    key = (account, profile, service, region)
    if key not in _profiled_clients:
        session = _profiled_sessions.get((account, profile))
        if session is None:
            tags = {USAGE_PROFILE_TAG: profile}
            session = _profiled_sessions[(account, profile)] = _refreshable(lambda: _assume(role, external_id, tags))
        _profiled_clients[key] = _observed(session.client(service, region_name=region, config=_config()))
    return _profiled_clients[key]


def forget_member(account: str) -> None:
    """Drop the account's sessions: the next call assumes the member role again (the heartbeat's probe)."""
    _member_sessions.pop(account, None)
    for key in [k for k in _member_clients if k[0] == account]:
        del _member_clients[key]
    for key in [k for k in _profiled_sessions if k[0] == account]:
        del _profiled_sessions[key]
    for key in [k for k in _profiled_clients if k[0] == account]:
        del _profiled_clients[key]


def reset_clients() -> None:
    """Forget cached clients and member sessions (tests switch endpoints and credentials)."""
    _cached_client.cache_clear()
    _cached_resource.cache_clear()
    _session.cache_clear()
    _member_sessions.clear()
    _member_clients.clear()
    _profiled_sessions.clear()
    _profiled_clients.clear()
    plane_account.cache_clear()
