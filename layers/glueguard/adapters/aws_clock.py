"""The time of the AWS endpoint the plane talks to: the HTTP `Date` of its responses.

On AWS that is AWS's clock (the wall clock); pointed at the sandbox it is the sandbox's one clock (which
`glueguard sandbox tick` moves). Operator commands that compute times (an override's end, a report's window) read
it, so they follow the clock of the deployment they act on, not the machine they run on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any


def response_time(response: Mapping[str, Any]) -> datetime | None:
    """When the endpoint sent a boto3 response (its `Date` header, to the second, UTC); None without one."""
    date = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    if not date:
        return None
    try:
        return parsedate_to_datetime(date).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def endpoint_now(caller_identity: Mapping[str, Any] | None = None) -> datetime:
    """The endpoint's now: the Date of STS GetCallerIdentity (`caller_identity`, when already called); the local
    clock if the response carries no Date."""
    if caller_identity is None:
        from glueguard.adapters.clients import client

        caller_identity = client("sts").get_caller_identity()
    return response_time(caller_identity) or datetime.now(UTC)
