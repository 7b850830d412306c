"""The AWS calls project provisioning makes that moto 5.2.5 lacks or answers unlike AWS:

- Glue DeleteConnection (missing): removes the connection and its tags; EntityNotFoundException if absent.
- S3 GetBucketNotificationConfiguration: moto drops `EventBridgeConfiguration`; AWS returns it (an empty
  object) once EventBridge delivery is on.
- S3 bucket policies: moto applies a statement whatever its Condition, so a TLS-only policy (Deny when
  aws:SecureTransport is false or s3:TlsVersion < 1.2) denies everything. AWS endpoints are HTTPS (TLS 1.2+),
  and the emulator stands in for them: statements conditioned only on the transport are evaluated as for a
  TLS 1.2 request; statements with other conditions are left to moto.
- Budgets UpdateBudget (missing): replaces the budget (name fixed; NotFoundException if absent);
  CreateBudget's `ResourceTags` (ignored by moto) are kept; TagResource, UntagResource and
  ListTagsForResource on `arn:aws:budgets::ACCOUNT:budget/NAME` (missing).

Backend models first (functions taking the backend), then the wire responses.
"""

from __future__ import annotations

import json
from typing import Any

from moto.budgets.exceptions import NotFoundException
from moto.budgets.models import Budget, BudgetsBackend
from moto.budgets.responses import BudgetsResponse
from moto.core.responses import EmptyResult
from moto.glue.exceptions import EntityNotFoundException
from moto.glue.models import GlueBackend
from moto.glue.responses import GlueResponse
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response

#: The request context every emulated call has: AWS's endpoints are HTTPS with TLS 1.2 or newer.
TRANSPORT = {"aws:securetransport": "true", "s3:tlsversion": "1.2"}


# ------------------------------------------------------------------------------- backend models
def delete_connection(backend: GlueBackend, name: str) -> None:
    connection = backend.connections.pop(name, None)
    if connection is None:
        raise EntityNotFoundException(f"Connection {name} not found")
    backend.tagger.delete_all_tags_for_resource(connection.arn)


def _transport_condition_holds(condition: dict[str, Any]) -> bool | None:
    """Evaluate a Condition block that tests only the transport; None if it tests anything else."""
    results: list[bool] = []
    for operator, tests in condition.items():
        for key, expected in tests.items():
            actual = TRANSPORT.get(key.lower())
            if actual is None:
                return None
            values = [str(v).lower() for v in (expected if isinstance(expected, list) else [expected])]
            if operator == "Bool":
                results.append(actual in values)
            elif operator.startswith("Numeric"):
                compare = {
                    "NumericLessThan": float.__lt__,
                    "NumericLessThanEquals": float.__le__,
                    "NumericGreaterThan": float.__gt__,
                    "NumericGreaterThanEquals": float.__ge__,
                    "NumericEquals": float.__eq__,
                    "NumericNotEquals": float.__ne__,
                }.get(operator)
                if compare is None:
                    return None
                results.append(any(compare(float(actual), float(v)) for v in values))
            else:
                return None
    return all(results)


def bucket_policy_for_request(policy: dict[str, Any]) -> dict[str, Any]:
    """The bucket policy as it applies to an emulated (TLS 1.2) request."""
    statements = policy.get("Statement", [])
    kept = []
    for statement in statements if isinstance(statements, list) else [statements]:
        condition = statement.get("Condition")
        if condition:
            holds = _transport_condition_holds(condition)
            if holds is False:
                continue
            if holds is True:
                statement = {k: v for k, v in statement.items() if k != "Condition"}
        kept.append(statement)
    return {**policy, "Statement": kept}


def _budget_arn(backend: BudgetsBackend, account_id: str, name: str) -> str:
    return f"arn:{backend.partition}:budgets::{account_id}:budget/{name}"


def _tags(backend: BudgetsBackend) -> dict[str, dict[str, str]]:
    if not hasattr(backend, "glueguard_tags"):
        backend.glueguard_tags = {}  # type: ignore[attr-defined]
    return backend.glueguard_tags  # type: ignore[attr-defined,no-any-return]


def update_budget(backend: BudgetsBackend, account_id: str, new_budget: dict[str, Any]) -> None:
    name = new_budget["BudgetName"]
    current = backend.budgets[account_id].get(name)
    if current is None:
        raise NotFoundException(f"Unable to update budget: {name} - the budget doesn't exist.")
    replacement = Budget(dict(new_budget), [])
    replacement.notifications = current.notifications
    backend.budgets[account_id][name] = replacement


def _require_budget(backend: BudgetsBackend, arn: str) -> None:
    account_id, _, name = arn.split(":", 4)[4].partition(":budget/")
    if name not in backend.budgets.get(account_id, {}):
        raise NotFoundException(f"Unable to find resource {arn}")


