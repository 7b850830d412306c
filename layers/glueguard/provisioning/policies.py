"""Every policy document provisioning writes, as pure functions of the project's scope (no AWS calls).

Each identity policy names only this project's ARNs; the few actions IAM authorises on `*` alone
(ec2:Describe*, cloudwatch:PutMetricData) carry no resource, so `*` there reaches no other project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from glueguard.models.project import PLANE_PREFIX
from glueguard.naming import ProjectNames

Document = dict[str, Any]
VERSION = "2012-10-17"
GLUE = "glue.amazonaws.com"

#: Glue actions a scientist uses on the project's own resources (design doc §6.1).
SCIENTIST_GLUE_ACTIONS = [
    "glue:GetJob",
    "glue:GetJobRun",
    "glue:GetJobRuns",
    "glue:StartJobRun",
    "glue:BatchStopJobRun",
    "glue:DeleteJob",
    "glue:GetJobBookmark",
    "glue:ResetJobBookmark",
    "glue:GetCrawler",
    "glue:CreateCrawler",
    "glue:UpdateCrawler",
    "glue:DeleteCrawler",
    "glue:StartCrawler",
    "glue:StopCrawler",
    "glue:GetTrigger",
    "glue:DeleteTrigger",
    "glue:StartTrigger",
    "glue:StopTrigger",
    "glue:GetWorkflow",
    "glue:CreateWorkflow",
    "glue:UpdateWorkflow",
    "glue:DeleteWorkflow",
    "glue:StartWorkflowRun",
    "glue:GetSession",
    "glue:StopSession",
    "glue:DeleteSession",
    "glue:RunStatement",
    "glue:GetStatement",
    "glue:TagResource",
    "glue:UntagResource",
    "glue:GetTags",
]
#: Trigger actions name any job or crawler, and IAM authorises CreateTrigger/UpdateTrigger on the trigger's ARN
#: alone: only the plane, which checks every action, creates or changes triggers (docs/security.md).
TRIGGER_WRITES = ["glue:CreateTrigger", "glue:UpdateTrigger"]
#: The tags attribution and the budgets rely on; only the plane sets them.
MANDATORY_TAG_KEYS = ["Project", "Service", "Owner", "CostCenter"]
CATALOG_ACTIONS = [
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetTables",
    "glue:CreateTable",
    "glue:UpdateTable",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchCreatePartition",
]
#: What job code reads about its own job (no UpdateJob: provisioning needs none, and job code must not rewrite its
#: job, e.g. out of the project's network).
JOB_SELF_ACTIONS = ["glue:GetJob", "glue:GetJobRun", "glue:GetJobBookmark", "glue:ResetJobBookmark"]
KMS_USE = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
]
#: What a principal reading and writing the encrypted Data Catalog needs of its key, through Glue only ("Encrypting
#: your Data Catalog", Glue developer guide).
CATALOG_KEY_USE = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
S3_OBJECT = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
#: Writes that would forge or erase the plane's records under `glueguard/`.
PLANE_RECORD_WRITES = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"]
S3_BUCKET = ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]
EC2_DESCRIBE = [
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeRouteTables",
]


@dataclass(frozen=True)
class Scope:
    """Where a project lives and the ids its policies name (network ids are known once the network exists)."""

    project_id: str
    account: str
    region: str
    partition: str = "aws"
    key_arn: str = ""
    vpc_id: str = ""
    subnet_ids: tuple[str, ...] = ()
    security_group_id: str = ""
    #: The provisioner's role: the key policy gives it (and no IAM policy) the administration of the project key.
    provisioner_arn: str = ""
    #: The plane's Data Catalog key (template CatalogKey), when the account's catalog is encrypted with it.
    catalog_key_arn: str = ""
    names: ProjectNames = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", ProjectNames(self.project_id))

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return f"arn:{self.partition}:{service}:{self.region if region else ''}:{self.account if account else ''}:{resource}"

    def glue(self, resource: str) -> str:
        return self.arn("glue", resource)

    def role_arn(self, purpose: str) -> str:
        return self.arn("iam", f"role/{self.names.role(purpose)}", region=False)

    @property
    def role_arns(self) -> list[str]:
        return [self.role_arn(p) for p in ("job", "crawler", "dev")]

    def bucket_arns(self, objects: bool = False) -> list[str]:
        return [
            f"arn:{self.partition}:s3:::{self.names.bucket(p)}" + ("/*" if objects else "")
            for p in ("scripts", "temp", "artifacts")
        ]

    @property
    def glue_resource_arns(self) -> list[str]:
        """Glue resources a scientist may touch: everything named project-{uuid}-*, plus the catalog database."""
        prefix = self.names.prefix
        kinds = ("job", "crawler", "trigger", "workflow", "session", "devEndpoint", "connection")
        return [self.glue(f"{kind}/{prefix}-*") for kind in kinds] + self.catalog_arns

    @property
    def catalog_arns(self) -> list[str]:
        db = self.names.database
        return [self.glue("catalog"), self.glue(f"database/{db}"), self.glue(f"table/{db}/*")]

    def catalog_key(self) -> list[Document]:
        """The catalog key's statement (only through Glue), when the catalog is encrypted with the plane's key."""
        if not self.catalog_key_arn:
            return []
        via_glue = {"StringEquals": {"kms:ViaService": f"glue.{self.region}.amazonaws.com"}}
        return [_stmt("CatalogKeyThroughGlue", CATALOG_KEY_USE, [self.catalog_key_arn], via_glue)]

    @property
    def log_group_arns(self) -> list[str]:
        # Glue writes to /aws-glue/.../<security-config>-role/<role>/... once CloudWatch encryption is on.
        pattern = f"log-group:/aws-glue/*{self.names.prefix}-*"
        return [self.arn("logs", pattern), self.arn("logs", f"{pattern}:log-stream:*")]


def _stmt(sid: str, actions: list[str], resources: list[str] | str, condition: Document | None = None) -> Document:
    statement: Document = {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def _deny(sid: str, actions: list[str], resources: list[str] | str, condition: Document | None = None) -> Document:
    return {**_stmt(sid, actions, resources, condition), "Effect": "Deny"}


def _doc(*statements: Document) -> Document:
    return {"Version": VERSION, "Statement": list(statements)}


def glue_trust(scope: Scope) -> Document:
    """Roles Glue (and only Glue, for this account) may assume."""
    return _doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": GLUE},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": scope.account}},
        }
    )


def plane_records(scope: Scope) -> str:
    """Where the plane keeps its records in the project (saved definitions, reports): readable, never written by
    the project's principals."""
    return f"arn:{scope.partition}:s3:::{scope.names.bucket('artifacts')}/{PLANE_PREFIX}*"


