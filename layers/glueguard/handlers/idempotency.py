"""Powertools idempotency for the handlers, built on first use: the utility imports boto3, and a cold start
should pay only for what its first event needs (`make bench`: cold start). The table is reached through the
plane's cached DynamoDB client, so it shares the plane's retry configuration."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from typing import Any


@cache
def persistence() -> Any:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from glueguard.adapters.clients import plane_client

    return DynamoDBPersistenceLayer(
        table_name=os.environ["GLUEGUARD_IDEMPOTENCY_TABLE"], boto3_client=plane_client("dynamodb")
    )


def config(event_key_jmespath: str, expires_after_seconds: int) -> Any:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(event_key_jmespath=event_key_jmespath, expires_after_seconds=expires_after_seconds)


def idempotent(function: Callable[..., Any], data_keyword_argument: str, idempotency_config: Any) -> Any:
    """`function` made idempotent on its `data_keyword_argument` (Powertools idempotent_function)."""
    from aws_lambda_powertools.utilities.idempotency import idempotent_function

    return idempotent_function(
        data_keyword_argument=data_keyword_argument, config=idempotency_config, persistence_store=persistence()
    )(function)


def reset() -> None:
    persistence.cache_clear()
