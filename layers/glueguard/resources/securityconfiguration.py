"""Glue security configurations: immutable and untaggable; read with GetSecurityConfiguration."""

from __future__ import annotations

from typing import Any, ClassVar

from glueguard.models.resource import Resource
from glueguard.remediation.plan import Action
from glueguard.resources.base import ResourceKind, register_kind


class SecurityConfigurationKind(ResourceKind):
    kind: ClassVar[str] = "securityconfiguration"
    arn_type: ClassVar[str] = "securityConfiguration"
    taggable: ClassVar[bool] = False
    events: ClassVar[dict[str, str]] = {"CreateSecurityConfiguration": "name"}
    list_operation: ClassVar[str | None] = "get_security_configurations"
    list_result_key: ClassVar[str] = "SecurityConfigurations"
    list_page_size: ClassVar[int | None] = 1000

    def read(self, glue: Any, name: str, arn: str) -> Resource | None:
        return self._read(glue, name, arn, lambda: glue.get_security_configuration(Name=name)["SecurityConfiguration"])

    def update_action(self, current: Resource, definition: dict[str, Any]) -> None:
        return None  # Glue has no UpdateSecurityConfiguration

    def delete_action(self, current: Resource) -> Action:
        return Action("glue", "delete_security_configuration", {"Name": current.name}, "remove")

    def create_request(self, definition: dict[str, Any], name: str, tags: dict[str, str]) -> dict[str, Any]:
        return {"Name": name, "EncryptionConfiguration": definition.get("EncryptionConfiguration") or {}}


register_kind(SecurityConfigurationKind())
