"""What the sandbox authorizes a call as, where the differential IAM test cannot see it (issue 22): the tag
keys an untag call removes, the key a ciphertext names, and a resource policy granting `"*"`."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.e2e.conftest import ACCOUNT, SandboxHandle


def test_a_tag_key_deny_applies_to_glue_untag_resource(sandbox: SandboxHandle):
    """aws:TagKeys of UntagResource are the keys in TagsToRemove (Service Authorization Reference, Glue)."""
    glue = sandbox.client("glue")
    name = f"tagged-{uuid.uuid4().hex[:6]}"
    glue.create_database(DatabaseInput={"Name": name})
    arn = f"arn:aws:glue:us-east-1:{ACCOUNT}:database/{name}"
    glue.tag_resource(ResourceArn=arn, TagsToAdd={"Project": "a", "Note": "x"})
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "glue:UntagResource", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "glue:UntagResource",
                "Resource": "*",
                "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["Project"]}},
            },
        ],
    }
    session = sandbox.client("glue", sandbox.assume(f"untagger-{uuid.uuid4().hex[:6]}", "untagger", policy=policy))
    with pytest.raises(ClientError) as caught:
        session.untag_resource(ResourceArn=arn, TagsToRemove=["Project"])
    assert "glue:UntagResource" in caught.value.response["Error"]["Message"]
    assert "explicit deny in an identity-based policy" in caught.value.response["Error"]["Message"]
    session.untag_resource(ResourceArn=arn, TagsToRemove=["Note"])
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"Project": "a"}


def test_decrypt_without_a_key_id_is_authorized_on_the_ciphertexts_key(sandbox: SandboxHandle):
    """KMS API reference, Decrypt: KeyId is optional for symmetric keys; KMS takes the key from the
    ciphertext's metadata, and authorizes kms:Decrypt on that key."""
    kms = sandbox.client("kms")
    mine, other = (kms.create_key(Description=f"decrypt-{n}")["KeyMetadata"]["Arn"] for n in ("mine", "other"))
    sealed = {k: kms.encrypt(KeyId=k, Plaintext=b"secret")["CiphertextBlob"] for k in (mine, other)}
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": mine}]}
    session = sandbox.client("kms", sandbox.assume(f"decrypter-{uuid.uuid4().hex[:6]}", "decrypter", policy=policy))
    assert session.decrypt(CiphertextBlob=sealed[mine])["Plaintext"] == b"secret"
    with pytest.raises(ClientError) as caught:
        session.decrypt(CiphertextBlob=sealed[other])
    assert f"kms:Decrypt on resource: {other} " in caught.value.response["Error"]["Message"]


def test_a_queue_policy_granting_everyone_is_evaluated(sandbox: SandboxHandle):
    """A resource policy whose Principal is "*" grants every principal (it made the evaluator raise: HTTP 500)."""
    sqs = sandbox.client("sqs")
    url = sqs.create_queue(QueueName=f"open-{uuid.uuid4().hex[:6]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    grant = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn}
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [grant]})}
    )
    session = sandbox.client("sqs", sandbox.assume(f"sender-{uuid.uuid4().hex[:6]}", "sender", policy=None))
    assert session.send_message(QueueUrl=url, MessageBody="hello")["MessageId"]
    with pytest.raises(ClientError) as caught:
        session.receive_message(QueueUrl=url)
    assert caught.value.response["Error"]["Code"] == "AccessDenied"


def test_session_policies_limit_what_the_session_may_do(sandbox: SandboxHandle):
    """AssumeRole's Policy and PolicyArns are session policies: the session may do only what both they and
    the role's policies allow (IAM user guide, "Session policies")."""
    name = f"sessioned-{uuid.uuid4().hex[:6]}"
    sandbox.assume(name, "setup")  # the role, with GLUE_POWER_USER (glue:*, s3 reads of its buckets, ...)
    iam, sts = sandbox.client("iam"), sandbox.client("sts")
    role = iam.get_role(RoleName=name)["Role"]["Arn"]
    only_jobs = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "glue:GetJobs", "Resource": "*"}]}
    managed = iam.create_policy(
        PolicyName=f"{name}-databases",
        PolicyDocument=json.dumps(
            {**only_jobs, "Statement": [{**only_jobs["Statement"][0], "Action": "glue:GetDatabases"}]}
        ),
    )["Policy"]["Arn"]
    inline = sts.assume_role(RoleArn=role, RoleSessionName="inline", Policy=json.dumps(only_jobs))["Credentials"]
    both = sts.assume_role(
        RoleArn=role, RoleSessionName="both", Policy=json.dumps(only_jobs), PolicyArns=[{"arn": managed}]
    )["Credentials"]
    glue = sandbox.client("glue", inline)
    assert glue.get_jobs()["Jobs"] is not None
    with pytest.raises(ClientError) as caught:
        glue.get_databases()
    assert caught.value.response["Error"]["Message"].endswith(
        "because no session policy allows the glue:GetDatabases action"
    )
    assert sandbox.client("glue", both).get_databases()["DatabaseList"] is not None


