"""GetAccountAuthorizationDetails as IAM documents it (IAM API reference, ManagedPolicyDetail), where moto 5.2.5
falls short:
- IAM keeps every policy as a JSON document; moto stores the inline `Policies` of a CloudFormation AWS::IAM::Role
  as dicts, so GetAccountAuthorizationDetails (and GetRolePolicy) of a deployed role fail with a 500
  (`quote_from_bytes() expected bytes`). The backend model stores them as JSON text.
- Each entry of `Policies` carries `PolicyName` and `PolicyId`; moto leaves both out."""

from __future__ import annotations

import json
from typing import Any


def install() -> None:
    from moto.iam.models import ManagedPolicy, Role

    if not hasattr(ManagedPolicy, "PolicyName"):
        ManagedPolicy.PolicyName = property(lambda self: self.name)  # type: ignore[attr-defined]
        ManagedPolicy.PolicyId = property(lambda self: self.id)  # type: ignore[attr-defined]

    original = Role.put_policy
    if getattr(original, "_glueguard", False):
        return

    def put_policy(self: Role, policy_name: str, policy_json: Any) -> None:
        original(self, policy_name, policy_json if isinstance(policy_json, str) else json.dumps(policy_json))

    put_policy._glueguard = True  # type: ignore[attr-defined]
    Role.put_policy = put_policy  # type: ignore[method-assign]
