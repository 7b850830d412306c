"""AWS::KMS::Key as CloudFormation creates it, where moto 5.2.5 falls short: the template's `KeyPolicy` is a JSON
object ("AWS::KMS::Key", CloudFormation template reference: "KeyPolicy: Json"), and KMS keeps a key policy as a JSON
document (GetKeyPolicy returns it as a string). moto stores the object as is, so DescribeKey and GetKeyPolicy of a
deployed key fail with a 500 (`the JSON object must be str`). The key is created with the policy as JSON text."""

from __future__ import annotations

import json
from typing import Any


def install() -> None:
    from moto.kms.models import Key

    original = Key.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]
    if getattr(original, "_glueguard", False):
        return

    def create_from_cloudformation_json(cls: type, resource_name: str, cloudformation_json: Any, *args: Any, **kw: Any):
        properties = cloudformation_json.get("Properties", {})
        if isinstance(properties.get("KeyPolicy"), dict):
            properties = {**properties, "KeyPolicy": json.dumps(properties["KeyPolicy"])}
            cloudformation_json = {**cloudformation_json, "Properties": properties}
        return original(cls, resource_name, cloudformation_json, *args, **kw)

    create_from_cloudformation_json._glueguard = True  # type: ignore[attr-defined]
    Key.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)  # type: ignore[method-assign]