def test_session_tags_need_tag_session_in_the_trust_policy_and_override_the_roles_tags(sandbox: SandboxHandle):
    """IAM user guide, "Pass session tags in AWS STS": passing session tags needs sts:TagSession in the role's
    trust policy; a session tag overrides the role's tag of the same key in aws:PrincipalTag."""
    name, iam, sts = f"tagged-{uuid.uuid4().hex[:6]}", sandbox.client("iam"), sandbox.client("sts")
    only_team_b = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "glue:GetJobs",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": "b"}},
            }
        ],
    }
    role = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
        Tags=[{"Key": "team", "Value": "a"}],
    )["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="team-b", PolicyDocument=json.dumps(only_team_b))
    team_b = [{"Key": "team", "Value": "b"}]
    with pytest.raises(ClientError) as refused:
        sts.assume_role(RoleArn=role, RoleSessionName="team-b", Tags=team_b)
    assert "sts:TagSession" in refused.value.response["Error"]["Message"]

    trust = json.loads(json.dumps(iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]))
    trust["Statement"][0]["Action"] = ["sts:AssumeRole", "sts:TagSession"]
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
    tagged = sts.assume_role(RoleArn=role, RoleSessionName="team-b", Tags=team_b)["Credentials"]
    untagged = sts.assume_role(RoleArn=role, RoleSessionName="team-a")["Credentials"]
    assert sandbox.client("glue", tagged).get_jobs()["Jobs"] is not None  # team=b from the session tag
    with pytest.raises(ClientError) as denied:
        sandbox.client("glue", untagged).get_jobs()  # team=a from the role
    assert "glue:GetJobs" in denied.value.response["Error"]["Message"]


def test_session_credentials_expire_on_the_sandbox_clock_and_their_duration_is_bounded(sandbox: SandboxHandle):
    """STS API reference, AssumeRole: DurationSeconds (default 3600) up to the role's MaxSessionDuration, and at most
    one hour when a role session assumes a role (role chaining); the credentials stop working at their Expiration:
    ExpiredTokenException / ExpiredToken (IAM API reference, "Common Errors")."""
    name = f"expiring-{uuid.uuid4().hex[:6]}"
    may = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["glue:GetJobs", "sts:AssumeRole"], "Resource": "*"}],
    }
    sandbox.assume(name, "setup", policy=may)
    iam, sts = sandbox.client("iam"), sandbox.client("sts")
    arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    with pytest.raises(ClientError) as too_long:
        sts.assume_role(RoleArn=arn, RoleSessionName="long", DurationSeconds=7200)
    assert too_long.value.response["Error"] == {
        "Type": "Sender",
        "Code": "ValidationError",
        "Message": "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    }
    iam.update_role(RoleName=name, MaxSessionDuration=7200)
    assert sts.assume_role(RoleArn=arn, RoleSessionName="long", DurationSeconds=7200)["Credentials"]
    short = sts.assume_role(RoleArn=arn, RoleSessionName="short", DurationSeconds=900)["Credentials"]
    with pytest.raises(ClientError) as chained:
        sandbox.client("sts", short).assume_role(RoleArn=arn, RoleSessionName="chained", DurationSeconds=3601)
    assert chained.value.response["Error"]["Message"].endswith(
        "1 hour session limit for roles assumed by role chaining."
    )

    glue = sandbox.client("glue", short, renew=False)
    assert glue.get_jobs()["Jobs"] is not None
    sandbox.post("tick", {"seconds": 901})
    with pytest.raises(ClientError) as expired:
        glue.get_jobs()
    assert expired.value.response["Error"]["Code"] == "ExpiredTokenException"
    with pytest.raises(ClientError) as expired_query:
        sandbox.client("sts", short, renew=False).get_caller_identity()
    assert expired_query.value.response["Error"]["Code"] == "ExpiredToken"
    assert sandbox.client("glue", short).get_jobs()["Jobs"] is not None  # assumed again, as an SDK's provider does