def data_access(scope: Scope) -> Document:
    """project-{uuid}-glue-data-access: the project's buckets and KMS key (§4, §11.1); the plane's records only read
    (ProjectRoleBoundary denies their writes to every project role as well)."""
    return _doc(
        _stmt("ProjectBuckets", S3_BUCKET, scope.bucket_arns()),
        _stmt("ProjectObjects", S3_OBJECT, scope.bucket_arns(objects=True)),
        _stmt("ProjectKey", KMS_USE, [scope.key_arn]),
        _deny("NoPlaneRecordWrites", PLANE_RECORD_WRITES, plane_records(scope)),
    )


def catalog_access(scope: Scope) -> Document:
    """project-{uuid}-glue-catalog-access: the catalog, the project database and its tables (§4.2), and the
    job's own Glue calls (§4.1)."""
    return _doc(
        _stmt("DataCatalogAccess", CATALOG_ACTIONS, scope.catalog_arns),
        *scope.catalog_key(),
        _stmt("GlueJobManagement", JOB_SELF_ACTIONS, [scope.glue(f"job/{scope.names.prefix}-*")]),
    )


def network_access(scope: Scope) -> Document:
    """project-{uuid}-glue-network-access: ENIs only in the project's subnets and SG, logs, metrics (§4.3)."""
    subnets = [scope.arn("ec2", f"subnet/{s}") for s in scope.subnet_ids]
    return _doc(
        # The new ENI (network-interface/*) can only be placed in the project's subnets with its SG.
        _stmt(
            "CreateEniInProjectSubnets",
            ["ec2:CreateNetworkInterface"],
            [
                scope.arn("ec2", "network-interface/*"),
                *subnets,
                scope.arn("ec2", f"security-group/{scope.security_group_id}"),
            ],
        ),
        _stmt(
            "ManageEnisInProjectSubnets",
            ["ec2:DeleteNetworkInterface", "ec2:CreateTags"],
            [scope.arn("ec2", "network-interface/*")],
            {"ArnEquals": {"ec2:Subnet": subnets}},
        ),
        _stmt("DescribeProjectVpc", ["ec2:DescribeVpcAttribute"], [scope.arn("ec2", f"vpc/{scope.vpc_id}")]),
        _stmt("DescribeNetwork", EC2_DESCRIBE, "*"),
        _stmt(
            "ProjectLogs",
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"],
            scope.log_group_arns,
        ),
        _stmt("GlueMetrics", ["cloudwatch:PutMetricData"], "*", {"StringEquals": {"cloudwatch:namespace": "Glue"}}),
    )


