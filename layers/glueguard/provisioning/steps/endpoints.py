"""VPC endpoints (design doc §5.1): Glue (interface, in the project subnets and SG), S3 and DynamoDB (gateway).

An endpoint the VPC already has for a service is used as it is and never removed: only endpoints carrying
the project's tag are the project's. In a VPC glueguard created, each endpoint has a policy that lets through
only the project's resources (`policies.endpoint_policy`; docs/security.md, item 6).
"""

from __future__ import annotations

import json
from typing import Any

from glueguard.adapters.clients import client
from glueguard.provisioning.context import Context
from glueguard.provisioning.policies import endpoint_policy

SERVICES: dict[str, str] = {"glue": "Interface", "s3": "Gateway", "dynamodb": "Gateway"}
_LIVE = ["pendingAcceptance", "pending", "available"]


def _route_tables(vpc_id: str, subnets: list[str]) -> list[str]:
    ec2 = client("ec2")
    tables = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": subnets}])["RouteTables"]
    main = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"]
    return sorted({t["RouteTableId"] for t in tables + main})


def _existing(vpc_id: str, service_name: str) -> dict[str, Any] | None:
    found = client("ec2").describe_vpc_endpoints(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "service-name", "Values": [service_name]},
            {"Name": "vpc-endpoint-state", "Values": _LIVE},
        ]
    )["VpcEndpoints"]
    return found[0] if found else None


def create(ctx: Context) -> dict[str, Any]:
    ec2 = client("ec2")
    net = ctx.network().require()
    assert net.vpc_id and net.security_group_id
    ids: dict[str, str] = {}
    created = ctx.request is not None and ctx.request.network.creates_vpc
    scope = ctx.scope(vpc_id=net.vpc_id, security_group_id=net.security_group_id, subnet_ids=tuple(net.subnet_ids))
    for service, kind in SERVICES.items():
        service_name = f"com.amazonaws.{ctx.region}.{service}"
        endpoint = _existing(net.vpc_id, service_name)
        if endpoint is None:
            kwargs: dict[str, Any] = {
                "VpcId": net.vpc_id,
                "ServiceName": service_name,
                "VpcEndpointType": kind,
                "ClientToken": f"{ctx.names.prefix}-{service}",
                "TagSpecifications": [
                    {
                        "ResourceType": "vpc-endpoint",
                        "Tags": [*ctx.tag_list(), {"Key": "Name", "Value": f"{ctx.names.prefix}-{service}"}],
                    }
                ],
            }
            if created:
                kwargs["PolicyDocument"] = json.dumps(endpoint_policy(scope, service))
            if kind == "Interface":
                kwargs |= {
                    "SubnetIds": net.subnet_ids,
                    "SecurityGroupIds": [net.security_group_id],
                    "PrivateDnsEnabled": True,
                }
            else:
                kwargs["RouteTableIds"] = _route_tables(net.vpc_id, net.subnet_ids)
            endpoint = ec2.create_vpc_endpoint(**kwargs)["VpcEndpoint"]
        ids[service] = endpoint["VpcEndpointId"]
    return {"vpc_endpoint_ids": ids}


def delete(ctx: Context, retain_data: bool) -> list[str]:
    ec2 = client("ec2")
    owned = ec2.describe_vpc_endpoints(Filters=[*ctx.owned_filter(), {"Name": "vpc-endpoint-state", "Values": _LIVE}])[
        "VpcEndpoints"
    ]
    ids = [e["VpcEndpointId"] for e in owned]
    if ids:
        ec2.delete_vpc_endpoints(VpcEndpointIds=ids)
    return ids
