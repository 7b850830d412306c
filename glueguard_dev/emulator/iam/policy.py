"""IAM policy evaluation as AWS documents it ("Policy evaluation logic"), pure: no moto, no I/O.

A `Request` (principal, action, resource, context) is decided against the policies that apply to it:
identity policies (inline and managed), an optional permissions boundary, and the resource's policy.
In order: an explicit Deny anywhere wins; a same-account resource policy that names the principal
allows on its own; otherwise the identity policies must allow, and the boundary too when there is one.
Across accounts both sides must allow. KMS key policies and role trust policies are *required*
resource policies: without their Allow (directly, or through the account delegating to IAM) nothing
is allowed.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

Context = Mapping[str, Sequence[str]]


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

    identity: Sequence[Mapping[str, Any]] = ()
    boundary: Mapping[str, Any] | None = None
    resource: Mapping[str, Any] | None = None
    #: True where the service requires the resource policy to allow (KMS key policies, role trust).
    resource_required: bool = False


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


# ------------------------------------------------------------------------------- matching
@cache
def _glob(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def like(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return _glob(pattern, ignore_case).fullmatch(value) is not None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


def substitute(text: str, context: Context) -> str | None:
    """Replace policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`, `${*}`); None when one is
    missing (AWS: the element then matches nothing)."""
    if "${" not in text:
        return text
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if name in _ESCAPES:
            return _ESCAPES[name]
        key, _, default = name.partition(", ")
        found = _lookup(context, key)
        if found and len(found) == 1:
            return found[0]
        if default:
            return default.strip().strip("'")
        missing = True
        return ""

    result = _VARIABLE.sub(value, text)
    return None if missing else result


def _lookup(context: Context, key: str) -> Sequence[str] | None:
    """Context keys are case-insensitive (tag keys after the `/` keep their case)."""
    if key in context:
        return context[key]
    lowered = key.lower()
    for name, values in context.items():
        if name.lower() == lowered:
            return values
    return None


def action_matches(patterns: Any, action: str) -> bool:
    return any(like(p, action, ignore_case=True) for p in _as_list(patterns))


def resource_matches(patterns: Any, resource: str, context: Context) -> bool:
    for pattern in _as_list(patterns):
        pattern = substitute(pattern, context)
        if pattern is None:
            continue
        if pattern == "*" or _arn_like(pattern, resource):
            return True
    return False


def _arn_like(pattern: str, arn: str) -> bool:
    """ARN matching: partition, service, region and account segment by segment, the rest as a glob."""
    if pattern == "*" or arn == "*":
        return pattern == arn or pattern == "*"
    p, a = pattern.split(":", 5), arn.split(":", 5)
    if len(p) != 6 or len(a) != 6:
        return like(pattern, arn)
    return all(like(x, y) for x, y in zip(p, a, strict=True))


# ------------------------------------------------------------------------------- conditions
def _date(value: str) -> datetime:
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return datetime.fromtimestamp(float(value), UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ip(expected: str, actual: str) -> bool:
    try:
        return ipaddress.ip_address(actual) in ipaddress.ip_network(expected, strict=False)
    except ValueError:
        return False


def _number(value: str) -> float:
    return float(value)


#: base operator -> (compare(policy value, request value), negated)
_OPERATORS: dict[str, tuple[Any, bool]] = {
    "StringEquals": (lambda e, a: a == e, False),
    "StringNotEquals": (lambda e, a: a == e, True),
    "StringEqualsIgnoreCase": (lambda e, a: a.lower() == e.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda e, a: a.lower() == e.lower(), True),
    "StringLike": (lambda e, a: like(e, a), False),
    "StringNotLike": (lambda e, a: like(e, a), True),
    "NumericEquals": (lambda e, a: _number(a) == _number(e), False),
    "NumericNotEquals": (lambda e, a: _number(a) == _number(e), True),
    "NumericLessThan": (lambda e, a: _number(a) < _number(e), False),
    "NumericLessThanEquals": (lambda e, a: _number(a) <= _number(e), False),
    "NumericGreaterThan": (lambda e, a: _number(a) > _number(e), False),
    "NumericGreaterThanEquals": (lambda e, a: _number(a) >= _number(e), False),
    "DateEquals": (lambda e, a: _date(a) == _date(e), False),
    "DateNotEquals": (lambda e, a: _date(a) == _date(e), True),
    "DateLessThan": (lambda e, a: _date(a) < _date(e), False),
    "DateLessThanEquals": (lambda e, a: _date(a) <= _date(e), False),
    "DateGreaterThan": (lambda e, a: _date(a) > _date(e), False),
    "DateGreaterThanEquals": (lambda e, a: _date(a) >= _date(e), False),
    "Bool": (lambda e, a: a.lower() == e.lower(), False),
    "BinaryEquals": (lambda e, a: a == e, False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
    "ArnEquals": (lambda e, a: _arn_like(e, a), False),
    "ArnLike": (lambda e, a: _arn_like(e, a), False),
    "ArnNotEquals": (lambda e, a: _arn_like(e, a), True),
    "ArnNotLike": (lambda e, a: _arn_like(e, a), True),
}


class UnknownOperatorError(ValueError):
    """A condition operator AWS does not define: AWS rejects such a policy when it is written."""


def _compare(compare: Any, expected: str, actual: str) -> bool:
    try:
        return bool(compare(expected, actual))
    except (ValueError, TypeError):
        return False  # a value of the wrong type never matches


def condition_holds(operator: str, key: str, expected: Any, context: Context) -> bool:
    """One operator/key pair of a Condition block ("Condition operators", "Set operators")."""
    actual = _lookup(context, key)
    present = bool(actual)
    if operator == "Null":
        return (not present) == (str(expected).lower() == "true")
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base not in _OPERATORS or qualifier not in ("", "ForAllValues", "ForAnyValue"):
        raise UnknownOperatorError(operator)
    compare, negated = _OPERATORS[base]
    wanted = [w for w in (substitute(str(v), context) for v in _as_list(expected)) if w is not None]

    def one(value: str) -> bool:
        hit = any(_compare(compare, w, value) for w in wanted)
        return not hit if negated else hit

    if qualifier == "ForAllValues":  # true for an empty or missing key
        return all(one(v) for v in actual or [])
    if qualifier == "ForAnyValue":  # false for an empty or missing key
        return any(one(v) for v in actual or [])
    if not present:
        return if_exists or negated
    return any(one(v) for v in actual or []) if not negated else all(one(v) for v in actual or [])


def conditions_hold(block: Mapping[str, Mapping[str, Any]] | None, context: Context) -> bool:
    """Every operator and every key of the block must hold (AND); a key's values are ORed."""
    return all(
        condition_holds(operator, key, expected, context)
        for operator, pairs in (block or {}).items()
        for key, expected in pairs.items()
    )


# ------------------------------------------------------------------------------- principals
def principal_matches(element: Any, principal: Principal) -> bool:
    """Does a `Principal` element name the caller? "*" names everyone; an account root names the account
    (which then delegates to its IAM policies); a role ARN names its sessions."""
    if element == "*":
        return True
    if not isinstance(element, Mapping):
        return False
    names = {principal.arn}
    if principal.issuer:
        names.add(principal.issuer)
    for kind, values in element.items():
        for value in _as_list(values):
            if value == "*" and kind == "AWS":
                return True
            if kind == "Service" and principal.kind == "Service" and value == principal.arn:
                return True
            if kind == "AWS" and (value in names or (_account_of(value) == principal.account and _is_root(value))):
                return True
    return False


def _is_root(value: str) -> bool:
    return re.fullmatch(r"\d{12}", value) is not None or value.endswith(":root")


def _account_of(value: str) -> str:
    return value if re.fullmatch(r"\d{12}", value) else (value.split(":")[4] if value.count(":") >= 5 else "")


def _names_directly(element: Any, principal: Principal) -> bool:
    """The element names the principal itself (not only its account)."""
    if element == "*":
        return True
    if not isinstance(element, Mapping):
        return False
    names = {principal.arn} | ({principal.issuer} if principal.issuer else set())
    return any(
        v == "*" or v in names or (kind == "Service" and principal.kind == "Service" and v == principal.arn)
        for kind, values in element.items()
        for v in _as_list(values)
    )


# ------------------------------------------------------------------------------- statements
def statements(document: Mapping[str, Any] | str | None) -> list[Mapping[str, Any]]:
    if document is None:
        return []
    if isinstance(document, str):
        document = json.loads(document)
    found = document.get("Statement", [])
    return [found] if isinstance(found, Mapping) else list(found)


def statement_applies(statement: Mapping[str, Any], request: Request, with_principal: bool = False) -> bool:
    if "NotAction" in statement:
        if action_matches(statement["NotAction"], request.action):
            return False
    elif not action_matches(statement.get("Action"), request.action):
        return False
    if "NotResource" in statement:
        if resource_matches(statement["NotResource"], request.resource, request.context):
            return False
    elif "Resource" in statement and not resource_matches(statement["Resource"], request.resource, request.context):
        return False
    if with_principal:
        if "NotPrincipal" in statement:
            if principal_matches(statement["NotPrincipal"], request.principal):
                return False
        elif not principal_matches(statement.get("Principal"), request.principal):
            return False
    return conditions_hold(statement.get("Condition"), request.context)


def _effects(
    documents: Iterable[Mapping[str, Any] | None], request: Request, resource: bool = False
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    allows, denies = [], []
    for document in documents:
        for statement in statements(document):
            if statement_applies(statement, request, with_principal=resource):
                (denies if statement.get("Effect") == "Deny" else allows).append(statement)
    return allows, denies


def _label(kind: str, statement: Mapping[str, Any]) -> str:
    return f"{kind} statement {statement['Sid']!r}" if statement.get("Sid") else f"a {kind} statement"


# ------------------------------------------------------------------------------- the decision
def evaluate(request: Request, policies: Policies) -> Decision:
    """AWS's decision for one request (same account or cross account)."""
    identity_allow, identity_deny = _effects(policies.identity, request)
    boundary_allow, boundary_deny = _effects([policies.boundary], request)
    resource_allow, resource_deny = _effects([policies.resource], request, resource=True)
    for kind, denies in (
        ("identity-based", identity_deny),
        ("resource-based", resource_deny),
        ("permissions boundary", boundary_deny),
    ):
        if denies:
            return Decision(False, f"explicit deny in {_label(kind, denies[0])}")
    boundary_ok = policies.boundary is None or bool(boundary_allow)
    direct = [s for s in resource_allow if _names_directly(s.get("Principal"), request.principal)]
    same_account = (request.resource_account or request.principal.account) == request.principal.account
    if policies.resource_required:
        if not resource_allow:
            return Decision(False, "no statement of the resource policy allows it (it is required)")
        if direct and same_account:
            return Decision(True, f"allowed by {_label('resource-based', direct[0])} naming the principal")
        if not identity_allow:
            return Decision(False, "the resource policy delegates to IAM, and no identity-based policy allows it")
        if not boundary_ok:
            return Decision(False, "the permissions boundary does not allow it")
        return Decision(
            True, f"allowed by {_label('identity-based', identity_allow[0])} (the resource policy delegates)"
        )
    if same_account:
        session_named = any(
            request.principal.arn in _as_list((s.get("Principal") or {}).get("AWS")) or s.get("Principal") == "*"
            for s in direct
            if isinstance(s.get("Principal"), Mapping | str)
        )
        if direct and (request.principal.kind != "AssumedRole" or session_named or boundary_ok):
            return Decision(True, f"allowed by {_label('resource-based', direct[0])}")
        if not identity_allow:
            return Decision(False, "no identity-based policy allows it")
        if not boundary_ok:
            return Decision(False, "the permissions boundary does not allow it")
        return Decision(True, f"allowed by {_label('identity-based', identity_allow[0])}")
    if not resource_allow:
        return Decision(False, "cross-account: no resource-based policy allows it")
    if not identity_allow:
        return Decision(False, "cross-account: no identity-based policy allows it")
    if not boundary_ok:
        return Decision(False, "the permissions boundary does not allow it")
    return Decision(True, "cross-account: allowed by both the identity-based and the resource-based policy")


def documents_allow(documents: Iterable[Mapping[str, Any]], action: str, resource: str, context: Context) -> bool:
    """Whether `documents`, evaluated as identity policies (Principal already matched by the caller), allow
    `action` on `resource`: an applicable Deny wins, else an applicable Allow is needed."""
    anyone = Principal("*", "", "Anonymous")
    return evaluate(Request(anyone, action, resource, context), Policies(list(documents))).allowed
