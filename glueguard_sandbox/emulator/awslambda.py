"""Lambda as AWS documents it where moto 5.2.5 differs:

- `Ref` of an AWS::Lambda::LayerVersion is its ARN (moto returns the model object, so function Layers could not
  be resolved).
- Reserved concurrency leaves the account's minimum unreserved: "You can reserve concurrency for as many functions
  as you like, as long as you leave at least 100 simultaneous executions unreserved for functions that aren't
  configured with a per-function limit" (Lambda API reference, PutFunctionConcurrency); an account whose limit is
  below 100 (new accounts start at 10) keeps all of it unreserved. PutFunctionConcurrency, CreateFunction and a
  template's `ReservedConcurrentExecutions` that would leave less are refused with InvalidParameterValueException
  (moto checks only PutFunctionConcurrency, only when MOTO_LAMBDA_CONCURRENCY_QUOTA is set).
"""

from __future__ import annotations

from typing import Any

from moto.awslambda.exceptions import InvalidParameterValueException
from moto.awslambda.models import LambdaBackend, LayerVersion

#: Unreserved concurrency an account keeps, at most (PutFunctionConcurrency).
MINIMUM_UNRESERVED = 100


def minimum_unreserved(account_concurrency: int) -> int:
    return min(MINIMUM_UNRESERVED, account_concurrency)


def check_reservation(backend: LambdaBackend, function_name: str, reserved: Any) -> None:
    """Refuse a reservation of `reserved` for `function_name` that leaves the account below its minimum."""
    from glueguard_sandbox.concurrency import reserved as reserved_of
    from glueguard_sandbox.concurrency import settings

    if reserved in (None, ""):
        return
    others = sum(reserved_of(f) or 0 for f in backend._lambdas.all() if f.function_name != function_name)
    minimum = minimum_unreserved(settings.account_concurrency)
    if settings.account_concurrency - others - int(reserved) < minimum:
        raise InvalidParameterValueException(
            "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
            f"below its minimum value of [{minimum}]."
        )


def _put_function_concurrency(self: LambdaBackend, function_name: str, reserved_concurrency: str) -> str:
    fn = self.get_function(function_name)
    check_reservation(self, fn.function_name, reserved_concurrency)
    fn.reserved_concurrency = reserved_concurrency
    return fn.reserved_concurrency


def _create_function(original: Any) -> Any:
    def create_function(self: LambdaBackend, spec: dict[str, Any]) -> Any:
        check_reservation(self, spec.get("FunctionName") or "", spec.get("ReservedConcurrentExecutions"))
        return original(self, spec)

    return create_function


def install() -> None:
    LayerVersion.physical_resource_id = property(lambda self: self.arn)  # type: ignore[attr-defined]
    LambdaBackend.put_function_concurrency = _put_function_concurrency  # type: ignore[method-assign]
    LambdaBackend.create_function = _create_function(LambdaBackend.create_function)  # type: ignore[method-assign]
