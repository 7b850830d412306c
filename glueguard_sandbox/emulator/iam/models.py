"""The backend side of IAM enforcement: who a request's access key belongs to, which policies apply to it
(identity, boundary, the resource's own policy) and the tags evaluated as aws:PrincipalTag/ResourceTag.

Read from moto's backends at each request, so a policy change takes effect on the next call (IAM's
eventual consistency is not simulated). The access key `testing` and 12-digit keys (moto's account keys)
are the account's root user: all identity permissions, still subject to resource-policy denies and to the
key policies and trust policies AWS requires.
"""

from __future__ import annotations

import json
import re
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from moto.core.utils import utcnow

from glueguard_sandbox.emulator.iam.policy import Policies, Principal

ADMIN_KEYS = {"testing"}
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass(frozen=True)
class Caller:
    """A resolved principal with its identity policies, boundary and context keys."""

    principal: Principal
    identity: list[dict[str, Any]] = field(default_factory=list)
    boundary: dict[str, Any] | None = None
    context: dict[str, list[str]] = field(default_factory=dict)
    #: the session policies the session was created with (AssumeRole `Policy` and `PolicyArns`)
    session: list[dict[str, Any]] | None = None


class UnknownAccessKeyError(LookupError):
    """The access key belongs to no user, session or account (AWS: InvalidClientTokenId)."""


class ExpiredTokenError(LookupError):
    """The access key is a session's whose Expiration has passed on the sandbox's clock (AWS: ExpiredToken)."""


def _document(policy: Any) -> dict[str, Any]:
    if isinstance(policy, str):
        from urllib.parse import unquote

        text = policy if policy.lstrip().startswith("{") else unquote(policy)
        return json.loads(text)
    return dict(policy)


def _managed(policy: Any) -> dict[str, Any]:
    version = next((v for v in policy.versions if v.is_default), None)
    return _document(version.document if version is not None else policy.document)


def _tags(entity: Any) -> dict[str, str]:
    tags = getattr(entity, "tags", None) or {}
    if isinstance(tags, dict):
        return {
            str(v.get("Key", k)) if isinstance(v, dict) else k: str(v.get("Value") if isinstance(v, dict) else v)
            for k, v in tags.items()
        }
    return {t["Key"]: t["Value"] for t in tags if isinstance(t, dict) and "Key" in t}


def _boundary(backend: Any, arn: str | None) -> dict[str, Any] | None:
    if not arn:
        return None
    with suppress(Exception):
        return _managed(backend.get_policy(arn))
    return {"Version": "2012-10-17", "Statement": []}  # a boundary that no longer exists allows nothing


def _session_policies(backend: Any, session: Any) -> list[dict[str, Any]] | None:
    """The inline `Policy` and the managed `PolicyArns` an AssumeRole passed (None: neither)."""
    found = [_document(session.policy)] if getattr(session, "policy", None) else []
    for arn in getattr(session, "policy_arns", None) or []:
        try:
            found.append(_managed(backend.get_policy(arn)))
        except Exception:  # STS refuses a PolicyArns entry that does not exist; allow nothing for it
            found.append({"Version": "2012-10-17", "Statement": []})
    return found or None


