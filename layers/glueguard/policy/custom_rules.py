"""Custom rules as data (Cloud Custodian style): a condition on a resource's definition or tags, and a remedy.

A rule in the policy's `custom_rules`:

    {"id": "job-continuous-logs", "kind": "job", "severity": "low",
     "message": "continuous CloudWatch logging is off",
     "condition": {"key": "DefaultArguments.--enable-continuous-cloudwatch-log", "op": "ne", "value": "true"},
     "remedy": {"type": "set", "key": "DefaultArguments.--enable-continuous-cloudwatch-log", "value": "true"}}

The condition describes a *violation* (the resources it matches break the rule). A value filter has a
key path (dot-separated definition keys, a segment with dots in double quotes, or `tag:KEY`), an
operator (eq, ne, in, not-in, regex, absent, present, lt, gt) and a value; filters combine with
`{"all": [...]}`, `{"any": [...]}` and `{"not": ...}`. Remedies: `report`, `tag` (key, value) or `set`
(key path, value; null removes the key), applied through the kind's own full-definition update.

Paths and values are checked against the Glue API model (botocore) of the kind when the policy is
validated, so a typo is refused with the rule's id and the reason rather than never matching.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation

TAG_PREFIX = "tag:"
Operator = Literal["eq", "ne", "in", "not-in", "regex", "absent", "present", "lt", "gt"]

#: The request shape whose members a `set` may change, per kind, and members it may not (the name).
#: Kinds without an in-place update (sessions, dev endpoints, security configurations) are absent.
SETTABLE: dict[str, tuple[str, frozenset[str]]] = {
    "job": ("JobUpdate", frozenset()),
    "crawler": ("UpdateCrawlerRequest", frozenset({"Name", "Schedule"})),
    "trigger": ("TriggerUpdate", frozenset({"Name"})),
    "workflow": ("UpdateWorkflowRequest", frozenset({"Name"})),
    "connection": ("ConnectionInput", frozenset({"Name"})),
    "database": ("DatabaseInput", frozenset({"Name"})),
    "table": ("TableInput", frozenset({"Name"})),
}
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "timestamp": (str,),
    "integer": (int,),
    "long": (int,),
    "double": (int, float),
    "float": (int, float),
    "boolean": (bool,),
    "map": (dict,),
    "structure": (dict,),
    "list": (list,),
}
_NUMERIC = frozenset({"integer", "long", "double", "float"})
_ABSENT = object()


# ------------------------------------------------------------------ key paths
_SEGMENT = r'(?:"[^"]+"|[^."]+)'
_PATH = re.compile(rf"{_SEGMENT}(?:\.{_SEGMENT})*")


def split_path(path: str) -> list[str]:
    """`DefaultArguments."--conf.x"` -> ["DefaultArguments", "--conf.x"]; raise ValueError if malformed."""
    if not _PATH.fullmatch(path):
        raise ValueError(
            f"key path {path!r} is malformed: use dot-separated keys, a key containing dots in double quotes"
        )
    return [quoted or plain for quoted, plain in re.findall(r'"([^"]+)"|([^."]+)', path)]


def _lookup(resource: Resource, key: str) -> Any:
    if key.startswith(TAG_PREFIX):
        return resource.tags.get(key[len(TAG_PREFIX) :], _ABSENT)
    value: Any = resource.definition
    for part in split_path(key):
        if not isinstance(value, dict) or part not in value:
            return _ABSENT
        value = value[part]
    return _ABSENT if value is None else value


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@cache
def _glue_model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("glue")


def _definition_shape(kind: str) -> str:
    from glueguard.resources.base import kinds

    arn_type = kinds()[kind].arn_type
    return arn_type[0].upper() + arn_type[1:]


def shape_type(shape_name: str, keys: list[str]) -> tuple[str, bool]:
    """The botocore type at `keys` under `shape_name`, and whether it is a map's value (e.g. a job
    argument); raise ValueError naming the first unknown key."""
    shape = _glue_model().shape_for(shape_name)
    walked: list[str] = []
    in_map = False
    for key in keys:
        in_map = shape.type_name == "map"
        if shape.type_name == "structure":
            if key not in shape.members:
                known = ", ".join(sorted(shape.members))
                where = ".".join(walked) or shape_name
                raise ValueError(f"{where} has no field {key!r} (fields: {known})")
            shape = shape.members[key]
        elif shape.type_name == "map":
            shape = shape.value
        else:
            raise ValueError(f"{'.'.join(walked)} is a {shape.type_name}; a key path cannot go into it")
        walked.append(key)
    return shape.type_name, in_map


def _check_type(value: Any, type_name: str, what: str) -> None:
    allowed = _JSON_TYPES.get(type_name)
    if allowed is None or value is None:
        return
    if isinstance(value, bool) and bool not in allowed:
        raise ValueError(f"{what} must be {_article(type_name)}, got {value!r}")
    if not isinstance(value, allowed):
        raise ValueError(f"{what} must be {_article(type_name)}, got {value!r}")


def _article(type_name: str) -> str:
    return f"{'an' if type_name[0] in 'aeiou' else 'a'} {type_name}"


# ------------------------------------------------------------------ conditions
class ValueFilter(BaseModel):
    """`key` compared with `value` by `op` (absent keys match only `absent`, `ne` and `not-in`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, description='definition key path (a.b, a."x.y") or tag:KEY')
    op: Operator = "eq"
    value: Any = None

    @model_validator(mode="after")
    def _value_fits_operator(self) -> ValueFilter:
        if not self.key.startswith(TAG_PREFIX):
            split_path(self.key)
        if self.op in ("absent", "present"):
            if self.value is not None:
                raise ValueError(f"op {self.op!r} takes no value (got {self.value!r})")
        elif self.op in ("in", "not-in"):
            if not isinstance(self.value, list) or not self.value:
                raise ValueError(f"op {self.op!r} needs a non-empty list value (got {self.value!r})")
        elif self.op == "regex":
            if not isinstance(self.value, str):
                raise ValueError(f"op 'regex' needs a string value (got {self.value!r})")
            try:
                re.compile(self.value)
            except re.error as exc:
                raise ValueError(f"regex {self.value!r} does not compile: {exc}") from None
        elif self.op in ("lt", "gt"):
            if _number(self.value) is None or isinstance(self.value, str):
                raise ValueError(f"op {self.op!r} needs a number (got {self.value!r})")
        elif self.value is None:
            raise ValueError(f"op {self.op!r} needs a value (use 'absent' to match a missing key)")
        return self

    def check_against(self, kind: str) -> None:
        """Refuse a key the kind's definition cannot have, or a value its type cannot take."""
        try:
            self._check_against(kind)
        except ValueError as exc:
            raise ValueError(f"condition on {self.key!r}: {exc}") from None

    def _check_against(self, kind: str) -> None:
        if self.key.startswith(TAG_PREFIX):
            if not self.key[len(TAG_PREFIX) :]:
                raise ValueError("tag: needs a tag key")
            return
        type_name, in_map = shape_type(_definition_shape(kind), split_path(self.key))
        if self.op in ("lt", "gt") and type_name not in _NUMERIC and not (in_map and type_name == "string"):
            raise ValueError(f"op {self.op!r} compares numbers but {self.key} is {_article(type_name)}")
        if self.op == "regex" and type_name != "string":
            raise ValueError(f"op 'regex' matches strings but {self.key} is {_article(type_name)}")
        if self.op in ("eq", "ne"):
            _check_type(self.value, type_name, f"value for {self.key}")
        if self.op in ("in", "not-in"):
            for item in self.value:
                _check_type(item, type_name, f"each value for {self.key}")

    def matches(self, resource: Resource) -> bool:
        found = _lookup(resource, self.key)
        if self.op == "absent":
            return found is _ABSENT
        if self.op == "present":
            return found is not _ABSENT
        if self.op == "eq":
            return found is not _ABSENT and found == self.value
        if self.op == "ne":
            return found is _ABSENT or found != self.value
        if self.op == "in":
            return found is not _ABSENT and found in self.value
        if self.op == "not-in":
            return found is _ABSENT or found not in self.value
        if self.op == "regex":
            return isinstance(found, str) and re.search(self.value, found) is not None
        number, bound = _number(found), float(self.value)
        if number is None:
            return False
        return number < bound if self.op == "lt" else number > bound

    def filters(self) -> Iterator[ValueFilter]:
        yield self


