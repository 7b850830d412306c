"""Lambda in CloudFormation as AWS documents it: `Ref` of an AWS::Lambda::LayerVersion is its ARN
(moto returns the model object, so function Layers could not be resolved)."""

from __future__ import annotations

from moto.awslambda.models import LayerVersion


def install() -> None:
    LayerVersion.physical_resource_id = property(lambda self: self.arn)  # type: ignore[attr-defined]
