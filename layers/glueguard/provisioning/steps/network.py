"""The project network: the given VPC or a private one (no internet gateway) with one subnet per AZ, and the
security group project-{uuid}-glue-sg (no inbound but itself; out: 443 only to the VPC (interface endpoints) and
the S3/DynamoDB gateway endpoints' prefix lists, 8182 to the VPC, itself)."""

from __future__ import annotations

import ipaddress
from typing import Any

from botocore.exceptions import ClientError

from glueguard.adapters.clients import client
from glueguard.provisioning.context import Context, ProvisioningError, TransientError, error_code
from glueguard.provisioning.steps import flow_logs

HTTPS, NEPTUNE = 443, 8182
#: The tag a VPC's owner sets to let the provisioner place projects in it (the only VPCs its IAM policy allows).
OPEN_TAG = "glueguard:allow-projects"


def _tag_specs(ctx: Context, resource_type: str, name: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type, "Tags": [*ctx.tag_list(), {"Key": "Name", "Value": name}]}]


def _given(ctx: Context) -> tuple[str, list[str]]:
    """Check the request's VPC and subnets exist and belong together."""
    assert ctx.request is not None
    ec2 = client("ec2")
    settings = ctx.request.network
    try:
        vpc = ec2.describe_vpcs(VpcIds=[settings.vpc_id])["Vpcs"][0]
        subnets = ec2.describe_subnets(SubnetIds=settings.subnet_ids)["Subnets"]
    except ClientError as exc:
        if (
            error_code(exc).endswith(".NotFound")
            or error_code(exc).startswith("InvalidVpcID")
            or "Subnet" in error_code(exc)
        ):
            raise ProvisioningError(f"network settings: {exc.response['Error']['Message']}") from None
        raise
    if {"Key": OPEN_TAG, "Value": "true"} not in vpc.get("Tags", []):
        raise ProvisioningError(
            f"network settings: {settings.vpc_id} is not open to glueguard projects: its owner tags it "
            f"{OPEN_TAG}=true after reading docs/security.md ('Given VPCs')"
        )
    strays = [s["SubnetId"] for s in subnets if s["VpcId"] != settings.vpc_id]
    if strays:
        raise ProvisioningError(f"network settings: subnets {strays} are not in {settings.vpc_id}")
    return str(settings.vpc_id), list(settings.subnet_ids)


def _create_vpc(ctx: Context) -> tuple[str, list[str]]:
    assert ctx.request is not None
    ec2 = client("ec2")
    settings = ctx.request.network
    found = ctx.network()
    vpc_id = found.vpc_id
    if vpc_id is None:
        vpc_id = ec2.create_vpc(CidrBlock=settings.vpc_cidr, TagSpecifications=_tag_specs(ctx, "vpc", ctx.vpc_name))[
            "Vpc"
        ]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})  # interface endpoints' private DNS
    zones = [
        z["ZoneName"]
        for z in ec2.describe_availability_zones(Filters=[{"Name": "state", "Values": ["available"]}])[
            "AvailabilityZones"
        ]
    ][: settings.az_count]
    if len(zones) < settings.az_count:
        raise ProvisioningError(f"network settings: azCount {settings.az_count} but the region has {len(zones)} zones")
    existing = {
        s["AvailabilityZone"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    }
    blocks = list(
        ipaddress.ip_network(settings.vpc_cidr).subnets(
            new_prefix=ipaddress.ip_network(settings.vpc_cidr).prefixlen + 4
        )
    )
    for index, zone in enumerate(zones):
        if zone not in existing:
            ec2.create_subnet(
                VpcId=vpc_id,
                CidrBlock=str(blocks[index]),
                AvailabilityZone=zone,
                TagSpecifications=_tag_specs(ctx, "subnet", f"{ctx.subnet_name_prefix}{zone}"),
            )
    return vpc_id, ctx.created_subnets()


def _permission(port: int | None, **target: Any) -> dict[str, Any]:
    if port is None:
        return {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, **target}
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **target}


