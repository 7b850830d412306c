"""IAM policy evaluation as AWS documents it ("Policy evaluation logic"), pure: no moto, no I/O.

A `Request` (principal, action, resource, context) is decided against the policies that apply to it: identity
policies, an optional permissions boundary and session policy, the resource's policy, the SCPs and RCPs of the
organization and a VPC endpoint policy. In order: an explicit Deny anywhere wins; every SCP level must allow,
and the endpoint policy; a same-account resource policy that names the principal allows on its own (one that
names a role ARN is still limited by the session's boundary and session policy); otherwise the identity
policies must allow, and the boundary and session policy too. Across accounts both sides must allow. KMS key
policies and role trust policies are *required*: without their Allow (directly, or through the account
delegating to IAM) nothing is allowed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from glueguard_sandbox.emulator.iam.conditions import (
    VARIABLES_VERSION,
    Context,
    UnknownOperatorError,
    action_matches,
    arn_matches,
    as_list,
    condition_holds,
    conditions_hold,
    like,
    resolve,
    resource_matches,
)

__all__ = [
    "Context",
    "Decision",
    "Policies",
    "Principal",
    "Request",
    "UnknownOperatorError",
    "condition_holds",
    "documents_allow",
    "evaluate",
    "like",
]

Document = Mapping[str, Any]


@dataclass(frozen=True)
class Principal:
    """Who calls: `arn` as CloudTrail shows it; `issuer` is the role ARN of an assumed-role session."""

    arn: str
    account: str
    kind: str  # "AssumedRole" | "IAMUser" | "Root" | "Service"
    issuer: str | None = None


@dataclass(frozen=True)
class Request:
    principal: Principal
    action: str
    resource: str
    context: Context = field(default_factory=dict)
    resource_account: str | None = None


@dataclass(frozen=True)
class Policies:
    """The documents that apply to one request (each a parsed JSON policy)."""

    identity: Sequence[Document] = ()
    boundary: Document | None = None
    resource: Document | None = None
    #: True where the service requires the resource policy to allow (KMS key policies, role trust).
    resource_required: bool = False
    #: the session policies passed to AssumeRole (inline and managed); None: the session has none
    session: Sequence[Document] | None = None
    #: the SCPs of each level from the root to the account (empty: not under an organization's SCPs)
    scps: Sequence[Sequence[Document]] = ()
    #: the RCPs of each level above the resource (RCPFullAWSAccess is implied at every level)
    rcps: Sequence[Sequence[Document]] = ()
    #: the policy of the VPC endpoint the request went through (None: not through an endpoint)
    endpoint: Document | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


# ------------------------------------------------------------------------------- principals
_ACCOUNT = re.compile(r"\d{12}")


def _is_root(value: str) -> bool:
    return _ACCOUNT.fullmatch(value) is not None or value.endswith(":root")


def _account_of(value: str) -> str:
    return value if _ACCOUNT.fullmatch(value) else (value.split(":")[4] if value.count(":") >= 5 else "")


def principal_match(element: Any, principal: Principal) -> str | None:
    """How a `Principal` element names the caller: "session" (the very user or role session), "direct" ("*",
    its service), "role" (the role of an assumed-role session), "account" (its account, which delegates to
    IAM), or None."""
    if element == "*":
        return "direct"
    if not isinstance(element, Mapping):
        return None
    found: str | None = None
    for kind, values in element.items():
        for value in map(str, as_list(values)):
            if kind == "Service":
                if principal.kind == "Service" and value == principal.arn:
                    return "direct"
                continue
            if kind != "AWS":
                continue
            if value == principal.arn:
                return "session" if principal.kind in ("AssumedRole", "IAMUser") else "direct"
            if value == "*":
                return "direct"
            if principal.issuer and value == principal.issuer:
                found = "role"
            elif (
                found is None
                and principal.kind != "Service"
                and _is_root(value)
                and _account_of(value) == principal.account
            ):
                found = "account"
    return found


def principal_matches(element: Any, principal: Principal) -> bool:
    """Does a `Principal` element name the caller (itself, its role, or its account)?"""
    return principal_match(element, principal) is not None


# ------------------------------------------------------------------------------- statements
def statements(document: Document | str | None) -> list[Mapping[str, Any]]:
    if document is None:
        return []
    if isinstance(document, str):
        document = json.loads(document)
    found = document.get("Statement", [])
    return [found] if isinstance(found, Mapping) else list(found)


def _uses_variables(document: Document | str | None) -> bool:
    """Only a 2012-10-17 policy has variables (IAM user guide, "Version": a missing Version is 2008-10-17)."""
    if isinstance(document, str):
        document = json.loads(document)
    return bool(document) and document.get("Version") == VARIABLES_VERSION  # type: ignore[union-attr]


def statement_applies(
    statement: Mapping[str, Any],
    request: Request,
    variables: bool = True,
    bounded: bool = False,
    principals: bool = True,
) -> str | None:
    """None when the statement does not apply; else how it names the principal ("identity" when it names
    none, or `principals` is False: an identity-based policy, whose principal is the caller). `bounded`: the
    caller has a permissions boundary (a NotPrincipal Deny then applies to it whatever it names, IAM user
    guide, "Permissions boundaries for IAM entities")."""
    context = request.context
    if "NotAction" in statement:
        if action_matches(statement["NotAction"], request.action):
            return None
    elif not action_matches(statement.get("Action"), request.action):
        return None
    if "NotResource" in statement:
        if _not_resource_excludes(statement["NotResource"], request, variables):
            return None
    elif "Resource" in statement and not resource_matches(statement["Resource"], request.resource, context, variables):
        return None
    match = "identity"
    if principals and "NotPrincipal" in statement:
        named = principal_match(statement["NotPrincipal"], request.principal)
        deny_bounded = bounded and statement.get("Effect") == "Deny" and request.principal.kind != "Service"
        if named is not None and not deny_bounded:
            return None
        match = "direct"
    elif principals and "Principal" in statement:
        named = principal_match(statement["Principal"], request.principal)
        if named is None:
            return None
        match = named
    return match if conditions_hold(statement.get("Condition"), context, variables) else None


def _not_resource_excludes(patterns: Any, request: Request, variables: bool) -> bool:
    """A NotResource names the resource, or holds a variable that cannot be resolved (its match fails: the
    statement does not apply)."""
    for pattern in map(str, as_list(patterns)):
        if variables and "${" in pattern and resolve(pattern, request.context) is None:
            return True
        if arn_matches(pattern, request.resource, request.context, variables):
            return True
    return False


@dataclass
class _Effects:
    allows: list[tuple[Mapping[str, Any], str]] = field(default_factory=list)
    denies: list[Mapping[str, Any]] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return bool(self.allows) and not self.denies


def _effects(
    documents: Iterable[Document | None], request: Request, bounded: bool = False, principals: bool = False
) -> _Effects:
    found = _Effects()
    for document in documents:
        variables = _uses_variables(document)
        for statement in statements(document):
            match = statement_applies(statement, request, variables, bounded, principals)
            if match is None:
                continue
            if statement.get("Effect") == "Deny":
                found.denies.append(statement)
            else:
                found.allows.append((statement, match))
    return found


def _label(kind: str, statement: Mapping[str, Any]) -> str:
    return f"{kind} statement {statement['Sid']!r}" if statement.get("Sid") else f"a {kind} statement"


# ------------------------------------------------------------------------------- the decision
def evaluate(request: Request, policies: Policies) -> Decision:
    """AWS's decision for one request (same account or cross account)."""
    bounded = policies.boundary is not None
    identity = _effects(policies.identity, request)
    boundary = _effects([policies.boundary], request)
    session = _effects(policies.session or [], request)
    resource = _effects([policies.resource], request, bounded=bounded, principals=True)
    scps = [_effects(level, request) for level in policies.scps]
    rcps = [_effects(level, request, principals=True) for level in policies.rcps]
    endpoint = _effects([policies.endpoint], request, principals=True)
    for kind, found in (
        ("service control", [d for level in scps for d in level.denies]),
        ("resource control", [d for level in rcps for d in level.denies]),
        ("VPC endpoint", endpoint.denies),
        ("identity-based", identity.denies),
        ("resource-based", resource.denies),
        ("permissions boundary", boundary.denies),
        ("session", session.denies),
    ):
        if found:
            return Decision(False, f"explicit deny in {_label(kind, found[0])}")
    if any(not level.allows for level in scps):
        return Decision(False, "no service control policy allows it")
    if policies.endpoint is not None and not endpoint.allows:
        return Decision(False, "no VPC endpoint policy allows it")
    return _core(request, policies, identity, resource, bounded and not boundary.allows, session)


