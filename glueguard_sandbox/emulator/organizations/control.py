"""The SCPs and RCPs that apply to a request, from the organization moto keeps (Organizations user guide, "SCP
evaluation", "RCP evaluation"): one list of policies per level, from the root through the OUs to the account;
none for an account outside an organization, for a policy type not enabled on the root, or for the management
account (SCPs and RCPs do not affect it)."""

from __future__ import annotations

import json
from typing import Any

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
#: the services whose resources RCPs apply to ("Resource control policies": supported services)
RCP_SERVICES = frozenset(
    {"s3", "sts", "kms", "sqs", "secretsmanager", "cognito-identity", "logs", "dynamodb", "ecr", "aoss"}
)


def _backend(account: str) -> Any:
    from moto.organizations.models import organizations_backends

    master = organizations_backends.master_accounts.get(account, (account, "aws"))[0]
    backend = organizations_backends[master]["aws"]
    return backend if backend.org is not None else None


def _enabled(root: Any, kind: str) -> bool:
    return any(t.get("Type") == kind and t.get("Status") == "ENABLED" for t in getattr(root, "policy_types", []))


def levels(account: str, kind: str) -> list[list[dict[str, Any]]]:
    """The `kind` policies attached to each level above and at `account` (root first)."""
    backend = _backend(account)
    if backend is None or account == backend.org.master_account_id:
        return []
    member = next((a for a in backend.accounts if a.id == account), None)
    root = next((ou for ou in backend.ou if ou.id == backend.org.root_id), None)
    if member is None or root is None or not _enabled(root, kind):
        return []
    path: list[Any] = [member]
    parent = member.parent_id
    while parent:
        node = next((ou for ou in backend.ou if ou.id == parent), None)
        if node is None:
            break
        path.append(node)
        parent = getattr(node, "parent_id", None)
    return [[json.loads(p.content) for p in node.attached_policies if p.type == kind] for node in reversed(path)]
