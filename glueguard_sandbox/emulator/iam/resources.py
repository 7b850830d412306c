"""The resource ARNs each API operation is authorized on, per service, from the parsed request.

Services the plane and its tests call are covered (Glue in `glue.py`); any other operation is authorized
on "*" (documented in docs/sandbox.md as a place where the sandbox can be kinder than AWS).
"""

from __future__ import annotations

import base64
from contextlib import suppress
from typing import Any
from urllib.parse import unquote

from glueguard_sandbox.emulator.iam import glue


def _iam_arn(kind: str, name: str, account: str) -> str:
    from moto.iam.models import iam_backends

    backend = iam_backends[account]["aws"]
    with suppress(Exception):
        if kind == "role":
            return backend.get_role(name).arn
        if kind == "user":
            return backend.get_user(name).arn
    return f"arn:aws:iam::{account}:{kind}/{name}"


def _stack_set_arn(name: str, account: str, region: str) -> str:
    """A stack set's ARN (`stackset/<name>:<uuid>`), or `stackset/<name>:*` when there is no such stack set."""
    from moto.cloudformation.models import cloudformation_backends

    with suppress(Exception):
        return str(cloudformation_backends[account][region].describe_stack_set(name).arn)
    return f"arn:aws:cloudformation:{region}:{account}:stackset/{name}:*"


def kms_key_arn(key_id: str, account: str, region: str) -> str | None:
    """A KeyId as the API takes it (id, ARN, alias name, alias ARN) -> the key's ARN (None: no such key)."""
    from moto.kms.models import kms_backends

    backend = kms_backends[account][region]
    with suppress(Exception):
        return backend.describe_key(key_id).arn
    return None


#: KMS operations that may leave KeyId out: the key is the one the ciphertext names (KMS API reference, Decrypt)
_CIPHERTEXT_OPERATIONS = ("Decrypt",)


def ciphertext_key_id(blob: Any) -> str | None:
    """The key a ciphertext blob was encrypted under, as moto encodes it (its first 36 bytes: the key id)."""
    from moto.kms.utils import KEY_ID_LEN

    if isinstance(blob, str):
        with suppress(ValueError):
            blob = base64.b64decode(blob, validate=True)
    if not isinstance(blob, bytes | bytearray) or len(blob) < KEY_ID_LEN:
        return None
    with suppress(UnicodeDecodeError):
        return bytes(blob[:KEY_ID_LEN]).decode("ascii")
    return None


def _s3(operation: str, p: dict[str, Any]) -> list[str]:
    bucket = p.get("Bucket")
    if operation in ("ListBuckets", "CreateSession"):
        return ["*"]
    if not bucket:
        return ["*"]
    if operation == "DeleteObjects":
        keys = [o.get("Key") for o in (p.get("Delete") or {}).get("Objects", [])]
        return [f"arn:aws:s3:::{bucket}/{k}" for k in keys if k] or [f"arn:aws:s3:::{bucket}/*"]
    if p.get("Key") is not None and operation not in ("ListObjects", "ListObjectsV2", "ListObjectVersions"):
        return [f"arn:aws:s3:::{bucket}/{p['Key']}"]
    return [f"arn:aws:s3:::{bucket}"]


def copy_source(p: dict[str, Any]) -> str | None:
    source = p.get("CopySource")
    if isinstance(source, dict):
        return f"arn:aws:s3:::{source.get('Bucket')}/{source.get('Key')}"
    if isinstance(source, str) and source:
        return "arn:aws:s3:::" + unquote(source.lstrip("/").split("?", 1)[0])
    return None


def _queue_arn(url: str, region: str, account: str) -> str:
    parts = url.rstrip("/").split("/")
    owner = parts[-2] if len(parts) >= 2 and parts[-2].isdigit() else account
    return f"arn:aws:sqs:{region}:{owner}:{parts[-1]}"