def role_policies(scope: Scope) -> dict[str, Document]:
    """The three managed policies every project role gets, by policy purpose."""
    return {
        "data-access": data_access(scope),
        "catalog-access": catalog_access(scope),
        "network-access": network_access(scope),
    }


def scientist(scope: Scope) -> Document:
    """The preventive layer for the team's SSO role: Glue only on project resources, PassRole only of the project
    roles to Glue, and jobs/sessions only inside the project's VPC, subnets and SG."""
    prefix = scope.names.prefix
    placed = {
        "Null": {"glue:VpcIds": "false", "glue:SubnetIds": "false", "glue:SecurityGroupIds": "false"},
        "ForAllValues:StringEquals": {
            "glue:VpcIds": [scope.vpc_id],
            "glue:SubnetIds": list(scope.subnet_ids),
            "glue:SecurityGroupIds": [scope.security_group_id],
        },
    }
    return _doc(
        _stmt("GlueOnProjectResources", SCIENTIST_GLUE_ACTIONS, scope.glue_resource_arns),
        _stmt("CatalogOfProject", CATALOG_ACTIONS, scope.catalog_arns),
        *scope.catalog_key(),
        _stmt(
            "JobsAndSessionsInProjectNetwork",
            ["glue:CreateJob", "glue:UpdateJob", "glue:CreateSession"],
            [scope.glue(f"job/{prefix}-*"), scope.glue(f"session/{prefix}-*")],
            placed,
        ),
        _stmt(
            "PassOnlyProjectRolesToGlue",
            ["iam:PassRole"],
            scope.role_arns,
            {"StringEquals": {"iam:PassedToService": GLUE}},
        ),
        _stmt("ProjectBuckets", ["s3:ListBucket", "s3:GetBucketLocation"], scope.bucket_arns()),
        _stmt(
            "ProjectObjects",
            ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            [f"arn:{scope.partition}:s3:::{scope.names.bucket(p)}/*" for p in ("scripts", "artifacts")],
        ),
        _stmt("ProjectKey", KMS_USE, [scope.key_arn]),
        # what the plane saves before it deletes (and its reports) can be read and restored, never forged or erased
        _deny("NoPlaneRecordWrites", PLANE_RECORD_WRITES, plane_records(scope)),
        _deny("NoTriggerWrites", TRIGGER_WRITES, "*"),
        # a Project tag given at creation is another project's attribution (TagResource's deny does not see it)
        _deny(
            "NoForeignProjectTagAtCreation",
            ["glue:Create*"],
            "*",
            {"StringNotEquals": {"aws:RequestTag/Project": prefix}, "Null": {"aws:RequestTag/Project": "false"}},
        ),
        _deny(
            "NoMandatoryTagChanges",
            ["glue:TagResource", "glue:UntagResource"],
            "*",
            {"ForAnyValue:StringEquals": {"aws:TagKeys": MANDATORY_TAG_KEYS}},
        ),
    )


def identity_policies(scope: Scope) -> dict[str, Document]:
    """Every identity policy provisioning creates, by IAM name. The project roles' permissions boundary is not
    among them: it is the template's ProjectRoleBoundary, which the provisioner cannot write."""
    names = scope.names
    policies = {names.policy(purpose): doc for purpose, doc in role_policies(scope).items()}
    policies[names.scientist_policy] = scientist(scope)
    return policies


#: What the provisioner does with the keys it created; its IAM policy grants none of it (docs/security.md).
PROVISIONER_KEY_ACTIONS = [
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:PutKeyPolicy",
    "kms:EnableKeyRotation",
    "kms:EnableKey",
    "kms:TagResource",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:GenerateDataKey",
    "kms:Decrypt",
]


