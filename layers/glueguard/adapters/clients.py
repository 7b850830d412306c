"""boto3 clients with the plane's retry configuration (adaptive mode: throttling and 5xx back off)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

#: botocore's client config: `max_attempts` counts retries, so a call is tried at most 11 times.
RETRY_CONFIG = {"mode": "adaptive", "max_attempts": 10}


@cache
def _config() -> Any:
    from botocore.config import Config

    # A copy: botocore rewrites the dict it is given (max_attempts -> total_max_attempts).
    return Config(retries=dict(RETRY_CONFIG), connect_timeout=5, read_timeout=30)


@cache
def _session() -> Any:
    import boto3

    return boto3.session.Session()


def client(service: str, region: str | None = None) -> Any:
    """A cached boto3 client for `service` (AWS_ENDPOINT_URL is honoured by botocore itself)."""
    return _cached_client(service, region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"))


@cache
def _cached_client(service: str, region: str | None) -> Any:
    return _session().client(service, region_name=region or "us-east-1", config=_config())


def reset_clients() -> None:
    """Forget cached clients (tests switch endpoints and credentials)."""
    _cached_client.cache_clear()
    _session.cache_clear()