def _security_group(ctx: Context, vpc_id: str) -> str:
    ec2 = client("ec2")
    sg = ctx.security_group_id(vpc_id)
    if sg is None:
        sg = ec2.create_security_group(
            GroupName=ctx.names.security_group,
            Description=f"glueguard {ctx.names.prefix}: Glue workers (no inbound but themselves)",
            VpcId=vpc_id,
            TagSpecifications=_tag_specs(ctx, "security-group", ctx.names.security_group),
        )["GroupId"]
    ec2.create_tags(Resources=[sg], Tags=ctx.tag_list())
    cidr = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["CidrBlock"]
    self_ref = {"UserIdGroupPairs": [{"GroupId": sg, "Description": "Glue worker-to-worker"}]}
    egress = [
        _permission(HTTPS, IpRanges=[{"CidrIp": cidr, "Description": "HTTPS to the VPC's interface endpoints (Glue)"}]),
        _permission(HTTPS, PrefixListIds=_gateway_prefix_lists(ctx)),
        _permission(NEPTUNE, IpRanges=[{"CidrIp": cidr, "Description": "Neptune in the VPC"}]),
        _permission(None, **self_ref),
    ]
    # nothing leaves for the internet (docs/security.md, item 6): also the 443-anywhere rule of earlier versions
    _revoke(ec2.revoke_security_group_egress, sg, [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    _revoke(ec2.revoke_security_group_egress, sg, [_permission(HTTPS, IpRanges=[{"CidrIp": "0.0.0.0/0"}])])
    for permission in egress:
        _authorize(ec2.authorize_security_group_egress, sg, permission)
    _authorize(ec2.authorize_security_group_ingress, sg, _permission(None, **self_ref))
    return sg


def _gateway_prefix_lists(ctx: Context) -> list[dict[str, str]]:
    """The AWS-managed prefix lists of the region's S3 and DynamoDB (what their gateway endpoints route)."""
    names = [f"com.amazonaws.{ctx.region}.{service}" for service in ("s3", "dynamodb")]
    found = client("ec2").describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": names}])["PrefixLists"]
    if len(found) != len(names):
        raise ProvisioningError(f"prefix lists {names} not all found in {ctx.region}")
    return [
        {"PrefixListId": p["PrefixListId"], "Description": f"HTTPS to the {p['PrefixListName']} gateway endpoint"}
        for p in sorted(found, key=lambda p: p["PrefixListName"])
    ]


def _authorize(call: Any, sg: str, permission: dict[str, Any]) -> None:
    try:
        call(GroupId=sg, IpPermissions=[permission])
    except ClientError as exc:
        if error_code(exc) != "InvalidPermission.Duplicate":
            raise


def _revoke(call: Any, sg: str, permissions: list[dict[str, Any]]) -> None:
    try:
        call(GroupId=sg, IpPermissions=permissions)
    except ClientError as exc:
        if error_code(exc) != "InvalidPermission.NotFound":
            raise


def create(ctx: Context) -> dict[str, Any]:
    if ctx.request is None:
        raise ProvisioningError("creating the network needs the provisioning request")
    created = ctx.request.network.creates_vpc
    vpc_id, subnets = _create_vpc(ctx) if created else _given(ctx)
    sg = _security_group(ctx, vpc_id)
    outputs = {"vpc_id": vpc_id, "subnet_ids": subnets, "security_group_id": sg, "vpc_created": created}
    if created and flow_logs.available():  # a given VPC's flow logs are its owner's ("Given VPCs")
        outputs["flow_log_id"] = flow_logs.ensure(ctx, vpc_id)
    return outputs


def delete(ctx: Context, retain_data: bool) -> list[str]:
    """Remove the SG and, when glueguard created it, the VPC with its subnets. The data lives elsewhere."""
    ec2 = client("ec2")
    removed: list[str] = []
    found = ctx.network()
    try:
        if found.security_group_id:
            ec2.delete_security_group(GroupId=found.security_group_id)
            removed.append(found.security_group_id)
        owned = ec2.describe_vpcs(Filters=[*ctx.owned_filter(), {"Name": "tag:Name", "Values": [ctx.vpc_name]}])["Vpcs"]
        for vpc in owned:
            if flow_logs.available():  # none in a member account (flow_logs.available)
                removed += flow_logs.remove(ctx, vpc["VpcId"])
            for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]:
                ec2.delete_subnet(SubnetId=subnet["SubnetId"])
                removed.append(subnet["SubnetId"])
            ec2.delete_vpc(VpcId=vpc["VpcId"])
            removed.append(vpc["VpcId"])
    except ClientError as exc:
        if error_code(exc) == "DependencyViolation":  # endpoint or Glue ENIs still draining
            raise TransientError(f"network still in use: {exc.response['Error']['Message']}") from None
        raise
    return removed
