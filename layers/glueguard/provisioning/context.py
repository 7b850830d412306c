"""What every step needs: the project's names and tags, where it runs, and look-ups of what exists.

Steps find resources by their deterministic names and `Project` tag, never by ids remembered from an
earlier run, so a re-run after a crash (or a compensation after a partial step) sees the truth.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from botocore.exceptions import ClientError

from glueguard.adapters.clients import client
from glueguard.naming import ProjectNames
from glueguard.provisioning.policies import Scope
from glueguard.provisioning.request import ProvisionRequest

#: Settings naming a central resource whose counterpart in a member account the member template holds.
MEMBER_SETTINGS = {"GLUEGUARD_PROVISIONER_ROLE_ARN": "role", "GLUEGUARD_PROJECT_ROLE_BOUNDARY_ARN": "boundary"}


class ProvisioningError(Exception):
    """A step cannot complete (e.g. a name taken by a resource that is not the project's)."""


class TransientError(Exception):
    """A step must wait (e.g. ENIs still draining); the state machine retries it with backoff."""


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@dataclass
class Context:
    """One project's provisioning (request given) or removal (request None) context."""

    project_id: str
    request: ProvisionRequest | None = None

    @cached_property
    def names(self) -> ProjectNames:
        return ProjectNames(self.project_id)

    @property
    def project_tag(self) -> str:
        return self.names.prefix

    def tags(self) -> dict[str, str]:
        if self.request is None:
            raise ProvisioningError("creating resources needs the provisioning request")
        return self.request.tags()

    def tag_list(self, key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
        return [{key: k, value: v} for k, v in self.tags().items()]

    @cached_property
    def _identity(self) -> dict[str, Any]:
        return client("sts").get_caller_identity()

    @property
    def account(self) -> str:
        return str(self._identity["Account"])

    @property
    def partition(self) -> str:
        return str(self._identity["Arn"]).split(":")[1]

    @property
    def region(self) -> str:
        return str(client("sts").meta.region_name)

    def scope(self, **ids: Any) -> Scope:
        return Scope(
            self.project_id,
            self.account,
            self.region,
            self.partition,
            provisioner_arn=self.plane_setting("GLUEGUARD_PROVISIONER_ROLE_ARN"),
            catalog_key_arn=self.catalog_key_arn(),
            **ids,
        )

    @staticmethod
    def catalog_key_arn() -> str:
        """The plane's Data Catalog key in the central account (template CatalogKey); "" elsewhere."""
        from glueguard.adapters.clients import acting_account, plane_account

        return os.environ.get("GLUEGUARD_CATALOG_KEY_ARN", "") if acting_account() == plane_account() else ""

    @staticmethod
    def plane_setting(name: str) -> str:
        """An ARN the template passes to the provisioner (its own role, the project roles' boundary); in a member
        account, the member template's counterpart (the member role, the member's boundary)."""
        from glueguard.adapters.clients import acting_account, member_boundary_arn, member_role_arn, plane_account

        account = acting_account()
        if account != plane_account() and name in MEMBER_SETTINGS:
            return {"role": member_role_arn, "boundary": member_boundary_arn}[MEMBER_SETTINGS[name]](account)
        value = os.environ.get(name, "")
        if not value.startswith("arn:"):
            raise ProvisioningError(f"{name} is not set to an ARN (template.yaml gives it to the provisioner)")
        return value

    # ------------------------------------------------------------------ look-ups shared by several steps
    def key_arn(self) -> str | None:
        """The project key behind alias/project-{uuid}, or None."""
        try:
            return str(client("kms").describe_key(KeyId=self.names.kms_alias)["KeyMetadata"]["Arn"])
        except ClientError as exc:
            if error_code(exc) == "NotFoundException":
                return None
            raise

    def require_key_arn(self) -> str:
        arn = self.key_arn()
        if not arn:
            raise ProvisioningError(f"{self.names.kms_alias} does not exist: run the kms step first")
        return arn

    def tagged(self, resource_type: str) -> list[str]:
        """ARNs of resources of `resource_type` (e.g. "kms:key") carrying this project's Project tag."""
        paginator = client("resourcegroupstaggingapi").get_paginator("get_resources")
        arns: list[str] = []
        for page in paginator.paginate(
            TagFilters=[{"Key": "Project", "Values": [self.project_tag]}], ResourceTypeFilters=[resource_type]
        ):
            arns.extend(m["ResourceARN"] for m in page["ResourceTagMappingList"])
        return arns

    def owned_filter(self) -> list[dict[str, Any]]:
        """EC2 filter: resources tagged with this project."""
        return [{"Name": "tag:Project", "Values": [self.project_tag]}]

    def network(self) -> NetworkIds:
        """The project's VPC, subnets and SG as they exist now (given in the request, or created and tagged)."""
        ec2 = client("ec2")
        settings = self.request.network if self.request else None
        if settings and settings.vpc_id:
            vpc_id: str | None = settings.vpc_id
            subnets = list(settings.subnet_ids)
        else:
            vpcs = ec2.describe_vpcs(Filters=[*self.owned_filter(), {"Name": "tag:Name", "Values": [self.vpc_name]}])
            vpc_id = vpcs["Vpcs"][0]["VpcId"] if vpcs["Vpcs"] else None
            subnets = self.created_subnets() if vpc_id else []
            if vpc_id is None and self.request is None:
                vpc_id, subnets = self._vpc_of_security_group()
        sg = self.security_group_id(vpc_id) if vpc_id else None
        return NetworkIds(vpc_id=vpc_id, subnet_ids=subnets, security_group_id=sg)

    @property
    def vpc_name(self) -> str:
        return f"{self.names.prefix}-vpc"

    @property
    def subnet_name_prefix(self) -> str:
        return f"{self.names.prefix}-private-subnet-"

    def created_subnets(self) -> list[str]:
        found = client("ec2").describe_subnets(
            Filters=[*self.owned_filter(), {"Name": "tag:Name", "Values": [f"{self.subnet_name_prefix}*"]}]
        )["Subnets"]
        return [s["SubnetId"] for s in sorted(found, key=lambda s: s["AvailabilityZone"])]

    def security_group_id(self, vpc_id: str) -> str | None:
        groups = client("ec2").describe_security_groups(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "group-name", "Values": [self.names.security_group]},
            ]
        )["SecurityGroups"]
        return groups[0]["GroupId"] if groups else None

    def _vpc_of_security_group(self) -> tuple[str | None, list[str]]:
        """Removal without the request: the given VPC is the one holding the project's SG."""
        groups = client("ec2").describe_security_groups(
            Filters=[{"Name": "group-name", "Values": [self.names.security_group]}, *self.owned_filter()]
        )["SecurityGroups"]
        return (groups[0]["VpcId"], []) if groups else (None, [])


@dataclass(frozen=True)
class NetworkIds:
    vpc_id: str | None
    subnet_ids: list[str]
    security_group_id: str | None

    def require(self) -> NetworkIds:
        if not (self.vpc_id and self.subnet_ids and self.security_group_id):
            raise ProvisioningError(f"the project's network is incomplete ({self}): run the network step first")
        return self