def tag_budget(backend: BudgetsBackend, arn: str, tags: list[dict[str, str]]) -> None:
    _require_budget(backend, arn)
    _tags(backend).setdefault(arn, {}).update({t["Key"]: t["Value"] for t in tags})


def untag_budget(backend: BudgetsBackend, arn: str, keys: list[str]) -> None:
    _require_budget(backend, arn)
    for key in keys:
        _tags(backend).get(arn, {}).pop(key, None)


def budget_tags(backend: BudgetsBackend, arn: str) -> list[dict[str, str]]:
    _require_budget(backend, arn)
    return [{"Key": k, "Value": v} for k, v in _tags(backend).get(arn, {}).items()]


# ------------------------------------------------------------------------------- wire responses
def _response_delete_connection(self: GlueResponse) -> EmptyResult:
    delete_connection(self.glue_backend, self._get_param("ConnectionName"))
    return EmptyResult()


def _response_update_budget(self: BudgetsResponse) -> str:
    update_budget(self.backend, self._get_param("AccountId"), self._get_param("NewBudget"))
    return json.dumps({})


def _response_tag_resource(self: BudgetsResponse) -> str:
    tag_budget(self.backend, self._get_param("ResourceARN"), self._get_param("ResourceTags", []))
    return json.dumps({})


def _response_untag_resource(self: BudgetsResponse) -> str:
    untag_budget(self.backend, self._get_param("ResourceARN"), self._get_param("ResourceTagKeys", []))
    return json.dumps({})


def _response_list_tags_for_resource(self: BudgetsResponse) -> str:
    return json.dumps({"ResourceTags": budget_tags(self.backend, self._get_param("ResourceARN"))})


def _with_create_tags(original: Any) -> Any:
    def create_budget(self: BudgetsResponse) -> str:
        result = original(self)
        tags = self._get_param("ResourceTags") or []
        if tags:
            name = self._get_param("Budget")["BudgetName"]
            tag_budget(self.backend, _budget_arn(self.backend, self._get_param("AccountId"), name), tags)
        return str(result)

    return create_budget


def _with_delete_tags(original: Any) -> Any:
    def delete_budget(self: BudgetsResponse) -> str:
        result = original(self)
        arn = _budget_arn(self.backend, self._get_param("AccountId"), self._get_param("BudgetName"))
        _tags(self.backend).pop(arn, None)
        return str(result)

    return delete_budget


def _with_event_bridge(original: Any) -> Any:
    def get_bucket_notification(self: S3Response) -> Any:
        config = self.backend.get_bucket_notification_configuration(self.bucket_name)
        if config is None or config.event_bridge is None:
            return original(self)
        status, headers, body = original(self)
        text = body.decode() if isinstance(body, bytes) else str(body)
        if "<EventBridgeConfiguration" not in text:
            closing = "</NotificationConfiguration>"
            if closing in text:
                text = text.replace(closing, f"<EventBridgeConfiguration/>{closing}")
            else:  # an empty configuration is answered as a self-closed element
                text = text.replace("/>", "><EventBridgeConfiguration/></NotificationConfiguration>", 1)
        return status, headers, text.encode()

    return get_bucket_notification


def _bucket_get_permission(self: FakeBucket, action: str, resource: str) -> Any:
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if self.policy is None:
        return PermissionResult.NEUTRAL
    raw = self.policy.decode() if isinstance(self.policy, bytes) else str(self.policy)
    effective = bucket_policy_for_request(json.loads(raw))
    if not effective["Statement"]:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps(effective)).is_action_permitted(action, resource)


def install() -> None:
    FakeBucket.get_permission = _bucket_get_permission  # type: ignore[method-assign]
    GlueBackend.delete_connection = delete_connection  # type: ignore[attr-defined]
    GlueResponse.delete_connection = _response_delete_connection  # type: ignore[attr-defined]
    BudgetsResponse.update_budget = _response_update_budget  # type: ignore[attr-defined]
    BudgetsResponse.tag_resource = _response_tag_resource  # type: ignore[attr-defined]
    BudgetsResponse.untag_resource = _response_untag_resource  # type: ignore[attr-defined]
    BudgetsResponse.list_tags_for_resource = _response_list_tags_for_resource  # type: ignore[attr-defined]
    BudgetsResponse.create_budget = _with_create_tags(BudgetsResponse.create_budget)  # type: ignore[method-assign]
    BudgetsResponse.delete_budget = _with_delete_tags(BudgetsResponse.delete_budget)  # type: ignore[method-assign]
    S3Response.get_bucket_notification = _with_event_bridge(S3Response.get_bucket_notification)  # type: ignore[method-assign]
