"""Deploy template.yaml to the sandbox exactly as `sam deploy` would, with the SAM transform done offline.

1. Local artifacts (CodeUri, ContentUri) are uploaded as zips to the sandbox's artifact bucket under
   their repository path (what `sam package` does; the in-process runtime maps the key back to the
   directory), nested stacks' local TemplateURL files as they are, and DefinitionUri files are inlined
   as Definition.
2. samtranslator transforms the template (managed policies from its bundled map: no AWS call).
3. moto's CloudFormation creates the stack.
4. What moto's CloudFormation drops is restored from the same translated template, with moto's own
   intrinsic-function resolver: function Layers and DeadLetterConfig, AWS::Lambda::EventInvokeConfig,
   AWS::Events::EventBusPolicy, AWS::Glue::DataCatalogEncryptionSettings, AWS::S3::BucketPolicy, S3 buckets'
   versioning, Block Public Access, ownership and lifecycle, DynamoDB point-in-time recovery, and service-managed
   StackSets (emulator/cloudformation/stacksets.py).
   (State machines' DefinitionSubstitutions are applied by the emulator's CloudFormation fix.)
   Nothing here names a resource of ours: the template is the one wiring source.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

STACK_NAME = "glueguard"
REGION = "us-east-1"
ARTIFACT_BUCKET = "glueguard-sandbox-artifacts"


class DeployError(RuntimeError):
    """The template could not be deployed; the message says which resource and why."""


@dataclass
class Translated:
    template: dict[str, Any]
    artifacts: dict[str, Path]  # S3 key -> local directory
    templates: dict[str, Path]  # S3 key -> local template file (nested stacks)


class _BundledPolicies:
    """samtranslator's managed policy loader, answered from its bundled map (offline)."""

    def load(self) -> dict[str, str]:
        from samtranslator.internal.managed_policies import get_bundled_managed_policy_map

        return get_bundled_managed_policy_map("aws") or {}


def _artifact(root: Path, uri: Any, artifacts: dict[str, Path]) -> Any:
    if not isinstance(uri, str) or uri.startswith("s3://"):
        return uri
    directory = (root / uri).resolve()
    if not directory.is_dir():
        raise DeployError(f"artifact {uri!r} is not a directory under {root}")
    key = directory.relative_to(root.resolve()).as_posix()
    artifacts[key] = directory
    return f"s3://{ARTIFACT_BUCKET}/{key}"


class _TemplateLoader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """YAML with CloudFormation's short-form intrinsics (`!Ref`, `!GetAtt`, ...), parsed by libyaml when present."""


def parse_template(text: str) -> Any:
    """A CloudFormation/SAM template (or ASL definition) as data, as samtranslator's `yaml_parse` reads it (its
    intrinsics constructor), but with libyaml's C parser: template.yaml parses ~10x faster."""
    from samtranslator.yaml_helper import intrinsics_multi_constructor

    _TemplateLoader.add_multi_constructor("!", intrinsics_multi_constructor)
    return yaml.load(text, Loader=_TemplateLoader)


def translate(template_path: Path, parameters: dict[str, str] | None = None) -> Translated:
    """The SAM template as plain CloudFormation, artifacts pointed at the sandbox bucket."""
    from samtranslator.translator.transform import transform

    root = template_path.parent
    template = parse_template(template_path.read_text())
    artifacts: dict[str, Path] = {}
    templates: dict[str, Path] = {}
    globals_fn = template.get("Globals", {}).get("Function", {})
    if "CodeUri" in globals_fn:
        globals_fn["CodeUri"] = _artifact(root, globals_fn["CodeUri"], artifacts)
    for logical_id, resource in template.get("Resources", {}).items():
        props = resource.setdefault("Properties", {})
        kind = resource.get("Type")
        if kind == "AWS::Serverless::Function" and "CodeUri" in props:
            props["CodeUri"] = _artifact(root, props["CodeUri"], artifacts)
        elif kind == "AWS::Serverless::LayerVersion":
            props["ContentUri"] = _artifact(root, props.get("ContentUri"), artifacts)
        elif kind == "AWS::Serverless::StateMachine" and isinstance(props.get("DefinitionUri"), str):
            path = root / props.pop("DefinitionUri")
            if not path.exists():
                raise DeployError(f"{logical_id}: DefinitionUri {path} does not exist")
            props["Definition"] = parse_template(path.read_text())
        elif kind == "AWS::CloudFormation::Stack" and not str(props.get("TemplateURL", "")).startswith("http"):
            path = (root / props["TemplateURL"]).resolve()
            if not path.is_file():
                raise DeployError(f"{logical_id}: TemplateURL {path} does not exist")
            key = path.relative_to(root.resolve()).as_posix()
            templates[key] = path
            props["TemplateURL"] = template_url(key)
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    try:
        translated = transform(template, parameters or {}, _BundledPolicies())
    except Exception as exc:
        raise DeployError(f"SAM transform failed: {exc}") from exc
    return Translated(translated, artifacts, templates)


