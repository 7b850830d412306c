"""The scaffold every handler shares: what it builds once per container, lazily (so a cold start pays only
for what its first event uses; `make bench`: cold start), Powertools idempotency on a key of its input when
it needs one, and one `reset()` for tests that switch tables and endpoints.

The idempotency table is reached through the plane's cached DynamoDB client, so it shares the plane's retry
configuration; the utility (and boto3 behind it) is imported with the first event that needs it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

T = TypeVar("T")
_UNSET: Any = object()


class Lazy(Generic[T]):
    """A value built by `build()` on first use and kept for the container's life."""

    _every: ClassVar[list[Lazy[Any]]] = []

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T = _UNSET
        self.__doc__ = build.__doc__
        Lazy._every.append(self)

    def __call__(self) -> T:
        if self._value is _UNSET:
            self._value = self._build()
        return self._value

    def reset(self) -> None:
        self._value = _UNSET


class Component(Lazy[T]):
    """A handler's component (enforcer, guard, starter): built once per container, and given the current
    policy (read again every GLUEGUARD_POLICY_TTL_SECONDS) each time it is used."""

    def __call__(self) -> T:
        from glueguard.policy.settings import current_policy

        built = super().__call__()
        built.policy = current_policy()  # type: ignore[attr-defined]
        return built


def reset() -> None:
    """Forget everything every handler built and the policy read (a new container, as far as code can tell)."""
    from glueguard.policy.settings import reset_policy_cache

    for lazy in Lazy._every:
        lazy.reset()
    reset_policy_cache()


class Idempotent:
    """`function` made idempotent on `key` (a JMESPath into its `keyword` argument) with Powertools, for
    `expires_seconds`; the utility is built with the first call."""

    def __init__(self, function: Callable[..., Any], *, keyword: str, key: str, expires_seconds: int) -> None:
        self._config = Lazy(lambda: _config(key, expires_seconds))
        self._wrapped = Lazy(lambda: _wrap(function, keyword, self._config()))

    def register(self, context: Any) -> None:
        """Tell the utility the invocation's remaining time (records in progress expire with it)."""
        self._config().register_lambda_context(context)

    def __call__(self, **kwargs: Any) -> Any:
        return self._wrapped()(**kwargs)


@Lazy
def _persistence() -> Any:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from glueguard.adapters.clients import plane_client

    return DynamoDBPersistenceLayer(
        table_name=os.environ["GLUEGUARD_IDEMPOTENCY_TABLE"], boto3_client=plane_client("dynamodb")
    )


def _config(key: str, expires_seconds: int) -> Any:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(event_key_jmespath=key, expires_after_seconds=expires_seconds)


def _wrap(function: Callable[..., Any], keyword: str, config: Any) -> Any:
    from aws_lambda_powertools.utilities.idempotency import idempotent_function

    return idempotent_function(data_keyword_argument=keyword, config=config, persistence_store=_persistence())(function)
