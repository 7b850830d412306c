"""Provisioning and removal on moto, step by step as the state machines run them: what a project gets,
idempotency, a failure injected at each step rolls everything back, and removal keeps only retained data."""

from __future__ import annotations

import json

import boto3
import pytest
from glueguard.adapters.registry import Registry
from glueguard.handlers.provisioner import dispatch
from glueguard.models.project import ProjectStatus
from glueguard.provisioning.steps import ORDER

from tests.support.provisioning import PROJECT_ID, deprovision, fail_at, leftovers, provision, request

PREFIX = f"project-{PROJECT_ID}"
TAGS = {"Project": PREFIX, "Service": "glue", "Owner": "ml-team-a@example.com", "CostCenter": "cc-1234"}
TRIGGER = {
    "bucket": f"{PREFIX}-glue-scripts",
    "prefix": "incoming/",
    "suffix": ".csv",
    "jobName": f"{PREFIX}-job-ingest",
    "arguments": {"--input_path": "s3://{bucket}/{key}"},
}

#: A failure injected in the middle of each step (after it created something), and in Activate.
INJECTIONS = [
    ("kms", "kms", "CreateAlias", 1),
    ("buckets", "s3", "PutBucketNotificationConfiguration", 3),
    ("network", "ec2", "AuthorizeSecurityGroupIngress", 1),
    ("endpoints", "ec2", "CreateVpcEndpoint", 3),
    ("iam", "iam", "AttachRolePolicy", 5),
    ("glue", "glue", "CreateConnection", 1),
    ("monitoring", "cloudwatch", "PutMetricAlarm", 1),
    ("activate", "dynamodb", "UpdateItem", 1),
]


def _tags(pairs, key="Key", value="Value"):
    return {p[key]: p[value] for p in pairs}


