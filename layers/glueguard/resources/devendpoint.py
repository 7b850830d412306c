"""Glue development endpoints: GetDevEndpoint to read. UpdateDevEndpoint cannot change the role, subnet or
security groups, so an endpoint that breaks them is removed after its definition is saved."""

from __future__ import annotations

from typing import Any, ClassVar

from glueguard.models.resource import Resource
from glueguard.remediation.plan import Action
from glueguard.resources.base import ResourceKind, register_kind, request_from


class DevEndpointKind(ResourceKind):
    kind: ClassVar[str] = "devendpoint"
    arn_type: ClassVar[str] = "devEndpoint"
    events: ClassVar[dict[str, str]] = {"CreateDevEndpoint": "endpointName", "UpdateDevEndpoint": "endpointName"}
    list_operation: ClassVar[str | None] = "get_dev_endpoints"
    list_result_key: ClassVar[str] = "DevEndpoints"
    list_name_field: ClassVar[str] = "EndpointName"
    list_page_size: ClassVar[int | None] = 1000

    def read(self, glue: Any, name: str, arn: str) -> Resource | None:
        return self._read(glue, name, arn, lambda: glue.get_dev_endpoint(EndpointName=name)["DevEndpoint"])

    def update_action(self, current: Resource, definition: dict[str, Any]) -> None:
        return None  # nothing the rules correct is updatable in place

    def delete_action(self, current: Resource) -> Action:
        return Action("glue", "delete_dev_endpoint", {"EndpointName": current.name}, "remove")

    def create_request(self, definition: dict[str, Any], name: str, tags: dict[str, str]) -> dict[str, Any]:
        request = request_from(definition, "CreateDevEndpointRequest", drop=frozenset({"EndpointName", "Tags"}))
        if request.get("PublicKeys"):
            request.pop("PublicKey", None)  # Glue takes one or the other
        if request.get("WorkerType"):
            request.pop("NumberOfNodes", None)
        return {"EndpointName": name, **request, "Tags": tags}


register_kind(DevEndpointKind())
