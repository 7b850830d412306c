"""IAM Identity Center as AWS documents it, where moto 5.2.5 keeps only the records (sso-admin, identitystore).

- An account assignment of a permission set makes, in the target account, the role
  `/aws-reserved/sso.amazonaws.com/AWSReservedSSO_<permission set name>_<16 hex>` carrying the permission set's
  inline policy, AWS managed policies and customer managed policy references (each the policy of that name and
  path in the target account; one that does not exist there fails the assignment). ProvisionPermissionSet
  brings those roles in step with the permission set; deleting the last assignment of a permission set in an
  account deletes its role ("Permission sets", "Customer managed policies", "Referencing permission sets in
  resource policies ... AWSReservedSSO_" in the IAM Identity Center user guide).
- Those roles are AWS's: IAM refuses to attach, detach, put or delete policies on them, to tag or untag them, to
  change their trust or boundary, or to delete them (`UnmodifiableEntity`: "Cannot perform the operation on the
  protected role ... - this role is only modifiable by AWS"); only Identity Center itself changes them.
- `sign_in(...)` gives the session a user of the identity store gets for a permission set in an account: refused
  unless the user, or a group it belongs to, is assigned that permission set there (what the AWS access portal
  checks). The session is of the reserved role, its name the user's (as AWS names it).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from moto.ssoadmin.models import SSOAdminBackend

SSO_PATH = "/aws-reserved/sso.amazonaws.com/"
_originals: dict[str, Any] = {}


def role_name(permission_set: Any, account: str) -> str:
    digest = hashlib.sha256(f"{permission_set.permission_set_arn}|{account}".encode()).hexdigest()[:16]
    return f"AWSReservedSSO_{permission_set.name}_{digest}"


def _iam(account: str) -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[account]["aws"]


def _trust(account: str) -> str:
    provider = f"arn:aws:iam::{account}:saml-provider/AWSSSO_sandbox_DO_NOT_DELETE"
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _wanted(permission_set: Any, account: str) -> list[str]:
    """The managed policy ARNs the permission set's role carries in `account` (a missing reference fails)."""
    from moto.ssoadmin.exceptions import ResourceNotFoundException

    iam = _iam(account)
    arns = [str(p.arn) for p in permission_set.managed_policies]
    for reference in permission_set.customer_managed_policies:
        arn = f"arn:aws:iam::{account}:policy{reference.path}{reference.name}"
        if not any(p.arn == arn for p in iam.managed_policies.values()):
            raise ResourceNotFoundException(
                message=f"customer managed policy {reference.path}{reference.name} does not exist in account {account}"
            )
        arns.append(arn)
    return arns


def materialize(permission_set: Any, account: str) -> str:
    """Create or bring in step the permission set's role in `account`; its ARN."""
    iam = _iam(account)
    name = role_name(permission_set, account)
    wanted = _wanted(permission_set, account)
    role = next((r for r in iam.roles.values() if r.name == name), None)
    if role is None:
        role = iam.create_role(
            role_name=name,
            assume_role_policy_document=_trust(account),
            path=SSO_PATH,
            permissions_boundary=None,
            description=f"IAM Identity Center permission set {permission_set.name}",
            tags=[],
            max_session_duration="3600",
            linked_service=None,
        )
    policies = {p.arn: p for p in iam.managed_policies.values()}
    for arn in set(role.managed_policies) - set(wanted):
        policies[arn].detach_from(role)
    for arn in set(wanted) - set(role.managed_policies):
        policies[arn].attach_to(role)
    for policy_name in list(role.policies):
        role.delete_policy(policy_name)
    if permission_set.inline_policy:
        role.put_policy("AwsSSOInlinePolicy", permission_set.inline_policy)
    return str(role.arn)


def _remove(permission_set: Any, account: str) -> None:
    iam = _iam(account)
    name = role_name(permission_set, account)
    role = next((r for r in iam.roles.values() if r.name == name), None)
    if role is None:
        return
    policies = {p.arn: p for p in iam.managed_policies.values()}
    for arn in list(role.managed_policies):
        policies[arn].detach_from(role)
    for policy_name in list(role.policies):
        role.delete_policy(policy_name)
    del iam.roles[role.id]


def _create_account_assignment(self: SSOAdminBackend, **request: Any) -> Any:
    permission_set = self._find_permission_set(request["instance_arn"], request["permission_set_arn"])
    materialize(permission_set, request["target_id"])  # fails, as AWS's assignment does, on a missing reference
    return _originals["create"](self, **request)