def caller(access_key: str) -> Caller:
    """The principal behind `access_key`, with what IAM evaluates for it."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    if access_key in ADMIN_KEYS or re.fullmatch(r"\d{12}", access_key):
        from moto.iam.models import get_account_id_from

        account = get_account_id_from(access_key)
        root = Principal(f"arn:aws:iam::{account}:root", account, "Root")
        return Caller(root, [ALLOW_ALL], None, _global(root, {}, account))
    for _, partitions in list(sts_backends.items()):
        backend = partitions.get("aws") if hasattr(partitions, "get") else None
        session = backend.get_assumed_role_from_access_key(access_key) if backend else None
        if session is None:
            continue
        if session.expiration <= utcnow():  # STS credentials stop working at their Expiration
            raise ExpiredTokenError(access_key)
        account = session.role_arn.split(":")[4]
        iam = iam_backends[account]["aws"]
        role = next((r for r in iam.roles.values() if r.arn == session.role_arn), None)
        principal = Principal(session.arn, account, "AssumedRole", session.role_arn)
        if role is None:  # the role was deleted: its sessions keep no permissions
            return Caller(principal, [], None, _global(principal, {}, account))
        identity = [_document(d) for d in role.policies.values()] + [
            _managed(p) for p in role.managed_policies.values()
        ]
        tags = {**_tags(role), **(getattr(session, "gg_session_tags", None) or {})}  # session tags win
        context = _global(principal, tags, account, userid=f"{role.id}:{session.session_name}")
        boundary = _boundary(iam, role.permissions_boundary_arn)
        return Caller(principal, identity, boundary, context, _session_policies(iam, session))
    from moto.iam.models import get_account_id_from

    account = get_account_id_from(access_key)
    iam = iam_backends[account]["aws"]
    user = iam.get_user_from_access_key_id(access_key)
    if user is None:
        raise UnknownAccessKeyError(access_key)
    principal = Principal(user.arn, account, "IAMUser")
    identity = [_document(d) for d in user.policies.values()] + [_managed(p) for p in user.managed_policies.values()]
    for group in iam.get_groups_for_user(user.name):
        identity += [_document(d) for d in group.policies.values()] + [
            _managed(p) for p in group.managed_policies.values()
        ]
    context = _global(principal, _tags(user), account, userid=user.id, username=user.name)
    return Caller(principal, identity, _boundary(iam, getattr(user, "permissions_boundary_arn", None)), context)


def _global(
    principal: Principal, tags: dict[str, str], account: str, userid: str = "", username: str = ""
) -> dict[str, list[str]]:
    kinds = {"AssumedRole": "AssumedRole", "IAMUser": "User", "Root": "Account"}
    context = {
        "aws:PrincipalArn": [principal.issuer or principal.arn],
        "aws:PrincipalAccount": [account],
        "aws:PrincipalType": [kinds.get(principal.kind, principal.kind)],
        "aws:userid": [userid or account],
        **{f"aws:PrincipalTag/{k}": [v] for k, v in tags.items()},
    }
    if username:
        context["aws:username"] = [username]
    from glueguard_sandbox.emulator.organizations.models import organization_id

    org = organization_id(account)
    if org:
        context["aws:PrincipalOrgID"] = [org]
    return context


# ------------------------------------------------------------------------------- resource side
def resource_policy(prefix: str, resource: str, region: str, account: str) -> tuple[dict[str, Any] | None, bool]:
    """(the policy attached to `resource`, whether the service requires it to allow)."""
    with suppress(Exception):
        if prefix == "s3":
            from moto.s3.models import s3_backends

            bucket = resource.removeprefix("arn:aws:s3:::").split("/", 1)[0]
            policy = s3_backends[account]["aws"].get_bucket(bucket).policy
            return (_document(policy.decode() if isinstance(policy, bytes) else policy) if policy else None), False
        if prefix == "kms" and ":key/" in resource:
            from moto.kms.models import kms_backends

            key = kms_backends[account][region].describe_key(resource)
            return _document(key.policy), True
        if prefix == "sts" and ":role/" in resource:
            from moto.iam.models import iam_backends

            role = next(r for r in iam_backends[account]["aws"].roles.values() if r.arn == resource)
            return _document(role.assume_role_policy_document or "{}"), True
        if prefix == "sqs":
            from moto.sqs.models import sqs_backends

            queue = sqs_backends[account][region].get_queue(resource.rsplit(":", 1)[-1])
            return (_document(queue.policy) if getattr(queue, "policy", None) else None), False
        if prefix == "sns":
            from moto.sns.models import sns_backends

            topic = sns_backends[account][region].get_topic(resource)
            return (_document(topic.policy) if getattr(topic, "policy", None) else None), False
        if prefix == "lambda":
            from moto.awslambda.models import lambda_backends

            fn = lambda_backends[account][region].get_function(resource)
            policy = fn.policy.get_policy() if getattr(fn, "policy", None) else None
            return (_document(policy) if policy else None), False
    return None, prefix in ("kms", "sts") and (":key/" in resource or ":role/" in resource)


def resource_tags(prefix: str, resource: str, region: str, account: str) -> dict[str, str]:
    with suppress(Exception):
        if prefix == "glue":
            from glueguard_sandbox.emulator.iam import glue

            return glue.resource_tags(resource, account, region)
        if prefix == "s3" and resource.count("/") == 0 and resource != "*":
            from moto.s3.models import s3_backends

            backend = s3_backends[account]["aws"]
            bucket = backend.get_bucket(resource.removeprefix("arn:aws:s3:::"))
            return dict(backend.tagger.get_tag_dict_for_resource(bucket.arn))
        if prefix == "kms" and ":key/" in resource:
            from moto.kms.models import kms_backends

            backend = kms_backends[account][region]
            key = backend.describe_key(resource)
            return {t["TagKey"]: t["TagValue"] for t in backend.list_resource_tags(key.id).get("Tags", [])}
        if prefix == "ec2" and "/" in resource and not resource.endswith("/*"):
            from moto.ec2.models import ec2_backends

            return dict(ec2_backends[account][region].tags.get(resource.rsplit("/", 1)[-1], {}))
        if prefix in ("iam", "sts") and ":role/" in resource:
            from moto.iam.models import iam_backends

            role = next(r for r in iam_backends[account]["aws"].roles.values() if r.arn == resource)
            return _tags(role)
    return {}


def _role_boundary(role_arn: str, account: str) -> dict[str, list[str]]:
    from moto.iam.models import iam_backends

    role = next((r for r in iam_backends[account]["aws"].roles.values() if r.arn == role_arn), None)
    boundary = getattr(role, "permissions_boundary_arn", None) if role else None
    return {"iam:PermissionsBoundary": [boundary]} if boundary else {}


def key_aliases(key_arn: str, region: str, account: str) -> list[str]:
    """kms:ResourceAliases: the aliases of the key (`alias/<name>`)."""
    from moto.kms.models import kms_backends

    with suppress(Exception):
        key = kms_backends[account][region].describe_key(key_arn)
        return sorted(key.aliases)
    return []


def policies_for(caller_: Caller, prefix: str, resource: str, region: str, account: str) -> Policies:
    """Everything that applies: the caller's policies, the resource's, and the organizations' SCPs (of the
    caller's account) and RCPs (of the resource's). Service principals and service-linked roles are subject
    to neither ("SCP evaluation", "RCP evaluation")."""
    from glueguard_sandbox.emulator.organizations import control

    document, required = resource_policy(prefix, resource, region, account)
    principal = caller_.principal
    exempt = principal.kind == "Service" or "/aws-service-role/" in (principal.issuer or "")
    scps = [] if exempt else control.levels(principal.account, control.SCP)
    rcps = [] if exempt or prefix not in control.RCP_SERVICES else control.levels(account, control.RCP)
    return Policies(
        caller_.identity, caller_.boundary, document, required, session=caller_.session, scps=scps, rcps=rcps
    )


# ------------------------------------------------------------------------------- a whole call
@dataclass(frozen=True)
class Check:
    """One authorization a call needs: the action on one resource, with its context."""

    action: str
    resource: str
    context: dict[str, list[str]]


@dataclass(frozen=True)
class Denial:
    principal: Principal
    check: Check
    reason: str


def checks(
    prefix: str, operation: str, params: dict[str, Any], region: str, account: str, extra: dict[str, list[str]]
) -> list[Check]:
    """Every (action, resource) the call is authorized as, the implied ones (iam:PassRole, KMS under
    SSE-KMS) included."""
    from glueguard_sandbox.emulator.iam import catalog, glue
    from glueguard_sandbox.emulator.iam.resources import copy_source, resources

    found: list[Check] = []
    request_context = {**extra, **request_tags(params)}
    if prefix == "glue":
        request_context.update(glue.request_context(operation, params, region, account))
    if prefix == "s3":
        request_context.update(_s3_context(params))
    if prefix == "iam":
        request_context.update(_iam_context(params))
    if prefix == "sts" and params.get("ExternalId"):
        request_context["sts:ExternalId"] = [str(params["ExternalId"])]
    for action in catalog.actions_for(prefix, operation):
        context = catalog.filter_context(action, request_context)
        found += [Check(action, arn, context) for arn in resources(prefix, operation, params, region, account)]
    if prefix == "s3" and operation == "CopyObject" and copy_source(params):
        found.append(
            Check("s3:GetObject", str(copy_source(params)), catalog.filter_context("s3:GetObject", request_context))
        )
    if prefix == "s3":
        found += _sse_kms_checks(operation, params, region, account, extra)
    if prefix == "sns" and operation in _SNS_PUBLISHES:
        found += _sns_kms_checks(params, account, extra)
    if prefix == "ec2" and operation.startswith("Create") and params.get("TagSpecifications"):
        # tagging on create needs ec2:CreateTags too, with ec2:CreateAction naming the create (EC2 user guide)
        tagging = {**catalog.filter_context("ec2:CreateTags", request_context), "ec2:CreateAction": [operation]}
        found += [Check("ec2:CreateTags", c.resource, tagging) for c in found if c.resource.endswith("/*")]
    if prefix == "sts" and operation.startswith("AssumeRole") and params.get("Tags"):
        # session tags need sts:TagSession too, from the caller's policies and the role's trust policy
        # (IAM user guide, "Pass session tags in AWS STS": permissions required to add session tags)
        tagging = catalog.filter_context("sts:TagSession", request_context)
        found += [Check("sts:TagSession", c.resource, tagging) for c in found if c.action == "sts:AssumeRole"]
    if prefix == "glue":
        role = glue.passed_role(operation, params, account)
        if role:
            found.append(Check("iam:PassRole", role, {**extra, "iam:PassedToService": [glue.GLUE_SERVICE]}))
    if prefix == "ec2" and operation == "CreateFlowLogs" and params.get("DeliverLogsPermissionArn"):
        # the role flow logs deliver to CloudWatch Logs with is passed to them (VPC user guide, "IAM role for
        # publishing flow logs to CloudWatch Logs": the caller needs iam:PassRole on it)
        passed = {**extra, "iam:PassedToService": ["vpc-flow-logs.amazonaws.com"]}
        found.append(Check("iam:PassRole", str(params["DeliverLogsPermissionArn"]), passed))
    return found


#: request members that carry the tags a call sets, across the services' shapes
_TAG_MEMBERS = ("Tags", "TagsToAdd", "tags", "TagList", "Tagging", "TagSpecifications")
#: request members that list the tag keys an untag call removes (Glue, KMS, IAM, SNS, SQS, Lambda)
_UNTAG_MEMBERS = ("TagsToRemove", "TagKeys", "tagKeys")


def request_tags(params: dict[str, Any]) -> dict[str, list[str]]:
    """aws:RequestTag/<key> and aws:TagKeys from the tags the request sets (a map, or a list of Key/Value or
    TagKey/TagValue pairs); for an untag request, aws:TagKeys alone from the keys it removes."""
    tags: dict[str, str] = {}
    for member in _TAG_MEMBERS:
        value = params.get(member)
        if isinstance(value, dict) and "TagSet" in value:
            value = value["TagSet"]
        if member == "TagSpecifications" and isinstance(value, list):  # EC2: [{ResourceType, Tags: [...]}]
            value = [tag for spec in value if isinstance(spec, dict) for tag in spec.get("Tags") or []]
        if isinstance(value, dict):
            tags.update({str(k): str(v) for k, v in value.items()})
        elif isinstance(value, list):
            for pair in value:
                if isinstance(pair, dict):
                    key = pair.get("Key", pair.get("TagKey", pair.get("key")))
                    if key is not None:
                        tags[str(key)] = str(pair.get("Value", pair.get("TagValue", pair.get("value", ""))))
    removed = [str(k) for member in _UNTAG_MEMBERS for k in params.get(member) or [] if isinstance(k, str)]
    if removed:  # an untag request names only keys (Glue UntagResource: TagsToRemove)
        return {"aws:TagKeys": sorted(set(removed))}
    if not tags:
        return {}
    return {**{f"aws:RequestTag/{k}": [v] for k, v in tags.items()}, "aws:TagKeys": sorted(tags)}


_S3_WRITES = ("PutObject", "CopyObject", "CreateMultipartUpload", "UploadPart", "UploadPartCopy")
_S3_READS = ("GetObject", "HeadObject", "SelectObjectContent", "GetObjectAttributes")


def _sse_kms_checks(
    operation: str, params: dict[str, Any], region: str, account: str, extra: dict[str, list[str]]
) -> list[Check]:
    """The KMS calls S3 makes for the caller under SSE-KMS (S3 user guide, "Specifying server-side encryption
    with AWS KMS"): writing needs kms:GenerateDataKey on the key the object is encrypted with (the request's,
    else the bucket's default), reading needs kms:Decrypt on the key the object was encrypted with."""
    from moto.s3.models import s3_backends

    from glueguard_sandbox.emulator.iam import catalog
    from glueguard_sandbox.emulator.iam.resources import kms_key_arn

    bucket_name, key_name = params.get("Bucket"), params.get("Key")
    if not bucket_name or key_name is None:
        return []
    try:
        bucket = s3_backends[account]["aws"].get_bucket(bucket_name)
    except Exception:
        return []  # no such bucket: S3 answers NoSuchBucket
    key_id: str | None = None
    if operation in _S3_WRITES:
        action = "kms:GenerateDataKey"
        if params.get("ServerSideEncryption") == "aws:kms" or params.get("SSEKMSKeyId"):
            key_id = params.get("SSEKMSKeyId")
        elif params.get("ServerSideEncryption") is None and bucket.encryption:
            default = bucket.encryption["Rule"]["ApplyServerSideEncryptionByDefault"]
            if default.get("SSEAlgorithm") == "aws:kms":
                key_id = default.get("KMSMasterKeyID")
    elif operation in _S3_READS:
        action = "kms:Decrypt"
        stored = bucket.keys.get(key_name) if hasattr(bucket, "keys") else None
        if stored is not None and getattr(stored, "encryption", None) == "aws:kms":
            key_id = stored.kms_key_id
    else:
        return []
    if not key_id:  # SSE-S3, or the AWS managed key aws/s3 (its policy lets S3 use it for the account)
        return []
    key_arn = kms_key_arn(str(key_id), account, region)
    if key_arn is None:
        return []  # S3 reports the missing key itself
    context = {
        **extra,
        "kms:ViaService": [f"s3.{region}.amazonaws.com"],
        "kms:CallerAccount": extra.get("aws:PrincipalAccount", [account]),
        "kms:EncryptionContext:aws:s3:arn": [f"arn:aws:s3:::{bucket_name}"],
        "aws:CalledVia": ["s3.amazonaws.com"],
    }
    return [Check(action, key_arn, catalog.filter_context(action, context))]


_SNS_PUBLISHES = ("Publish", "PublishBatch")
#: the AWS managed key of SNS: its key policy lets every principal of the account use it through SNS
_SNS_MANAGED_KEY = "alias/aws/sns"


def _sns_kms_checks(params: dict[str, Any], account: str, extra: dict[str, list[str]]) -> list[Check]:
    """The KMS calls SNS makes for a publisher to an encrypted topic (SNS developer guide, "Key management":
    publishers need kms:GenerateDataKey* and kms:Decrypt on the topic's key; the encryption context names the
    topic). A topic under the AWS managed key aws/sns needs nothing more."""
    from moto.sns.models import sns_backends

    from glueguard_sandbox.emulator.iam import catalog
    from glueguard_sandbox.emulator.iam.resources import kms_key_arn

    topic_arn = str(params.get("TopicArn") or "")
    parts = topic_arn.split(":")
    if len(parts) != 6:
        return []
    topic_region, topic_account = parts[3], parts[4]
    topic = sns_backends[topic_account][topic_region].topics.get(topic_arn)
    key_id = str(getattr(topic, "kms_master_key_id", "") or "")
    if not key_id or key_id.endswith(_SNS_MANAGED_KEY):
        return []
    key_arn = kms_key_arn(key_id, topic_account, topic_region)
    if key_arn is None:
        return []  # SNS reports the missing key itself
    context = {
        **extra,
        "kms:ViaService": [f"sns.{topic_region}.amazonaws.com"],
        "kms:CallerAccount": extra.get("aws:PrincipalAccount", [account]),
        "kms:EncryptionContext:aws:sns:topicArn": [topic_arn],
        "aws:CalledVia": ["sns.amazonaws.com"],
    }
    return [Check(a, key_arn, catalog.filter_context(a, context)) for a in ("kms:GenerateDataKey", "kms:Decrypt")]


def _iam_context(params: dict[str, Any]) -> dict[str, list[str]]:
    """iam:PermissionsBoundary and iam:PolicyARN, from the request (Service Authorization Reference, IAM)."""
    context: dict[str, list[str]] = {}
    if params.get("PermissionsBoundary"):
        context["iam:PermissionsBoundary"] = [str(params["PermissionsBoundary"])]
    if params.get("PolicyArn"):
        context["iam:PolicyARN"] = [str(params["PolicyArn"])]
    return context


def _s3_context(params: dict[str, Any]) -> dict[str, list[str]]:
    # the sandbox stands in for S3's TLS endpoints (SDKs negotiate TLS 1.2 or 1.3)
    context: dict[str, list[str]] = {"s3:TlsVersion": ["1.3"]}
    if params.get("ServerSideEncryption"):
        context["s3:x-amz-server-side-encryption"] = [str(params["ServerSideEncryption"])]
    if params.get("SSEKMSKeyId"):
        context["s3:x-amz-server-side-encryption-aws-kms-key-id"] = [str(params["SSEKMSKeyId"])]
    return context


def authorize(
    access_key: str, prefix: str, operation: str, params: dict[str, Any], region: str, extra: dict[str, list[str]]
) -> Denial | None:
    """None when every check of the call is allowed; else the first denial."""
    from glueguard_sandbox.emulator.iam import catalog
    from glueguard_sandbox.emulator.iam.policy import Request, evaluate
    from glueguard_sandbox.emulator.iam.resources import resource_account
    from glueguard_sandbox.emulator.organizations.models import organization_id

    who = caller(access_key)  # an unknown or expired key is refused even where no permission is needed
    if (prefix, operation) in catalog.UNAUTHORIZED_OPERATIONS:
        return None
    account = who.principal.account
    for check in checks(prefix, operation, params, region, account, {**who.context, **extra}):
        service = check.action.partition(":")[0]
        owner = resource_account(check.resource, account)
        context = dict(check.context)
        if check.resource != "*":
            tags = resource_tags(service, check.resource, region, owner)
            context.update({f"aws:ResourceTag/{k}": [v] for k, v in tags.items()})
            if service == "kms" and ":key/" in check.resource:
                context["kms:ResourceAliases"] = key_aliases(check.resource, region, owner)
            if service == "iam" and ":role/" in check.resource and "iam:PermissionsBoundary" not in context:
                # on an existing role, the key is the boundary the role has (Service Authorization Reference)
                context.update(_role_boundary(check.resource, owner))
            context = catalog.filter_context(check.action, context)
        context["aws:ResourceAccount"] = [owner]
        if org := organization_id(owner):  # the resource's account's organization (global condition keys)
            context["aws:ResourceOrgID"] = [org]
        lookup = "sts" if check.action in ("sts:AssumeRole", "sts:TagSession") else service
        decision = evaluate(
            Request(who.principal, check.action, check.resource, context, owner),
            policies_for(who, lookup, check.resource, region, owner),
        )
        if not decision.allowed:
            return Denial(who.principal, check, decision.reason)
    return None


def service_session(
    role_arn: str, service: str, session_name: str | None = None, source_arn: str | None = None
) -> dict[str, str]:
    """Credentials of the STS session `service` (e.g. glue.amazonaws.com for a job run) gets for `role_arn`,
    refused as AWS refuses it when the role's trust policy does not let that service assume it. The service
    acts for a resource of the role's account: aws:SourceAccount (and aws:SourceArn when known) are set."""

    from glueguard_sandbox.emulator.iam.policy import Request, evaluate

    if not role_arn.startswith("arn:") or ":role/" not in role_arn or not service.endswith(".amazonaws.com"):
        raise ValueError("a service session needs a role ARN and a service principal (<name>.amazonaws.com)")
    account = role_arn.split(":")[4]
    trust, _ = resource_policy("sts", role_arn, "us-east-1", account)
    principal = Principal(service, account, "Service")
    context = {"aws:SourceAccount": [account], **({"aws:SourceArn": [source_arn]} if source_arn else {})}
    decision = evaluate(
        Request(principal, "sts:AssumeRole", role_arn, context, account), Policies([], None, trust, True)
    )
    if not decision.allowed:
        raise PermissionError(f"{service} cannot assume {role_arn}: {decision.reason}")
    return session_credentials(account, role_arn, session_name or service.split(".", 1)[0].upper() + "-session")


def session_credentials(account: str, role_arn: str, session_name: str) -> dict[str, str]:
    """A new STS session of `role_arn` (the caller has been authorized already): its credentials."""
    from moto.sts.models import sts_backends

    session = sts_backends[account]["aws"].assume_role(
        region_name="us-east-1",
        role_session_name=session_name,
        role_arn=role_arn,
        policy="",
        duration=3600,
        external_id="",
    )
    return {
        "AccessKeyId": session.access_key_id,
        "SecretAccessKey": session.secret_access_key,
        "SessionToken": session.session_token,
    }
