"""Matching inside one statement, pure: wildcards, policy variables, ARNs and the Condition block.

IAM user guide: "Policy variables" (`${key}`, `${key, 'default'}`; `${*}`, `${?}`, `${$}` are the literal
characters; a variable whose key is missing or multivalued resolves to nothing and the element it is in
matches nothing; in a Resource ARN variables are allowed only in the part after the fifth colon; a policy
whose Version is not 2012-10-17 takes `${...}` as literal text), "Condition operators", "Set operators for
multivalued context keys".
"""

from __future__ import annotations

import ipaddress
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

Context = Mapping[str, Sequence[str]]

#: the policy language version in which `${...}` are variables (IAM user guide, "Version")
VARIABLES_VERSION = "2012-10-17"

#: global keys that are multivalued (IAM user guide, "AWS global condition context keys"); service keys are
#: looked up in the Service Authorization Reference (catalog.multivalued)
_MULTIVALUED = {
    "aws:tagkeys",
    "aws:calledvia",
    "aws:principalorgpaths",
    "aws:principalservicenameslist",
    "aws:resourceorgpaths",
    "aws:sourceorgpaths",
}


def multivalued(key: str) -> bool:
    lowered = key.lower()
    if lowered in _MULTIVALUED:
        return True
    if lowered.startswith("aws:"):
        return False
    from glueguard_sandbox.emulator.iam.catalog import multivalued_service_key

    return multivalued_service_key(key)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def lookup(context: Context, key: str) -> Sequence[str] | None:
    """Context keys are case-insensitive (tag keys after the `/` keep their case)."""
    if key in context:
        return context[key]
    lowered = key.lower()
    for name, values in context.items():
        if name.lower() == lowered:
            return values
    return None


# ------------------------------------------------------------------------------- policy strings
_TOKEN = re.compile(r"\$\{([^}]*)\}|\*|\?")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


class Text:
    """A policy string with its variables resolved: `literal` for exact comparisons, `regex` for globs."""

    __slots__ = ("literal", "regex")

    def __init__(self, literal: str, regex: str) -> None:
        self.literal, self.regex = literal, regex

    def like(self, value: str, ignore_case: bool = False) -> bool:
        return _compiled(self.regex, ignore_case).fullmatch(value) is not None