def _delete_account_assignment(self: SSOAdminBackend, **request: Any) -> Any:
    result = _originals["delete"](self, **request)
    where = (request["permission_set_arn"], request["target_id"])
    if not [a for a in self.account_assignments if (a.permission_set_arn, a.target_id) == where]:
        permission_set = next((p for p in self.permission_sets if p.permission_set_arn == where[0]), None)
        if permission_set is not None:
            _remove(permission_set, where[1])
    return result


def _provision_permission_set(self: SSOAdminBackend, **request: Any) -> None:
    _originals["provision"](self, **request)
    arn = request["permission_set_arn"]
    permission_set = self._find_permission_set(request["instance_arn"], arn)
    for account in {a.target_id for a in self.account_assignments if a.permission_set_arn == arn}:
        materialize(permission_set, account)


def _delete_permission_set(self: SSOAdminBackend, **request: Any) -> Any:
    from moto.ssoadmin.exceptions import ConflictException

    if [a for a in self.account_assignments if a.permission_set_arn == request["permission_set_arn"]]:
        raise ConflictException("the permission set is still assigned: delete its account assignments first")
    return _originals["delete_set"](self, **request)


def sign_in(identity_account: str, user_name: str, permission_set_arn: str, account: str) -> dict[str, str]:
    """Credentials of `user_name`'s session in the permission set's role in `account` (PermissionError when neither
    the user nor a group of theirs is assigned that permission set there)."""
    from moto.identitystore.models import identitystore_backends
    from moto.ssoadmin.models import ssoadmin_backends

    from glueguard_sandbox.emulator.iam.models import session_credentials

    sso = ssoadmin_backends[identity_account]["us-east-1"]
    [instance] = sso.instances
    store = identitystore_backends[identity_account]["us-east-1"]
    data = store.identity_stores.get(instance.identity_store_id)
    user = next((u for u in (data.users.values() if data else []) if u.UserName == user_name), None)
    if user is None:
        raise PermissionError(f"no user {user_name!r} in the identity store")
    groups = {m["GroupId"] for m in data.group_memberships.values() if m["MemberId"]["UserId"] == user.UserId}
    principals = {("USER", user.UserId), *(("GROUP", g) for g in groups)}
    assigned = [
        a
        for a in sso.account_assignments
        if (a.permission_set_arn, a.target_id) == (permission_set_arn, account)
        and (a.principal_type, a.principal_id) in principals
    ]
    if not assigned:
        raise PermissionError(f"{user_name} is not assigned {permission_set_arn} in account {account}")
    permission_set = sso._find_permission_set(instance.instance_arn, permission_set_arn)
    role = f"arn:aws:iam::{account}:role{SSO_PATH}{role_name(permission_set, account)}"
    return session_credentials(account, role, user_name)


#: IAM calls that change a role, each refused on an Identity Center role (UnmodifiableEntity).
ROLE_WRITES = (
    "attach_role_policy",
    "detach_role_policy",
    "put_role_policy",
    "delete_role_policy",
    "tag_role",
    "untag_role",
    "update_assume_role_policy",
    "put_role_permissions_boundary",
    "delete_role_permissions_boundary",
    "update_role",
    "update_role_description",
    "delete_role",
)


def _protected(write: Any) -> Any:
    import inspect

    from moto.iam.exceptions import IAMException

    signature = inspect.signature(write)

    def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        name = signature.bind(self, *args, **kwargs).arguments.get("role_name")
        role = next((r for r in self.roles.values() if r.name == name), None)
        if role is not None and str(role.path).startswith(SSO_PATH):
            raise IAMException(
                "UnmodifiableEntity",
                f"Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS",
            )
        return write(self, *args, **kwargs)

    return guarded


def install() -> None:
    if _originals:
        return
    from moto.iam.models import IAMBackend

    for write in ROLE_WRITES:
        setattr(IAMBackend, write, _protected(getattr(IAMBackend, write)))
    _originals.update(
        create=SSOAdminBackend.create_account_assignment,
        delete=SSOAdminBackend.delete_account_assignment,
        provision=SSOAdminBackend.provision_permission_set,
        delete_set=SSOAdminBackend.delete_permission_set,
    )
    SSOAdminBackend.create_account_assignment = _create_account_assignment  # type: ignore[method-assign]
    SSOAdminBackend.delete_account_assignment = _delete_account_assignment  # type: ignore[method-assign]
    SSOAdminBackend.provision_permission_set = _provision_permission_set  # type: ignore[method-assign]
    SSOAdminBackend.delete_permission_set = _delete_permission_set  # type: ignore[method-assign]