def test_provisioning_creates_every_resource_and_registers_it_active(aws):
    result = provision(request(uploadTriggers=[TRIGGER]))
    assert result["status"] == "SUCCEEDED", result
    project = Registry().get(PROJECT_ID, cached=False)
    assert project.status == ProjectStatus.ACTIVE and project.status_reason is None
    assert project.upload_triggers[0].job_name == f"{PREFIX}-job-ingest"
    res = project.resources
    assert res.job_role_arn.endswith(f"role/{PREFIX}-glue-job-role")
    assert res.kms_key_arn and res.kms_key_alias == f"alias/{PREFIX}"
    assert set(res.buckets) == {"scripts", "temp", "artifacts"} and res.vpc_created
    assert (
        len(res.subnet_ids) == 2 and res.security_group_id and set(res.vpc_endpoint_ids) == {"glue", "s3", "dynamodb"}
    )
    assert res.scientist_policy_arn.endswith(f"policy/{PREFIX}-glue-scientist")
    assert res.budget_name and res.alarm_names and res.notifications_topic_arn
    assert result["result"]["resources"]["connection_name"] == f"{PREFIX}-network"

    s3 = boto3.client("s3")
    for bucket in res.buckets.values():
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"] == {
            "SSEAlgorithm": "aws:kms",
            "KMSMasterKeyID": res.kms_key_arn,
        }
        assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert "EventBridgeConfiguration" in s3.get_bucket_notification_configuration(Bucket=bucket)
        assert _tags(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == TAGS
    rules = s3.get_bucket_lifecycle_configuration(Bucket=res.buckets["temp"])["Rules"]
    assert any(r.get("Expiration", {}).get("Days") == 7 for r in rules)

    ec2 = boto3.client("ec2")
    sg = ec2.describe_security_groups(GroupIds=[res.security_group_id])["SecurityGroups"][0]
    assert sg["GroupName"] == f"{PREFIX}-glue-sg"
    assert [p["UserIdGroupPairs"][0]["GroupId"] for p in sg["IpPermissions"]] == [sg["GroupId"]]  # only itself in
    egress = {(p["IpProtocol"], p.get("FromPort"), p.get("ToPort")) for p in sg["IpPermissionsEgress"]}
    assert egress == {("tcp", 443, 443), ("tcp", 8182, 8182), ("tcp", 0, 65535)}
    # item 6 of issue 12: nothing to the internet; 443 only to the VPC and the S3/DynamoDB gateway prefix lists
    cidrs = {r["CidrIp"] for p in sg["IpPermissionsEgress"] for r in p.get("IpRanges", [])}
    assert cidrs == {"10.0.0.0/16"}
    lists = {p["PrefixListId"] for e in sg["IpPermissionsEgress"] for p in e.get("PrefixListIds", [])}
    names = ["com.amazonaws.us-east-1.s3", "com.amazonaws.us-east-1.dynamodb"]
    found = boto3.client("ec2").describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": names}])
    assert lists == {p["PrefixListId"] for p in found["PrefixLists"]}
    assert _tags(sg["Tags"]).items() >= TAGS.items()
    vpc = ec2.describe_vpcs(VpcIds=[res.vpc_id])["Vpcs"][0]
    assert not ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [res.vpc_id]}])[
        "InternetGateways"
    ]
    assert _tags(vpc["Tags"]).items() >= TAGS.items()
    endpoints = ec2.describe_vpc_endpoints(VpcEndpointIds=list(res.vpc_endpoint_ids.values()))["VpcEndpoints"]
    assert {e["ServiceName"].rsplit(".", 1)[1]: e["VpcEndpointType"] for e in endpoints} == {
        "glue": "Interface",
        "s3": "Gateway",
        "dynamodb": "Gateway",
    }

    iam = boto3.client("iam")
    for arn in (res.job_role_arn, res.crawler_role_arn, res.dev_role_arn):
        role = iam.get_role(RoleName=arn.rsplit("/", 1)[1])["Role"]
        assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "glue.amazonaws.com"}
        assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == res.permissions_boundary_arn
        assert _tags(role["Tags"]) == TAGS
        attached = {
            p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]
        }
        assert attached == set(res.policy_arns.values())

    glue = boto3.client("glue")
    config = glue.get_security_configuration(Name=f"{PREFIX}-security-config")["SecurityConfiguration"]
    assert config["EncryptionConfiguration"]["S3Encryption"][0]["KmsKeyArn"] == res.kms_key_arn
    assert config["EncryptionConfiguration"]["JobBookmarksEncryption"]["JobBookmarksEncryptionMode"] == "CSE-KMS"
    connection = glue.get_connection(Name=f"{PREFIX}-network")["Connection"]
    assert connection["PhysicalConnectionRequirements"]["SecurityGroupIdList"] == [res.security_group_id]
    assert connection["PhysicalConnectionRequirements"]["SubnetId"] in res.subnet_ids
    db_arn = f"arn:aws:glue:us-east-1:123456789012:database/{PREFIX}-catalog-db"
    assert glue.get_tags(ResourceArn=db_arn)["Tags"] == TAGS

    kms = boto3.client("kms")
    assert _tags(kms.list_resource_tags(KeyId=res.kms_key_arn)["Tags"], "TagKey", "TagValue") == TAGS
    assert kms.get_key_rotation_status(KeyId=res.kms_key_arn)["KeyRotationEnabled"]

    budget = boto3.client("budgets")
    detail = budget.describe_budget(AccountId="123456789012", BudgetName=res.budget_name)["Budget"]
    assert detail["BudgetLimit"] == {"Amount": "500.00", "Unit": "USD"}
    notes = budget.describe_notifications_for_budget(AccountId="123456789012", BudgetName=res.budget_name)[
        "Notifications"
    ]
    assert notes[0]["Threshold"] == 80.0 and notes[0]["NotificationType"] == "ACTUAL"
    budget_arn = f"arn:aws:budgets::123456789012:budget/{res.budget_name}"
    assert _tags(budget.list_tags_for_resource(ResourceARN=budget_arn)["ResourceTags"]) == TAGS
    alarm = boto3.client("cloudwatch").describe_alarms(AlarmNames=res.alarm_names)["MetricAlarms"][0]
    assert alarm["AlarmActions"] == [res.notifications_topic_arn]
    assert alarm["Dimensions"] == [{"Name": "RuleName", "Value": f"{PREFIX}-glue-job-failures"}]
    subs = boto3.client("sns").list_subscriptions_by_topic(TopicArn=res.notifications_topic_arn)["Subscriptions"]
    assert [s["Endpoint"] for s in subs] == ["ml-team-a@example.com"]


def test_second_identical_request_is_refused_and_changes_nothing(aws):
    assert provision(request())["status"] == "SUCCEEDED"
    before = leftovers()
    again = provision(request(), execution_id="exec-2")
    assert again["status"] == "REFUSED" and again["error"]["Error"] == "ProjectExists"
    assert leftovers() == before
    assert Registry().get(PROJECT_ID, cached=False).status == ProjectStatus.ACTIVE


def test_invalid_request_is_refused_before_anything_exists(aws):
    result = provision(request(monthlyBudgetUsd=-1))
    assert result["status"] == "REFUSED" and result["error"]["Error"] == "InvalidRequest"
    assert "monthlyBudgetUsd" in result["error"]["Cause"]
    assert Registry().get(PROJECT_ID, cached=False) is None and leftovers() == []


