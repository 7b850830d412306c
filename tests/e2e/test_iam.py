"""IAM in the sandbox: a refused call is answered in its service's own shape (code, HTTP status, a message
naming principal, action and resource), an unknown access key is refused, and `--no-iam` turns evaluation
off (the only test that does)."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from glueguard_sandbox.process import SandboxProcess
from tests.e2e.conftest import ACCOUNT, AT_START, SandboxHandle

#: service -> (a call, the IAM action, the code AWS answers with, the HTTP status)
SHAPES = {
    "glue": (lambda c: c.get_jobs(), "glue:GetJobs", "AccessDeniedException", 400),
    "s3": (lambda c: c.list_buckets(), "s3:ListAllMyBuckets", "AccessDenied", 403),
    "iam": (lambda c: c.list_roles(), "iam:ListRoles", "AccessDenied", 403),
    "sqs": (lambda c: c.list_queues(), "sqs:ListQueues", "AccessDenied", 400),
    "sns": (lambda c: c.list_topics(), "sns:ListTopics", "AuthorizationError", 403),
    "lambda": (lambda c: c.list_functions(), "lambda:ListFunctions", "AccessDeniedException", 403),
    "dynamodb": (lambda c: c.list_tables(), "dynamodb:ListTables", "AccessDeniedException", 400),
    "kms": (lambda c: c.list_keys(), "kms:ListKeys", "AccessDeniedException", 400),
    "ec2": (lambda c: c.describe_vpcs(), "ec2:DescribeVpcs", "UnauthorizedOperation", 403),
}


@pytest.fixture(scope="module")
def nobody(sandbox: SandboxHandle) -> dict[str, str]:
    """A session of a role that has no policy at all."""
    return sandbox.assume(f"nobody-{uuid.uuid4().hex[:6]}", "eve", policy=None)


@pytest.mark.parametrize("service", list(SHAPES))
def test_a_denial_has_its_services_shape(sandbox: SandboxHandle, nobody: dict[str, str], service: str):
    call, action, code, status = SHAPES[service]
    with pytest.raises(ClientError) as caught:
        call(sandbox.client(service, nobody))
    error, meta = caught.value.response["Error"], caught.value.response["ResponseMetadata"]
    assert (error["Code"], meta["HTTPStatusCode"]) == (code, status)
    assert error["Message"].startswith(f"User: arn:aws:sts::{ACCOUNT}:assumed-role/nobody-")
    assert f"/eve is not authorized to perform: {action} on resource: " in error["Message"]
    assert error["Message"].endswith(f"because no identity-based policy allows the {action} action")


def test_an_unknown_access_key_is_refused(sandbox: SandboxHandle):
    stranger = {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "x"}
    with pytest.raises(ClientError) as caught:
        sandbox.client("glue", stranger).get_jobs()
    assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"
    with pytest.raises(ClientError) as caught:
        sandbox.client("s3", stranger).list_buckets()
    assert caught.value.response["Error"]["Code"] == "InvalidAccessKeyId"


def test_no_iam_turns_evaluation_off(sandbox: SandboxHandle, nobody: dict[str, str]):
    """The same policy-less session: refused with IAM on, served by `sandbox up --no-iam`."""
    with pytest.raises(ClientError):
        sandbox.client("glue", nobody).get_jobs()
    with SandboxProcess("--no-iam", *AT_START) as loose:
        handle = SandboxHandle(loose.endpoint, loose.outputs)
        session = handle.assume("nobody", "eve", policy=None)
        assert handle.client("glue", session).get_jobs()["Jobs"] == []
        assert handle.client("s3", session).list_buckets()["Buckets"]


def test_publishing_to_a_topic_under_a_customer_key_needs_the_key(sandbox: SandboxHandle):
    """SNS encrypts what a publisher sends with the topic's key, as the publisher (SNS developer guide, "Key
    management"): sns:Publish alone is refused with KMSAccessDenied; with kms:GenerateDataKey and kms:Decrypt
    through SNS the same message goes out. A topic under the AWS managed key aws/sns needs no key right."""
    kms, sns = sandbox.client("kms"), sandbox.client("sns")
    key = kms.create_key(Description="topic key")["KeyMetadata"]["Arn"]
    suffix = uuid.uuid4().hex[:6]
    topic = sns.create_topic(Name=f"sealed-{suffix}", Attributes={"KmsMasterKeyId": key})["TopicArn"]
    managed = sns.create_topic(Name=f"managed-{suffix}", Attributes={"KmsMasterKeyId": "alias/aws/sns"})["TopicArn"]
    publish = {"Effect": "Allow", "Action": "sns:Publish", "Resource": [topic, managed]}
    via_sns = {"StringEquals": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}}
    use_key = {
        "Effect": "Allow",
        "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
        "Resource": key,
        "Condition": via_sns,
    }
    publisher = sandbox.assume(f"publisher-{suffix}", "pat", policy={"Version": "2012-10-17", "Statement": [publish]})
    keyed = sandbox.assume(f"keyed-{suffix}", "kim", policy={"Version": "2012-10-17", "Statement": [publish, use_key]})

    with pytest.raises(ClientError) as caught:
        sandbox.client("sns", publisher).publish(TopicArn=topic, Message="hello")
    error, meta = caught.value.response["Error"], caught.value.response["ResponseMetadata"]
    assert (error["Code"], meta["HTTPStatusCode"]) == ("KMSAccessDenied", 400)
    assert f"is not authorized to perform: kms:GenerateDataKey on resource: {key}" in error["Message"]
    assert sandbox.client("sns", publisher).publish(TopicArn=managed, Message="hello")["MessageId"]
    assert sandbox.client("sns", keyed).publish(TopicArn=topic, Message="hello")["MessageId"]