def _lambda_arn(name: str, region: str, account: str) -> str:
    if name.startswith("arn:"):
        return name
    if ":" in name:  # account:function:name or name:qualifier
        parts = name.split(":")
        return f"arn:aws:lambda:{region}:{account}:function:{parts[-1] if parts[0].isdigit() else name}"
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


#: EC2 create operations -> the type of the resource they create (authorized on `<type>/*`)
_EC2_CREATES = {
    "CreateVpc": "vpc",
    "CreateSubnet": "subnet",
    "CreateSecurityGroup": "security-group",
    "CreateVpcEndpoint": "vpc-endpoint",
    "CreateRouteTable": "route-table",
    "CreateInternetGateway": "internet-gateway",
    "CreateNetworkInterface": "network-interface",
    "CreateFlowLogs": "vpc-flow-log",
}
#: EC2 request members naming existing resources -> their ARN type
_EC2_MEMBERS = {
    "VpcId": "vpc",
    "SubnetId": "subnet",
    "SubnetIds": "subnet",
    "GroupId": "security-group",
    "SecurityGroupIds": "security-group",
    "RouteTableIds": "route-table",
    "VpcEndpointIds": "vpc-endpoint",
    "FlowLogIds": "vpc-flow-log",
}


#: EC2 id prefix -> ARN type (for CreateTags/DeleteTags `Resources`)
_EC2_ID_TYPES = {
    "vpc": "vpc",
    "subnet": "subnet",
    "sg": "security-group",
    "rtb": "route-table",
    "vpce": "vpc-endpoint",
    "igw": "internet-gateway",
    "eni": "network-interface",
    "fl": "vpc-flow-log",
}


def _ec2(operation: str, p: dict[str, Any], arn: str) -> list[str]:
    """EC2 authorizes a create on the new resource (`<type>/*`) and on every resource the call names."""
    found = [f"arn:aws:ec2:{arn}:{_EC2_CREATES[operation]}/*"] if operation in _EC2_CREATES else []
    for resource_id in p.get("Resources") or p.get("ResourceIds") or []:  # CreateTags; CreateFlowLogs
        kind = _EC2_ID_TYPES.get(str(resource_id).split("-", 1)[0])
        found.append(f"arn:aws:ec2:{arn}:{kind}/{resource_id}" if kind else "*")
    for member, kind in _EC2_MEMBERS.items():
        values = p.get(member)
        for value in values if isinstance(values, list) else [values] if values else []:
            found.append(f"arn:aws:ec2:{arn}:{kind}/{value}")
    return found or ["*"]