@cache
def _compiled(regex: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(regex, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _variable(name: str, context: Context) -> str | None:
    if name in _ESCAPES:
        return _ESCAPES[name]
    key, comma, default = name.partition(", ")
    key = key.strip()
    found = lookup(context, key)
    if found is not None and len(found) == 1 and not multivalued(key):
        return str(found[0])
    if comma and len(default) >= 2 and default[0] == default[-1] == "'":
        return default[1:-1]
    return None


def resolve(text: str, context: Context, variables: bool = True) -> Text | None:
    """`text` with its variables substituted (None: one cannot be resolved, the element matches nothing)."""
    literal: list[str] = []
    regex: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        if match.group(0).startswith("${") and not variables:
            continue
        plain = text[position : match.start()]
        literal.append(plain)
        regex.append(re.escape(plain))
        token = match.group(0)
        if token == "*":
            literal.append("*")
            regex.append(".*")
        elif token == "?":
            literal.append("?")
            regex.append(".")
        else:
            value = _variable(match.group(1), context)
            if value is None:
                return None
            literal.append(value)
            regex.append(re.escape(value))
        position = match.end()
    literal.append(text[position:])
    regex.append(re.escape(text[position:]))
    return Text("".join(literal), "".join(regex))


def like(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """A glob without variables (`*` any run, `?` one character)."""
    text = resolve(pattern, {}, variables=False)
    return text is not None and text.like(value, ignore_case)


# ------------------------------------------------------------------------------- ARNs
def arn_matches(pattern: str, arn: str, context: Context, variables: bool = True) -> bool:
    """ARN matching: partition, service, region and account segment by segment, the rest as a glob; variables
    only after the fifth colon."""
    if pattern == "*":
        return True
    p, a = pattern.split(":", 5), arn.split(":", 5)
    if len(p) != 6 or len(a) != 6:
        text = resolve(pattern, context, variables)
        return text is not None and text.like(arn)
    if variables and any("${" in part for part in p[:5]):
        return False  # not a valid place for a variable: the pattern names nothing
    head = all(like(x, y) for x, y in zip(p[:5], a[:5], strict=True))
    if not head:
        return False
    tail = resolve(p[5], context, variables)
    return tail is not None and tail.like(a[5])


def resource_matches(patterns: Any, resource: str, context: Context, variables: bool = True) -> bool:
    return any(arn_matches(str(p), resource, context, variables) for p in as_list(patterns))


def action_matches(patterns: Any, action: str) -> bool:
    return any(like(str(p), action, ignore_case=True) for p in as_list(patterns))


# ------------------------------------------------------------------------------- operators
def _date(value: str) -> datetime:
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return datetime.fromtimestamp(float(value), UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ip(expected: Text, actual: str) -> bool:
    try:
        return ipaddress.ip_address(actual) in ipaddress.ip_network(expected.literal, strict=False)
    except ValueError:
        return False


def _number(value: str) -> float:
    return float(value)


def _arn(expected: Text, actual: str) -> bool:
    """ArnEquals/ArnLike: each of the six colon-delimited parts separately, each a glob (variables resolved)."""
    if expected.literal.count(":") < 5 or actual.count(":") < 5:
        return False
    return arn_matches(expected.literal, actual, {}, variables=False)


Compare = Callable[[Text, str], bool]
#: base operator -> (compare(policy value, request value), negated)
_OPERATORS: dict[str, tuple[Compare, bool]] = {
    "StringEquals": (lambda e, a: a == e.literal, False),
    "StringNotEquals": (lambda e, a: a == e.literal, True),
    "StringEqualsIgnoreCase": (lambda e, a: a.lower() == e.literal.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda e, a: a.lower() == e.literal.lower(), True),
    "StringLike": (lambda e, a: e.like(a), False),
    "StringNotLike": (lambda e, a: e.like(a), True),
    "Bool": (lambda e, a: a.lower() == e.literal.lower(), False),
    "BinaryEquals": (lambda e, a: a == e.literal, False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
    "ArnEquals": (_arn, False),
    "ArnLike": (_arn, False),
    "ArnNotEquals": (_arn, True),
    "ArnNotLike": (_arn, True),
}


_ORDERS: dict[str, tuple[Callable[[Any, Any], bool], bool]] = {
    "Equals": (operator.eq, False),
    "NotEquals": (operator.eq, True),
    "LessThan": (operator.lt, False),
    "LessThanEquals": (operator.le, False),
    "GreaterThan": (operator.gt, False),
    "GreaterThanEquals": (operator.ge, False),
}


def _ordered(compare: Callable[[Any, Any], bool], convert: Callable[[str], Any]) -> Compare:
    return lambda e, a: compare(convert(a), convert(e.literal))


for _family, _convert in (("Numeric", _number), ("Date", _date)):
    for _name, (_compare_values, _negated) in _ORDERS.items():
        _OPERATORS[_family + _name] = (_ordered(_compare_values, _convert), _negated)


class UnknownOperatorError(ValueError):
    """A condition operator AWS does not define: AWS rejects such a policy when it is written."""


def _compare(compare: Compare, expected: Text, actual: str) -> bool:
    try:
        return bool(compare(expected, actual))
    except (ValueError, TypeError, OverflowError):
        return False  # a value of the wrong type never matches


def condition_holds(operator: str, key: str, expected: Any, context: Context, variables: bool = True) -> bool:
    """One operator/key pair of a Condition block ("Condition operators", "Set operators")."""
    actual = lookup(context, key)
    present = bool(actual)
    if operator == "Null":
        return (not present) == (str(expected).lower() == "true")
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base not in _OPERATORS or qualifier not in ("", "ForAllValues", "ForAnyValue"):
        raise UnknownOperatorError(operator)
    compare, negated = _OPERATORS[base]
    variables = variables and base.startswith(("String", "Arn"))  # variables only in string and ARN values
    # a value whose variable cannot be resolved matches nothing, negated or not ("Policy variables")
    wanted = [resolve(str(v), context, variables) for v in as_list(expected)]

    def one(value: str) -> bool:
        verdicts = [w is not None and _compare(compare, w, str(value)) != negated for w in wanted]
        return all(verdicts) if negated else any(verdicts)

    if qualifier == "ForAllValues":  # true for an empty or missing key
        return all(one(v) for v in actual or [])
    if qualifier == "ForAnyValue":  # false for an empty or missing key
        return any(one(v) for v in actual or [])
    if not present:
        return if_exists or negated
    if multivalued(key):  # "Multivalued context keys require a condition set operator"
        return False
    return any(one(v) for v in actual or []) if not negated else all(one(v) for v in actual or [])


def conditions_hold(block: Mapping[str, Mapping[str, Any]] | None, context: Context, variables: bool = True) -> bool:
    """Every operator and every key of the block must hold (AND); a key's values are ORed."""
    return all(
        condition_holds(operator, key, expected, context, variables)
        for operator, pairs in (block or {}).items()
        for key, expected in pairs.items()
    )