def test_every_step_is_idempotent(aws):
    normalized = dispatch({"action": "validate", "request": request()})
    dispatch({"action": "register", "request": normalized, "executionId": "exec-1"})
    dispatch({"action": "register", "request": normalized, "executionId": "exec-1"})  # a re-run of the same execution
    outputs = {}
    for step in ORDER:
        first = dispatch({"action": "create", "step": step, "request": normalized})
        second = dispatch({"action": "create", "step": step, "request": normalized})
        assert first == second, step
        outputs[step] = first
    once = leftovers()
    assert dispatch({"action": "activate", "request": normalized, "outputs": outputs}) == dispatch(
        {"action": "activate", "request": normalized, "outputs": outputs}
    )
    assert leftovers() == once
    kinds = [item.split(":")[0] for item in once]
    assert {k: kinds.count(k) for k in ("key", "vpc", "subnet", "sg", "endpoint", "role", "policy", "bucket")} == {
        "key": 1, "vpc": 1, "subnet": 2, "sg": 1, "endpoint": 3, "role": 3, "policy": 4, "bucket": 3,
    }  # fmt: skip


def test_a_crash_mid_step_is_completed_by_the_rerun(aws):
    normalized = dispatch({"action": "validate", "request": request()})
    with fail_at("kms", "CreateAlias"), pytest.raises(Exception, match="InjectedFailure"):
        dispatch({"action": "create", "step": "kms", "request": normalized})
    out = dispatch({"action": "create", "step": "kms", "request": normalized})  # the state machine's retry
    keys = [k for k in leftovers() if k.startswith("key:")]
    assert len(keys) == 1 and out["kms_key_arn"].endswith(keys[0].split(":")[1])


@pytest.mark.parametrize(("step", "service", "operation", "nth"), INJECTIONS, ids=[i[0] for i in INJECTIONS])
def test_failure_at_each_step_rolls_back_everything(aws, step, service, operation, nth):
    with fail_at(service, operation, nth) as calls:
        result = provision(request(uploadTriggers=[TRIGGER]))
    assert calls[0] >= nth, f"{service}.{operation} was never called {nth} times"
    assert result["status"] == "FAILED", result
    assert leftovers() == []
    project = Registry().get(PROJECT_ID, cached=False)
    assert project.status == ProjectStatus.FAILED
    assert "InjectedFailure" in project.status_reason and f"{service}.{operation}" in project.status_reason
    # a FAILED (rolled back) project may be provisioned again under the same id
    assert provision(request(), execution_id="exec-retry")["status"] == "SUCCEEDED"


def test_given_vpc_is_used_and_never_removed(aws):
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(
        CidrBlock="10.9.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "glueguard:allow-projects", "Value": "true"}]}],
    )["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
        for i, z in enumerate("ab")
    ]
    shared_s3 = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway")
    shared_id = shared_s3["VpcEndpoint"]["VpcEndpointId"]
    req = request(network={"vpcId": vpc, "subnetIds": subnets})
    with fail_at("glue", "CreateConnection"):
        assert provision(req)["status"] == "FAILED"
    assert leftovers() == []
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"] and len(ec2.describe_subnets(SubnetIds=subnets)["Subnets"]) == 2
    result = provision(req, execution_id="exec-2")
    assert result["status"] == "SUCCEEDED"
    res = result["result"]["resources"]
    assert res["vpc_id"] == vpc and res["subnet_ids"] == subnets and not res["vpc_created"]
    assert res["vpc_endpoint_ids"]["s3"] == shared_id  # the VPC's own endpoint, reused
    deprovision(PROJECT_ID, retain_data=False)
    assert leftovers() == []
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"]
    live = ec2.describe_vpc_endpoints(VpcEndpointIds=[shared_id])["VpcEndpoints"][0]
    assert live["State"] == "available"


def test_given_vpc_must_exist(aws):
    req = request(network={"vpcId": "vpc-0123456789abcdef0", "subnetIds": ["subnet-0123456789abcdef0"]})
    result = provision(req)
    assert result["status"] == "FAILED" and "network settings" in result["error"]["Cause"]
    assert leftovers() == []