def resources(prefix: str, operation: str, p: dict[str, Any], region: str, account: str) -> list[str]:
    """The ARNs `prefix:operation` with parameters `p` is authorized on."""
    arn = f"{region}:{account}"
    if prefix == "glue":
        return glue.resources(operation, p, region, account)
    if prefix == "s3":
        return _s3(operation, p)
    if prefix == "kms":
        key_id = p.get("KeyId") or p.get("TargetKeyId") or p.get("DestinationKeyId")
        if not key_id and operation in _CIPHERTEXT_OPERATIONS:
            key_id = ciphertext_key_id(p.get("CiphertextBlob"))
        key = kms_key_arn(str(key_id), account, region) if key_id else None
        if key_id and key is None:
            return []  # no such key: KMS answers NotFoundException before any authorization
        found = [key] if key else []
        if p.get("AliasName"):
            found.append(f"arn:aws:kms:{arn}:{p['AliasName']}")
        return found or ["*"]
    if prefix == "iam":
        if operation in ("CreateRole", "CreateUser") and p.get("Path"):
            kind, name = ("role", p.get("RoleName")) if operation == "CreateRole" else ("user", p.get("UserName"))
            return [f"arn:aws:iam::{account}:{kind}{p['Path']}{name}"]
        for kind, key in (("role", "RoleName"), ("user", "UserName"), ("group", "GroupName")):
            if p.get(key):
                return [_iam_arn(kind, p[key], account)]
        if p.get("PolicyArn"):
            return [p["PolicyArn"]]
        if p.get("PolicyName") and operation == "CreatePolicy":
            return [f"arn:aws:iam::{account}:policy{p.get('Path') or '/'}{p['PolicyName']}"]
        if p.get("InstanceProfileName"):
            return [f"arn:aws:iam::{account}:instance-profile/{p['InstanceProfileName']}"]
        return ["*"]
    if prefix == "sts":
        return [p["RoleArn"]] if p.get("RoleArn") else ["*"]
    if prefix == "dynamodb":
        if p.get("TableName"):
            return [f"arn:aws:dynamodb:{arn}:table/{p['TableName']}"]
        if isinstance(p.get("RequestItems"), dict):
            return [f"arn:aws:dynamodb:{arn}:table/{t}" for t in p["RequestItems"]]
        return ["*"]
    if prefix == "sqs":
        if p.get("QueueUrl"):
            return [_queue_arn(p["QueueUrl"], region, account)]
        if p.get("QueueName"):
            return [f"arn:aws:sqs:{arn}:{p['QueueName']}"]
        return ["*"]
    if prefix == "sns":
        target = p.get("TopicArn") or p.get("TargetArn") or p.get("ResourceArn")
        if target:
            return [target]
        return [f"arn:aws:sns:{arn}:{p['Name']}"] if operation == "CreateTopic" and p.get("Name") else ["*"]
    if prefix == "lambda":
        name = p.get("FunctionName")
        return [_lambda_arn(str(name), region, account)] if name else ["*"]
    if prefix == "states":
        target = p.get("stateMachineArn") or p.get("executionArn") or p.get("resourceArn")
        if target:
            return [target]
        return [f"arn:aws:states:{arn}:stateMachine:{p['name']}"] if operation == "CreateStateMachine" else ["*"]
    if prefix == "events":
        bus = p.get("EventBusName") or "default"
        bus = bus.rsplit("/", 1)[-1] if bus.startswith("arn:") else bus
        if operation == "PutEvents":
            buses = {(e.get("EventBusName") or "default") for e in p.get("Entries") or []} or {"default"}
            return sorted(b if b.startswith("arn:") else f"arn:aws:events:{arn}:event-bus/{b}" for b in buses)
        name = p.get("Name") or p.get("Rule")
        if name:
            return [
                f"arn:aws:events:{arn}:rule/{name}" if bus == "default" else f"arn:aws:events:{arn}:rule/{bus}/{name}"
            ]
        return [p["ResourceARN"]] if p.get("ResourceARN") else ["*"]
    if prefix == "logs":
        group = p.get("logGroupName")
        if group and p.get("logStreamName"):
            return [f"arn:aws:logs:{arn}:log-group:{group}:log-stream:{p['logStreamName']}"]
        return [f"arn:aws:logs:{arn}:log-group:{group}:*"] if group else ["*"]
    if prefix == "ec2":
        return _ec2(operation, p, arn)
    if prefix == "cloudformation" and p.get("StackSetName"):
        return [_stack_set_arn(str(p["StackSetName"]), account, region)]
    if prefix == "ssm":
        names = [p["Name"]] if p.get("Name") else list(p.get("Names") or [])
        return [f"arn:aws:ssm:{arn}:parameter/{n.lstrip('/')}" for n in names] or ["*"]
    from glueguard_sandbox.emulator.iam.catalog import actions_for, arns_from_templates

    return sorted(
        {a for action in actions_for(prefix, operation) for a in arns_from_templates(action, p, region, account)}
    )


def resource_account(resource: str, default: str) -> str:
    """The account that owns `resource` (S3 ARNs carry none: the bucket's owner)."""
    parts = resource.split(":")
    if len(parts) >= 6 and parts[4]:
        return parts[4]
    if resource.startswith("arn:aws:s3:::"):
        from moto.s3.models import s3_backends

        bucket = resource.removeprefix("arn:aws:s3:::").split("/", 1)[0]
        for account, partitions in list(s3_backends.items()):
            backend = partitions.get("aws") if hasattr(partitions, "get") else None
            if backend is not None and bucket in backend.buckets:
                return account
    return default