def key_policy(scope: Scope) -> Document:
    """The project key: administered through IAM in this account, and by the provisioner that created it (only
    through this policy, so a key the plane did not create gives it nothing); CloudWatch Logs may use it for the
    project's Glue log groups; Budgets and CloudWatch may publish to the project's encrypted topic."""
    if not scope.provisioner_arn:
        raise ValueError("the key policy needs the provisioner's role ARN (GLUEGUARD_PROVISIONER_ROLE_ARN)")
    root = scope.arn("iam", "root", region=False)
    flow_logs = scope.arn("logs", f"log-group:{scope.names.flow_log_group}")
    return _doc(
        {
            "Sid": "AccountAdministersThroughIam",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "ProvisionerAdministersTheKeyItCreated",
            "Effect": "Allow",
            "Principal": {"AWS": scope.provisioner_arn},
            "Action": PROVISIONER_KEY_ACTIONS,
            "Resource": "*",
        },
        {
            "Sid": "GlueLogGroupsOfProject",  # and the flow logs of its VPC
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{scope.region}.amazonaws.com"},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "Resource": "*",
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": [scope.log_group_arns[0], flow_logs]}},
        },
        {
            "Sid": "NotificationsToProjectTopic",
            "Effect": "Allow",
            "Principal": {"Service": ["budgets.amazonaws.com", "cloudwatch.amazonaws.com"]},
            "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": scope.account}},
        },
    )


def tls_only_bucket_policy(scope: Scope, bucket: str) -> Document:
    """Deny any request to the bucket over plain HTTP or TLS older than 1.2 (§11.1)."""
    arns = [f"arn:{scope.partition}:s3:::{bucket}", f"arn:{scope.partition}:s3:::{bucket}/*"]
    return _doc(
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": arns,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyOldTls",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": arns,
            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
        },
    )


#: Buckets of Glue's own assets (Glue Studio's default script location is `aws-glue-assets-<account>-<region>`):
#: anyone can create a bucket of that name, so only this account's pass the endpoint.
GLUE_ASSET_BUCKETS = "aws-glue-*"


def endpoint_policy(scope: Scope, service: str) -> Document:
    """What the project VPC's endpoints let through (a VPC glueguard creates): S3 only to the project's buckets and
    this account's Glue asset buckets (read), DynamoDB only to project-named tables, Glue only on the project's
    resources. Every statement holds only for principals of this account: anonymous requests and other accounts'
    principals (whose bucket of a matching name, or whose credentials, would carry data out) get nothing."""
    own = {"StringEquals": {"aws:PrincipalAccount": scope.account}}
    if service == "s3":
        assets = f"arn:{scope.partition}:s3:::{GLUE_ASSET_BUCKETS}"
        statements = [
            {"Sid": "ProjectBuckets", "Action": "s3:*", "Resource": scope.bucket_arns() + scope.bucket_arns(True)},
            {
                "Sid": "GlueAssetsOfThisAccount",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [assets, f"{assets}/*"],
                "Condition": {"StringEquals": {**own["StringEquals"], "aws:ResourceAccount": scope.account}},
            },
        ]
    elif service == "dynamodb":
        statements = [
            {
                "Sid": "ProjectTables",
                "Action": "dynamodb:*",
                "Resource": scope.arn("dynamodb", f"table/{scope.names.prefix}-*"),
            }
        ]
    elif service == "glue":
        statements = [{"Sid": "ProjectGlueResources", "Action": "glue:*", "Resource": scope.glue_resource_arns}]
    else:
        raise ValueError(f"no endpoint policy for {service}")
    return _doc(*({"Effect": "Allow", "Principal": "*", "Condition": own, **s} for s in statements))


def topic_policy(scope: Scope, topic_arn: str) -> Document:
    """Budgets and CloudWatch alarms of this account may publish to the project's topic."""
    return _doc(
        {
            "Sid": "AccountOwnsTopic",
            "Effect": "Allow",
            "Principal": {"AWS": scope.arn("iam", "root", region=False)},
            "Action": ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes"],
            "Resource": topic_arn,
        },
        {
            "Sid": "BudgetAndAlarmAlerts",
            "Effect": "Allow",
            "Principal": {"Service": ["budgets.amazonaws.com", "cloudwatch.amazonaws.com"]},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": scope.account}},
        },
    )
