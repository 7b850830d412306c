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


def install() -> None:
    models.StateMachine.create_from_cloudformation_json = _create_with_substitutions(  # type: ignore[method-assign]
        models.StateMachine.create_from_cloudformation_json
    )
    if not isinstance(models.stepfunctions_backends, _ConfiguredBackends):
        models.stepfunctions_backends = _ConfiguredBackends(models.stepfunctions_backends)  # type: ignore[assignment]