def test_removal_keeps_only_retained_data_and_saves_workload_definitions(aws):
    assert provision(request())["status"] == "SUCCEEDED"
    project = Registry().get(PROJECT_ID, cached=False)
    boto3.client("glue").create_job(
        Name=f"{PREFIX}-job-ingest",
        Role=project.resources.job_role_arn,
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{PREFIX}-glue-scripts/ingest.py"},
    )
    boto3.client("s3").put_object(Bucket=f"{PREFIX}-glue-artifacts", Key="out/part-0.parquet", Body=b"data")
    boto3.client("s3").put_object(Bucket=f"{PREFIX}-glue-temp", Key="tmp/x", Body=b"scratch")
    result = deprovision(PROJECT_ID)
    assert result["status"] == "DELETED"
    assert leftovers() == sorted(
        [
            f"alias:alias/{PREFIX}",
            f"bucket:{PREFIX}-glue-artifacts",
            f"database:{PREFIX}-catalog-db",
            f"key:{project.resources.kms_key_arn.rsplit('/', 1)[1]}:Enabled",
        ]
    )
    keys = {o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=f"{PREFIX}-glue-artifacts")["Contents"]}
    assert keys == {"out/part-0.parquet", f"glueguard/deprovisioned/job/{PREFIX}-job-ingest.json"}
    assert boto3.client("glue").get_jobs()["Jobs"] == []
    entry = Registry().get(PROJECT_ID, cached=False)
    assert entry.status == ProjectStatus.DELETED and "retained" in entry.status_reason
    assert entry.resources.buckets == {"artifacts": f"{PREFIX}-glue-artifacts"} and entry.resources.job_role_arn is None
    assert deprovision(PROJECT_ID)["status"] == "DELETED"  # removal is idempotent too


def test_removal_without_retention_leaves_nothing(aws):
    assert provision(request())["status"] == "SUCCEEDED"
    boto3.client("s3").put_object(Bucket=f"{PREFIX}-glue-artifacts", Key="out/a", Body=b"1")
    boto3.client("s3").put_object(Bucket=f"{PREFIX}-glue-artifacts", Key="out/a", Body=b"2")  # two versions
    assert deprovision(PROJECT_ID, retain_data=False)["status"] == "DELETED"
    assert leftovers() == []
    assert Registry().get(PROJECT_ID, cached=False).resources.kms_key_arn is None
    states = {
        k["KeyId"]: boto3.client("kms").describe_key(KeyId=k["KeyId"])["KeyMetadata"]
        for k in boto3.client("kms").list_keys()["Keys"]
    }
    assert [m["KeyState"] for m in states.values()] == ["PendingDeletion"]


def test_removal_refuses_unknown_and_provisioning_projects(aws):
    with pytest.raises(Exception, match="is not registered"):
        deprovision(PROJECT_ID)
    normalized = dispatch({"action": "validate", "request": request()})
    dispatch({"action": "register", "request": normalized, "executionId": "exec-1"})
    with pytest.raises(Exception, match="is PROVISIONING"):
        deprovision(PROJECT_ID)


def test_purging_retained_data_later(aws):
    assert provision(request())["status"] == "SUCCEEDED"
    deprovision(PROJECT_ID, retain_data=True)
    assert len(leftovers()) == 4
    deprovision(PROJECT_ID, retain_data=False)
    assert leftovers() == []
    assert Registry().get(PROJECT_ID, cached=False).status_reason == "deprovisioned; nothing retained"


def test_endpoints_of_a_created_vpc_let_through_only_the_projects_resources(aws):
    """Issue 12, item 6: the S3, Glue and DynamoDB endpoints had no policy (anything reachable through them)."""
    assert provision(request())["status"] == "SUCCEEDED"
    ec2 = boto3.client("ec2")
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "tag:Project", "Values": [PREFIX]}])["VpcEndpoints"]
    policies = {e["ServiceName"].rsplit(".", 1)[-1]: json.loads(e["PolicyDocument"]) for e in endpoints}
    assert set(policies) == {"s3", "glue", "dynamodb"}
    s3 = {
        r
        for s in policies["s3"]["Statement"]
        for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    }
    assert s3 == {
        *(f"arn:aws:s3:::{PREFIX}-glue-{p}{o}" for p in ("scripts", "temp", "artifacts") for o in ("", "/*")),
        "arn:aws:s3:::aws-glue-*",
        "arn:aws:s3:::aws-glue-*/*",
    }
    glue = policies["glue"]["Statement"][0]["Resource"]
    assert all(r.endswith(":catalog") or PREFIX in r for r in glue)
    assert policies["dynamodb"]["Statement"][0]["Resource"].endswith(f":table/{PREFIX}-*")
    # issue 23 part 3 (Prowler vpc_endpoint_connections_trust_boundaries): Principal "*" only of this account
    for policy in policies.values():
        for statement in policy["Statement"]:
            assert statement["Principal"] == "*"
            assert statement["Condition"]["StringEquals"]["aws:PrincipalAccount"] == "123456789012", statement