def template_url(key: str) -> str:
    """The S3 URL of an uploaded template (what `sam package` writes into TemplateURL)."""
    return f"https://s3.amazonaws.com/{ARTIFACT_BUCKET}/{key}"


def _zip(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(directory).as_posix())
    return buffer.getvalue()


def upload_artifacts(s3: Any, artifacts: dict[str, Path], templates: dict[str, Path] | None = None) -> None:
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=ARTIFACT_BUCKET)
    for key, directory in artifacts.items():
        s3.put_object(Bucket=ARTIFACT_BUCKET, Key=key, Body=_zip(directory))
    for key, path in (templates or {}).items():
        s3.put_object(Bucket=ARTIFACT_BUCKET, Key=key, Body=path.read_bytes())


def _stack_resource_map(stack_name: str) -> Any:
    from moto.cloudformation.models import cloudformation_backends

    for regions in cloudformation_backends.values():
        backend = regions.get(REGION)
        if backend is None:
            continue
        for stack in backend.stacks.values():
            if stack.name == stack_name and stack.status != "DELETE_COMPLETE":
                return stack.resource_map
    raise DeployError(f"stack {stack_name} not found in the sandbox")


def restore(session: Any, translated: dict[str, Any], stack_name: str = STACK_NAME) -> None:
    """Apply what moto's CloudFormation ignored, resolving intrinsic functions with moto's resolver."""
    from moto.awslambda.models import lambda_backends
    from moto.cloudformation.parsing import clean_json

    resources = _stack_resource_map(stack_name)
    awslambda = session.client("lambda")
    for logical_id, resource in translated["Resources"].items():
        props = resource.get("Properties", {})
        kind = resource["Type"]
        if not _condition_holds(resource, resources):
            continue  # not deployed (its Condition is false)
        if kind == "AWS::Lambda::Function":
            name = resources[logical_id].function_name
            layers = clean_json(props.get("Layers", []), resources)
            if layers:
                awslambda.update_function_configuration(FunctionName=name, Layers=layers)
            if props.get("DeadLetterConfig"):
                fn = lambda_backends[resources[logical_id].account_id][REGION].get_function(name)
                fn.dead_letter_config = clean_json(props["DeadLetterConfig"], resources)
        elif kind == "AWS::Lambda::EventInvokeConfig":
            config = clean_json(props, resources)
            kwargs = {
                k: config[k]
                for k in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")
                if k in config
            }
            awslambda.put_function_event_invoke_config(FunctionName=config["FunctionName"], **kwargs)
        elif kind == "AWS::CloudFormation::StackSet":
            from glueguard_sandbox.emulator.cloudformation import stacksets

            stacksets.deploy(session, clean_json(props, resources), lambda account: _member_admin(session, account))
        elif kind == "AWS::S3::Bucket":
            bucket_settings(session.client("s3"), resources[logical_id].name, clean_json(props, resources))
        elif kind == "AWS::S3::BucketPolicy":
            config = clean_json(props, resources)
            session.client("s3").put_bucket_policy(Bucket=config["Bucket"], Policy=json.dumps(config["PolicyDocument"]))
        elif kind == "AWS::DynamoDB::Table" and props.get("PointInTimeRecoverySpecification"):
            spec = clean_json(props["PointInTimeRecoverySpecification"], resources)
            session.client("dynamodb").update_continuous_backups(
                TableName=resources[logical_id].name,
                PointInTimeRecoverySpecification={
                    "PointInTimeRecoveryEnabled": _true(spec["PointInTimeRecoveryEnabled"])
                },
            )
        elif kind == "AWS::Glue::DataCatalogEncryptionSettings":
            catalog_encryption_settings(session.client("glue"), clean_json(props, resources))
        elif kind == "AWS::Events::EventBusPolicy":
            config = clean_json(props, resources)
            statement = {"Sid": config["StatementId"], **config["Statement"]}
            session.client("events").put_permission(
                EventBusName=config.get("EventBusName", "default"),
                Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
            )