def _core(
    request: Request, policies: Policies, identity: _Effects, resource: _Effects, unbounded: bool, session: _Effects
) -> Decision:
    """Identity, resource, boundary and session policies together (the explicit denies already decided)."""
    sessionless = policies.session is not None and not session.allows
    direct = [s for s, how in resource.allows if how in ("session", "direct")]
    by_role = [s for s, how in resource.allows if how == "role"]
    same_account = (request.resource_account or request.principal.account) == request.principal.account
    if request.principal.kind == "Service":
        if direct:
            return Decision(True, f"allowed by {_label('resource-based', direct[0])} naming the service")
        return Decision(False, "no resource-based policy allows the service")
    if same_account and direct:  # granted to the session itself: no boundary or session policy limits it
        return Decision(True, f"allowed by {_label('resource-based', direct[0])} naming the principal")
    limits = "no permissions boundary" if unbounded else "no session policy" if sessionless else None
    if same_account and by_role:
        if limits:
            return Decision(False, f"{limits} allows it")
        return Decision(True, f"allowed by {_label('resource-based', by_role[0])} naming the principal's role")
    if policies.resource_required and not resource.allows:
        return Decision(False, "no statement of the resource policy allows it (it is required)")
    if not same_account and not resource.allows:
        return Decision(False, "cross-account: no resource-based policy allows it")
    if not identity.allows:
        if not same_account:
            return Decision(False, "cross-account: no identity-based policy allows it")
        if policies.resource_required:
            return Decision(False, "the resource policy delegates to IAM, and no identity-based policy allows it")
        return Decision(False, "no identity-based policy allows it")
    if limits:
        return Decision(False, f"{limits} allows it")
    if not same_account:
        return Decision(True, "cross-account: allowed by both the identity-based and the resource-based policy")
    label = _label("identity-based", identity.allows[0][0])
    return Decision(
        True, f"allowed by {label}" + (" (the resource policy delegates)" if policies.resource_required else "")
    )


def documents_allow(documents: Iterable[Document], action: str, resource: str, context: Context) -> bool:
    """Whether `documents`, evaluated as identity policies (Principal already matched by the caller), allow
    `action` on `resource`: an applicable Deny wins, else an applicable Allow is needed."""
    anyone = Principal("*", "", "Anonymous")
    return evaluate(Request(anyone, action, resource, context), Policies(list(documents))).allowed
