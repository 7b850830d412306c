"""AssumeRole into another account as AWS documents it; moto 5.2.5 hands out credentials for any role ARN,
existing or not, whatever its trust policy says.

Across accounts, the role must exist and its trust policy must allow the caller: a statement whose Principal
names the caller's account, its root or the caller's ARN, with its conditions holding on
`aws:PrincipalArn` (the role behind an assumed-role session), `aws:PrincipalAccount`,
`aws:PrincipalOrgID` and `sts:ExternalId` (IAM user guide, "IAM tutorial: Delegate access across AWS
accounts using IAM roles"; "AWS global condition context keys"). Otherwise AccessDenied, worded as AWS does.
Within one account the sandbox stays as moto is (sandbox-wide IAM is issue #11's evaluator).
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.sts.responses import TokenResponse

from glueguard_sandbox.emulator.iam.policy import documents_allow
from glueguard_sandbox.emulator.organizations.models import organization_id, principal_matches

_original_assume_role = TokenResponse.assume_role


def _caller(response: TokenResponse) -> tuple[str, str, str]:
    """(account, caller ARN, principal ARN for conditions) of the request's credentials."""
    from moto.sts.models import sts_backends

    account = response.current_account
    access_key = response.get_access_key()
    _user_id, arn, account = sts_backends[account]["aws"].get_caller_identity(access_key, response.region)
    assumed = sts_backends[account]["aws"].get_assumed_role_from_access_key(access_key)
    principal = assumed.role_arn if assumed else arn
    if arn.endswith(":user/moto"):  # moto's stand-in for the account's own administrator credentials
        arn = principal = f"arn:aws:iam::{account}:root"
    return account, arn, principal


def _role(account: str, arn: str) -> Any:
    from moto.iam.models import iam_backends

    name = arn.rsplit("/", 1)[-1]
    return next((r for r in iam_backends[account]["global"].roles.values() if r.name == name), None)


def trust_allows(role: Any, caller_account: str, principal_arn: str, external_id: str | None) -> bool:
    document = json.loads(role.assume_role_policy_document)
    statements = document.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    applicable = [
        {**s, "Resource": "*"}
        for s in statements
        if principal_matches(s.get("Principal"), caller_account, (principal_arn,))
    ]
    context = {"aws:PrincipalArn": [principal_arn], "aws:PrincipalAccount": [caller_account]}
    org = organization_id(caller_account)
    if org:
        context["aws:PrincipalOrgID"] = [org]
    if external_id:
        context["sts:ExternalId"] = [external_id]
    return documents_allow([{"Statement": applicable}], "sts:AssumeRole", "*", context)


def _check_duration(response: TokenResponse, role: Any, chained: bool) -> None:
    """DurationSeconds (default 3600) may not pass the role's MaxSessionDuration, nor one hour when a role session
    assumes the role (role chaining): STS API reference, AssumeRole (DurationSeconds)."""
    from moto.sts.exceptions import STSValidationError

    duration = response._get_int_param("DurationSeconds", 3600)
    if role is not None and duration > int(role.max_session_duration or 3600):
        raise STSValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    if chained and duration > 3600:
        raise STSValidationError(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
        )


def assume_role(self: TokenResponse) -> Any:
    from moto.sts.exceptions import STSClientError

    role_arn = self._get_param("RoleArn") or ""
    parts = role_arn.split(":")
    role_account = parts[4] if len(parts) > 5 else ""
    account, arn, principal = _caller(self)
    _check_duration(self, _role(role_account or account, role_arn), chained=principal != arn)
    if role_account and role_account != account:
        role = _role(role_account, role_arn)
        if role is None or not trust_allows(role, account, principal, self._get_param("ExternalId")):
            raise STSClientError(
                "AccessDenied",
                f"User: {arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            )
    result = _original_assume_role(self)
    _keep_policy_arns(self, role_arn)
    _keep_session_tags(self, role_arn)
    return result


def _keep_policy_arns(response: TokenResponse, role_arn: str) -> None:
    """moto drops AssumeRole's `PolicyArns` (managed session policies): keep them on the new session for the
    IAM evaluator (IAM user guide, "Session policies")."""
    arns = [v for k, v in sorted(response.querystring.items()) if re.fullmatch(r"PolicyArns\.member\.\d+\.arn", k)]
    from moto.sts.models import sts_backends

    name = response._get_param("RoleSessionName")
    parts = role_arn.split(":")
    backend = sts_backends[parts[4]]["aws"] if len(parts) > 5 and parts[4] else response.backend
    for session in reversed(backend.assumed_roles):
        if session.role_arn == role_arn and session.session_name == name:
            session.policy_arns = [str(v[0] if isinstance(v, list) else v) for v in arns]
            return


def session_tags(querystring: dict[str, Any]) -> dict[str, str]:
    """AssumeRole's `Tags` (query protocol: Tags.member.N.Key / .Value), by key."""

    def first(value: Any) -> str:
        return str(value[0] if isinstance(value, list) else value)

    keys = {m.group(1): first(v) for k, v in querystring.items() if (m := re.fullmatch(r"Tags\.member\.(\d+)\.Key", k))}
    return {key: first(querystring.get(f"Tags.member.{n}.Value", "")) for n, key in keys.items()}


def _keep_session_tags(response: TokenResponse, role_arn: str) -> None:
    """moto drops AssumeRole's `Tags`: keep them on the session. Its principal tags are then the role's, a session
    tag overriding a role tag of the same key (IAM user guide, "Pass session tags in AWS STS")."""
    tags = session_tags(response.querystring)
    if not tags:
        return
    from moto.sts.models import sts_backends

    name = response._get_param("RoleSessionName")
    parts = role_arn.split(":")
    backend = sts_backends[parts[4]]["aws"] if len(parts) > 5 and parts[4] else response.backend
    for session in reversed(backend.assumed_roles):
        if session.role_arn == role_arn and session.session_name == name:
            session.gg_session_tags = tags
            return


def install() -> None:
    TokenResponse.assume_role = assume_role  # type: ignore[method-assign]