class AllOf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    all: tuple[Condition, ...] = Field(min_length=1)

    def matches(self, resource: Resource) -> bool:
        return all(c.matches(resource) for c in self.all)

    def filters(self) -> Iterator[ValueFilter]:
        for condition in self.all:
            yield from condition.filters()


class AnyOf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    any: tuple[Condition, ...] = Field(min_length=1)

    def matches(self, resource: Resource) -> bool:
        return any(c.matches(resource) for c in self.any)

    def filters(self) -> Iterator[ValueFilter]:
        for condition in self.any:
            yield from condition.filters()


class NotOf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    not_: Condition = Field(alias="not")

    def matches(self, resource: Resource) -> bool:
        return not self.not_.matches(resource)

    def filters(self) -> Iterator[ValueFilter]:
        yield from self.not_.filters()


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return {ValueFilter: "key", AllOf: "all", AnyOf: "any", NotOf: "not"}.get(type(value))
    if isinstance(value, dict):
        return next((k for k in ("all", "any", "not", "key") if k in value), None)
    return None


Condition = Annotated[
    Annotated[ValueFilter, Tag("key")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")],
    Discriminator(
        _condition_tag,
        custom_error_type="invalid_condition",
        custom_error_message="a condition is a value filter {key, op, value} or {all: [...]}, {any: [...]}, {not: ...}",
    ),
]
for _model in (AllOf, AnyOf, NotOf):
    _model.model_rebuild()


# ------------------------------------------------------------------ remedies
class ReportRemedy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["report"] = "report"


class TagRemedy(BaseModel):
    """Set one tag (Glue: keys 1-128, values 0-256 characters; `aws:` is reserved)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["tag"]
    key: str = Field(min_length=1, max_length=128)
    value: str = Field(max_length=256)

    @model_validator(mode="after")
    def _not_reserved(self) -> TagRemedy:
        if self.key.lower().startswith("aws:"):
            raise ValueError(f"tag key {self.key!r}: the aws: prefix is reserved")
        return self


class SetRemedy(BaseModel):
    """Set a definition key (null removes it) through the kind's full-definition update."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["set"]
    key: str = Field(min_length=1)
    value: Any = None

    @model_validator(mode="after")
    def _path(self) -> SetRemedy:
        if self.key.startswith(TAG_PREFIX):
            raise ValueError("set changes the definition; use a tag remedy for tags")
        split_path(self.key)
        return self

    def patch(self, definition: dict[str, Any]) -> dict[str, Any]:
        """A Violation patch: top-level field -> value, merged one level deep by the planner."""
        keys = split_path(self.key)
        if len(keys) == 1:
            return {keys[0]: copy.deepcopy(self.value)}
        top, second, rest = keys[0], keys[1], keys[2:]
        if not rest:
            return {top: {second: copy.deepcopy(self.value)}}
        inner = copy.deepcopy(((definition.get(top) or {}).get(second)) or {})
        node = inner
        for key in rest[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        if self.value is None:
            node.pop(rest[-1], None)
        else:
            node[rest[-1]] = copy.deepcopy(self.value)
        return {top: {second: inner}}


Remedy = Annotated[ReportRemedy | TagRemedy | SetRemedy, Field(discriminator="type")]


# ------------------------------------------------------------------ the rule
class CustomRule(BaseModel):
    """A rule written as data; evaluated by the rule registry beside the built-in rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", description="unique rule id (rule_modes, decisions)")
    kind: str = Field(description="resource kind: job, crawler, trigger, workflow, session, ...")
    description: str = ""
    condition: Condition
    severity: Severity = Severity.MEDIUM
    message: str = Field(min_length=1, max_length=500)
    remedy: Remedy = Field(default_factory=ReportRemedy)

    @model_validator(mode="after")
    def _fits_kind(self) -> CustomRule:
        from glueguard.resources.base import kinds

        known = kinds()
        if self.kind not in known:
            raise ValueError(f"kind: {self.kind!r} is not a governed kind ({', '.join(sorted(known))})")
        for value_filter in self.condition.filters():
            value_filter.check_against(self.kind)
        if isinstance(self.remedy, TagRemedy) and not known[self.kind].taggable:
            raise ValueError(f"remedy 'tag': Glue cannot tag a {self.kind}")
        if isinstance(self.remedy, SetRemedy):
            self._check_set(self.remedy)
        return self

    def _check_set(self, remedy: SetRemedy) -> None:
        if self.kind not in SETTABLE:
            raise ValueError(f"remedy 'set': a {self.kind} cannot be updated in place (use report or tag)")
        shape, fixed = SETTABLE[self.kind]
        keys = split_path(remedy.key)
        if keys[0] in fixed or keys[0] not in _glue_model().shape_for(shape).members:
            raise ValueError(f"remedy 'set': {keys[0]!r} is not a field {shape} can change")
        type_name, _ = shape_type(_definition_shape(self.kind), keys)
        _check_type(remedy.value, type_name, f"remedy 'set': the value for {remedy.key}")

    def evaluate(self, resource: Resource) -> Iterator[Violation]:
        """One violation when the condition matches; a `set` that would not clear it only reports."""
        if not self.condition.matches(resource):
            return
        message = f"{self.message} ({self.id})" if self.id not in self.message else self.message
        if isinstance(self.remedy, TagRemedy):
            yield Violation(self.id, self.severity, message, tags={self.remedy.key: self.remedy.value})
            return
        if isinstance(self.remedy, SetRemedy):
            from glueguard.remediation.plan import apply_patches

            patch = self.remedy.patch(resource.definition)
            fixed = Resource(
                resource.kind,
                resource.name,
                apply_patches(resource.definition, [_patch(self, patch)]),
                resource.tags,
                resource.arn,
                resource.extra,
            )
            if not self.condition.matches(fixed):
                yield Violation(self.id, self.severity, message, patch=patch)
                return
            message += f"; setting {self.remedy.key} does not clear the condition, so it is only reported"
        yield Violation(self.id, self.severity, message)


def _patch(rule: CustomRule, patch: dict[str, Any]) -> Violation:
    return Violation(rule.id, rule.severity, "", patch=patch)