def _true(value: Any) -> bool:
    return value in (True, "true", "True")


def bucket_settings(s3: Any, bucket: str, props: dict[str, Any]) -> None:
    """What AWS::S3::Bucket sets that moto's CloudFormation drops: versioning, Block Public Access, object ownership
    and lifecycle rules (CloudFormation template reference, AWS::S3::Bucket; the S3 API's own shapes)."""
    if versioning := props.get("VersioningConfiguration"):
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": versioning["Status"]})
    if block := props.get("PublicAccessBlockConfiguration"):
        s3.put_public_access_block(
            Bucket=bucket, PublicAccessBlockConfiguration={k: _true(v) for k, v in block.items()}
        )
    if ownership := props.get("OwnershipControls"):
        s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": ownership["Rules"]})
    if lifecycle := props.get("LifecycleConfiguration"):
        rules = []
        for rule in lifecycle["Rules"]:
            api: dict[str, Any] = {"ID": rule.get("Id", ""), "Status": rule["Status"]}
            api["Filter"] = {"Prefix": rule.get("Prefix", "")}
            if "ExpirationInDays" in rule:
                api["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
            if "NoncurrentVersionExpiration" in rule:
                days = rule["NoncurrentVersionExpiration"]["NoncurrentDays"]
                api["NoncurrentVersionExpiration"] = {"NoncurrentDays": int(days)}
            rules.append(api)
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})


def catalog_encryption_settings(glue: Any, props: dict[str, Any]) -> None:
    """AWS::Glue::DataCatalogEncryptionSettings as PutDataCatalogEncryptionSettings (the resource's
    ConnectionPasswordEncryption.KmsKeyId is the API's AwsKmsKeyId; CloudFormation template reference)."""
    settings = dict(props["DataCatalogEncryptionSettings"])
    if passwords := settings.get("ConnectionPasswordEncryption"):
        passwords = dict(passwords)
        if "KmsKeyId" in passwords:
            passwords["AwsKmsKeyId"] = passwords.pop("KmsKeyId")
        passwords["ReturnConnectionPasswordEncrypted"] = passwords.get("ReturnConnectionPasswordEncrypted") in (
            True,
            "true",
        )
        settings["ConnectionPasswordEncryption"] = passwords
    glue.put_data_catalog_encryption_settings(CatalogId=str(props["CatalogId"]), DataCatalogEncryptionSettings=settings)


def _member_admin(session: Any, account: str) -> Any:
    from glueguard_sandbox.emulator.cloudformation.stacksets import MEMBER_ACCESS_ROLE

    return session.assumed(f"arn:aws:iam::{account}:role/{MEMBER_ACCESS_ROLE}", "stacksets-exec")


def _condition_holds(resource: dict[str, Any], resources: Any) -> bool:
    """Whether a resource's Condition is true in the deployed stack (moto resolved the conditions)."""
    name = resource.get("Condition")
    return name is None or bool(resources.lazy_condition_map[name])


def deploy(
    session: Any, template_path: Path, stack_name: str = STACK_NAME, parameters: dict[str, str] | None = None
) -> dict[str, str]:
    """Deploy the template as `stack_name`; return the stack outputs."""
    result = translate(template_path, parameters)
    upload_artifacts(session.client("s3"), result.artifacts, result.templates)
    cfn = session.client("cloudformation")
    try:
        cfn.create_stack(
            StackName=stack_name,
            TemplateBody=json.dumps(result.template),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
    except Exception as exc:  # moto raises a resource's refusal (e.g. Lambda's reserved concurrency) from CreateStack
        raise DeployError(f"stack {stack_name} failed to create: {exc}") from exc
    stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise DeployError(f"stack {stack_name} is {stack['StackStatus']}: {stack.get('StackStatusReason', '')}")
    restore(session, result.template, stack_name)
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
