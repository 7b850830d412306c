"""AWS Organizations as AWS documents it, where moto 5.2.5 falls short.

- CreateAccount creates, in the new account, the role named by `RoleName` (default
  `OrganizationAccountAccessRole`) that trusts the management account *and grants full administrative
  access* (moto creates the role without permissions; Organizations user guide, "Accessing member
  accounts": the role "grants full administrative permissions in the member account").
- Accounts carry `State` only: `Account.Status` was retired on 2026-09-09 (Organizations API reference,
  "Account": "The Status parameter in the API response will be retired on September 9, 2026"), so
  DescribeAccount, ListAccounts and ListAccountsForParent answer without it (moto answers both).
- Resource and trust policies in other services ask which organization a principal belongs to
  (`aws:PrincipalOrgID`): `organization_id(account)` answers, `principal_matches` applies a policy's Principal.
"""

from __future__ import annotations

import json
from typing import Any

from moto.organizations.models import FakeAccount, OrganizationsBackend, organizations_backends

DEFAULT_ROLE = "OrganizationAccountAccessRole"
_original_create_account = OrganizationsBackend.create_account
_original_describe = FakeAccount.describe


def organization_id(account: str, partition: str = "aws") -> str | None:
    """The id of the organization `account` belongs to (management or member), or None."""
    master = organizations_backends.master_accounts.get(account, (account, partition))[0]
    org = organizations_backends[master][partition].org
    return str(org.id) if org is not None else None


def principal_matches(principal: Any, account: str, arns: tuple[str, ...] = ()) -> bool:
    """Whether a policy statement's Principal names the caller (its account, its root, or one of its ARNs)."""
    if principal == "*":
        return True
    values = principal.get("AWS", []) if isinstance(principal, dict) else principal
    values = values if isinstance(values, list) else [values]
    return any(v in ("*", account, f"arn:aws:iam::{account}:root", *arns) for v in map(str, values))


def grant_administrator_access(account: str, role_name: str = DEFAULT_ROLE) -> None:
    """moto creates the role with its trust policy but no permissions: give it AdministratorAccess's grant."""
    from moto.iam.models import iam_backends

    admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam_backends[account]["global"].put_role_policy(role_name, "AdministratorAccess", json.dumps(admin))


def create_account(self: OrganizationsBackend, **kwargs: Any) -> dict[str, Any]:
    status = _original_create_account(self, **kwargs)
    grant_administrator_access(status["CreateAccountStatus"]["AccountId"], kwargs.get("RoleName") or DEFAULT_ROLE)
    return status


def describe(self: FakeAccount) -> dict[str, Any]:
    """The account as the API answers it since 2026-09-09: `State`, no `Status`."""
    described = dict(_original_describe(self))
    described.pop("Status", None)
    return described


def install() -> None:
    OrganizationsBackend.create_account = create_account  # type: ignore[method-assign]
    FakeAccount.describe = describe  # type: ignore[method-assign]
