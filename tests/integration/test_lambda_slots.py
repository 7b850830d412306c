"""Lambda's concurrency accounting in the sandbox (glueguard_sandbox/concurrency.py) over moto's functions:
reserved concurrency, the account's unreserved pool, warm reuse and expired environments."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.awslambda.models import lambda_backends

from glueguard_sandbox import concurrency
from glueguard_sandbox.concurrency import Slots, Throttled


class Environment:
    def __init__(self, expires: float = float("inf")) -> None:
        self.expires = expires
        self.last_used = 0.0
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


@pytest.fixture
def functions(aws: dict[str, str]) -> Iterator[Any]:
    """Three functions: `reserved` (2 reserved executions), `pinned` (1) and `shared` (none)."""
    iam = boto3.client("iam")
    trust = {
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    awslambda = boto3.client("lambda")
    for name, reserved in (("reserved", 2), ("pinned", 1), ("shared", None)):
        awslambda.create_function(
            FunctionName=name, Runtime="python3.13", Role=role, Handler="app.handler", Code={"ZipFile": code.getvalue()}
        )
        if reserved:
            awslambda.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)
    saved = concurrency.settings.account_concurrency
    yield lambda name: lambda_backends["123456789012"]["us-east-1"].get_function(name)
    concurrency.settings.account_concurrency = saved


def test_reserved_concurrency_bounds_the_function_and_a_released_environment_is_reused(functions):
    fn, slots = functions("reserved"), Slots()
    assert slots.acquire(fn, "k") is None and slots.acquire(fn, "k") is None  # two cold starts
    with pytest.raises(Throttled) as third:
        slots.acquire(fn, "k")
    assert third.value.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"

    warm = Environment()
    slots.release(fn, "k", warm)
    assert slots.acquire(fn, "k") is warm and slots.in_flight(fn) == 2
    assert slots.acquire(functions("shared"), "other") is None  # another function's reservation is not touched


def test_unreserved_functions_share_the_account_limit_less_every_reservation(functions):
    concurrency.settings.account_concurrency = 5  # 2 + 1 reserved: 2 left for every other function
    shared, slots = functions("shared"), Slots()
    slots.acquire(shared, "k")
    slots.acquire(shared, "k")
    with pytest.raises(Throttled) as refused:
        slots.acquire(shared, "k")
    assert refused.value.reason == "ConcurrentInvocationLimitExceeded"
    slots.release(shared, "k", None)  # an environment that ended frees its slot too
    assert slots.acquire(shared, "k") is None


def test_an_environment_whose_session_ended_is_stopped_not_reused(functions):
    fn, slots = functions("pinned"), Slots()
    slots.acquire(fn, "k")
    expired = Environment(expires=time.time() - 1)
    slots.release(fn, "k", expired)
    assert slots.acquire(fn, "k") is None and expired.stopped


def _refusal(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


def test_a_reservation_must_leave_100_unreserved_executions_in_the_account(functions):
    """Lambda API reference, PutFunctionConcurrency: "as long as you leave at least 100 simultaneous executions
    unreserved". 1000 less the fixture's 3 reserved: 897 more leaves exactly 100, 898 leaves 99."""
    awslambda = boto3.client("lambda")
    awslambda.put_function_concurrency(FunctionName="shared", ReservedConcurrentExecutions=897)
    with pytest.raises(ClientError) as refused:
        awslambda.put_function_concurrency(FunctionName="shared", ReservedConcurrentExecutions=898)
    assert _refusal(refused) == (
        "InvalidParameterValueException",
        "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
        "below its minimum value of [100].",
    )
    assert awslambda.get_function_concurrency(FunctionName="shared")["ReservedConcurrentExecutions"] == 897


def test_an_account_under_100_keeps_all_of_it_unreserved_even_in_a_template(functions):
    """A new account's limit (10, or the e2e sandboxes' former 50) leaves nothing to reserve: PutFunctionConcurrency
    and a stack's ReservedConcurrentExecutions are refused (CreateFunction takes no reservation: botocore's model)."""
    concurrency.settings.account_concurrency = 50
    awslambda = boto3.client("lambda")
    role = boto3.client("iam").get_role(RoleName="fn")["Role"]["Arn"]
    spec = {"Runtime": "python3.13", "Role": role, "Handler": "app.handler", "Code": {"ZipFile": b"x"}}
    with pytest.raises(ClientError) as refused:
        awslambda.put_function_concurrency(FunctionName="shared", ReservedConcurrentExecutions=1)
    assert _refusal(refused)[1].endswith("below its minimum value of [50].")
    cloudformation = boto3.client("cloudformation")
    template = {
        "Resources": {
            "Sweep": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "ReservedConcurrentExecutions": 1,
                    "Code": {"ZipFile": "x"},
                    **{k: v for k, v in spec.items() if k != "Code"},
                },
            }
        }
    }
    with pytest.raises(Exception, match=r"below its minimum value of \[50\]"):  # moto raises, AWS rolls back
        cloudformation.create_stack(StackName="small-account", TemplateBody=json.dumps(template))
    assert "Sweep" not in str(boto3.client("lambda").list_functions()["Functions"])
