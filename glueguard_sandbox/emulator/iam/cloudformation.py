"""AWS::IAM::Role under CloudFormation as AWS documents it: moto 5.2.5 ignores `ManagedPolicyArns`, so every
deployed role (the central stack's and the member stacks' a StackSet creates) would run without its managed
policies once IAM is evaluated. They are attached when the role is created; an AWS managed policy
(`arn:aws:iam::aws:policy/...`) is made to exist in the account first, from the copy moto ships, as AWS has
them in every account (moto loads all ~1,300 only when asked to, slowly)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any


@cache
def _aws_managed_policies() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return json.loads(aws_managed_policies_data)


def aws_managed_policy(backend: Any, account_id: str, arn: str) -> None:
    from moto.iam.models import AWSManagedPolicy

    if arn in backend.managed_policies or ":aws:policy/" not in arn:
        return
    name = arn.rsplit("/", 1)[-1]
    data = _aws_managed_policies().get(name)
    if data is not None:
        policy = AWSManagedPolicy.from_data(name, account_id, "us-east-1", data)
        backend.managed_policies[policy.arn] = policy


def _with_managed_policies(original: Any) -> Any:
    def create_from_cloudformation_json(
        cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        from moto.iam.models import iam_backends
        from moto.utilities.utils import get_partition

        role = original.__func__(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        backend = iam_backends[account_id][get_partition(region_name)]
        for arn in cloudformation_json.get("Properties", {}).get("ManagedPolicyArns") or []:
            aws_managed_policy(backend, account_id, str(arn))
            backend.attach_role_policy(str(arn), role.name)
        return role

    create_from_cloudformation_json.glueguard = True  # type: ignore[attr-defined]
    return classmethod(create_from_cloudformation_json)


def install() -> None:
    from moto.iam.models import Role

    if not getattr(Role.create_from_cloudformation_json, "glueguard", False):
        Role.create_from_cloudformation_json = _with_managed_policies(Role.create_from_cloudformation_json)  # type: ignore[method-assign]
