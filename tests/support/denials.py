"""The assertion every IAM isolation test shares: a call is refused by IAM, in AWS's words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

#: The codes an IAM denial carries: AccessDenied (query/rest-xml services), AccessDeniedException (JSON services),
#: AuthorizationError (SNS), UnauthorizedOperation (EC2).
DENIAL_CODES = ("AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation")


def denied(call: Callable[..., Any], *args: Any, because: str = "", **kwargs: Any) -> str:
    """`call(*args, **kwargs)` is refused by IAM (for the action `because`, when given); returns the message."""
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    error = caught.value.response["Error"]
    assert error["Code"] in DENIAL_CODES, caught.value
    assert "is not authorized to perform" in error["Message"], error["Message"]
    assert not because or f"perform: {because} " in error["Message"], error["Message"]
    return error["Message"]
