"""Step Functions under CloudFormation, as AWS documents it.

DefinitionSubstitutions are applied: each `${key}` of the definition is replaced by its (resolved)
value. moto ignores the property, and its Fn::Sub cannot stand in (it turns the ASL context object
`$$` into `$`).

State machines a stack creates are the ones the API executes.
With `execute_state_machine` on, moto's API serves a separate (executing) backend, while its
CloudFormation support keeps writing to the plain one: a stack's state machine then "does not exist"
for StartExecution. CloudFormation's view of the backends is made to follow the same switch.
"""

from __future__ import annotations

from typing import Any

import moto.stepfunctions.models as models


class _ConfiguredBackends:
    """`stepfunctions_backends` as the API picks it (the executing backend when configured)."""

    def __init__(self, plain: Any) -> None:
        self._plain = plain

    def _current(self) -> Any:
        from moto.core.config import default_user_config

        if default_user_config.get("stepfunctions", {}).get("execute_state_machine", False):
            from moto.stepfunctions.parser.models import stepfunctions_parser_backends

            return stepfunctions_parser_backends
        return self._plain

    def __getitem__(self, account_id: str) -> Any:
        return self._current()[account_id]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._current(), name)


def _create_with_substitutions(original: Any) -> Any:
    def create_from_cloudformation_json(
        cls: Any, resource_name: str, cloudformation_json: Any, *args: Any, **kwargs: Any
    ) -> Any:
        properties = cloudformation_json.get("Properties", {})
        definition = properties.get("DefinitionString")
        if isinstance(definition, dict | list):
            import json

            definition = json.dumps(definition)
        for key, value in (properties.pop("DefinitionSubstitutions", None) or {}).items():
            definition = definition.replace("${" + key + "}", str(value))
        if definition is not None:
            properties["DefinitionString"] = definition
        return original.__func__(cls, resource_name, cloudformation_json, *args, **kwargs)

    return classmethod(create_from_cloudformation_json)


def _lambda_error_names() -> None:
    """A Lambda task whose Invoke call fails (a 429 throttle, ...) fails with `Lambda.<error code>`, as Step
    Functions names it ("Handling errors in Step Functions workflows": Lambda.TooManyRequestsException), so the
    state's Retry can match it; moto 5.2.5 names every such error `Exception`."""
    from botocore.exceptions import ClientError
    from moto.stepfunctions.parser.api import HistoryEventType, LambdaFunctionFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda import StateTaskLambda
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    original = StateTaskLambda._from_error

    def _from_error(self: Any, env: Any, ex: Exception) -> Any:
        if not isinstance(ex, ClientError):
            return original(self, env, ex)
        error, cause = f"Lambda.{ex.response['Error']['Code']}", ex.response["Error"]["Message"]
        details = LambdaFunctionFailedEventDetails(error=error, cause=cause)
        return FailureEvent(
            env=env,
            error_name=CustomErrorName(error),
            event_type=HistoryEventType.LambdaFunctionFailed,
            event_details=EventDetails(lambdaFunctionFailedEventDetails=details),
        )

    StateTaskLambda._from_error = _from_error  # type: ignore[method-assign]


def install() -> None:
    models.StateMachine.create_from_cloudformation_json = _create_with_substitutions(  # type: ignore[method-assign]
        models.StateMachine.create_from_cloudformation_json
    )
    _lambda_error_names()
    if not isinstance(models.stepfunctions_backends, _ConfiguredBackends):
        models.stepfunctions_backends = _ConfiguredBackends(models.stepfunctions_backends)  # type: ignore[assignment]


# ------------------------------------------------------------------------------- execution role
_PARSER = "moto.stepfunctions.parser.asl"
#: every module of moto's ASL interpreter that makes AWS calls for a state (it imported boto_client_for)
_CALLERS = (
    "component.state.exec.state_task.lambda_eval_utils",
    *(
        f"component.state.exec.state_task.service.state_task_service_{name}"
        for name in ("unsupported", "glue", "events", "ecs", "sqs", "sfn", "dynamodb", "batch", "sns", "aws_sdk")
    ),
    "component.state.exec.state_map.result_writer.resource_eval.resource_eval_s3",
    "component.state.exec.state_map.item_reader.eval.resource_eval_s3",
)
_sessions: dict[str, tuple[float, Any]] = {}


def role_session(role_arn: str) -> dict[str, str]:
    """Credentials of the state machine's role, as Step Functions assumes it for its tasks (its trust policy
    must let states.amazonaws.com assume it); cached until shortly before they expire."""
    import time

    from glueguard_sandbox.emulator.iam.models import service_session

    cached = _sessions.get(role_arn)
    if cached and cached[0] > time.time():  # the sandbox's clock: its sessions expire on it (ExpiredToken)
        return cached[1]
    session = service_session(
        role_arn, "states.amazonaws.com", session_name=f"StatesExecution-{abs(hash(role_arn)) % 10**8:08d}"
    )
    _sessions[role_arn] = (time.time() + 3000, session)  # of the session's 3600 s
    return session


def _client_with_role(original: Any) -> Any:
    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        client = original(region, service, state_credentials)
        role_arn = getattr(state_credentials, "role_arn", None)
        if not role_arn:
            return client
        import boto3

        session = role_session(role_arn)
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=client.meta.endpoint_url,
            aws_access_key_id=session["AccessKeyId"],
            aws_secret_access_key=session["SecretAccessKey"],
            aws_session_token=session["SessionToken"],
            config=client.meta.config,
        )

    boto_client_for.glueguard = True  # type: ignore[attr-defined]
    return boto_client_for


def install_execution_roles() -> None:
    """Tasks call AWS with the credentials of the execution's role (or the state's Credentials.RoleArn)."""
    import importlib

    for name in _CALLERS:
        module = importlib.import_module(f"{_PARSER}.{name}")
        current = getattr(module, "boto_client_for", None)
        if current is not None and not getattr(current, "glueguard", False):
            module.boto_client_for = _client_with_role(current)  # type: ignore[attr-defined]
