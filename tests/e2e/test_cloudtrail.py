"""Emulated CloudTrail: mutating calls become "AWS API Call via CloudTrail" events on the default bus,
shaped as CloudTrail delivers them (FACTS.md 'Events'); read-only calls produce none."""

from __future__ import annotations

import json
import uuid

from tests.e2e.conftest import Events, SandboxHandle

CLOUDTRAIL = "AWS API Call via CloudTrail"


def _job(name: str) -> dict:
    return {
        "Name": name,
        "Role": "arn:aws:iam::123456789012:role/r",
        "Command": {"Name": "glueetl", "ScriptLocation": "s3://b/x.py"},
        "DefaultArguments": {"--job-language": "python"},
        "WorkerType": "G.1X",
        "NumberOfWorkers": 2,
    }


def test_assumed_role_create_job_event_shape(sandbox: SandboxHandle, events: Events):
    name = f"ct-{uuid.uuid4().hex[:8]}"
    url = events.capture(
        {"source": ["aws.glue"], "detail-type": [CLOUDTRAIL], "detail": {"requestParameters": {"name": [name]}}}
    )
    creds = sandbox.assume("ct-scientist", "dora", path="/teams/")
    sandbox.client("glue", creds).create_job(**_job(name))

    [message] = events.receive(url)
    event = message["body"]
    assert (event["source"], event["detail-type"], event["region"]) == ("aws.glue", CLOUDTRAIL, "us-east-1")
    assert event["account"] == "123456789012"
    detail = event["detail"]
    assert detail["eventSource"] == "glue.amazonaws.com"
    assert detail["eventName"] == "CreateJob"
    assert detail["eventType"] == "AwsApiCall"
    assert detail["awsRegion"] == "us-east-1"
    assert detail["eventID"] and detail["eventTime"].endswith("Z")
    params = detail["requestParameters"]
    assert params["name"] == name
    assert params["command"] == {"name": "glueetl", "scriptLocation": "s3://b/x.py"}
    assert params["numberOfWorkers"] == 2 and params["workerType"] == "G.1X"
    assert params["defaultArguments"] == {"--job-language": "python"}  # map keys are kept as sent
    assert detail["responseElements"] == {"name": name}
    identity = detail["userIdentity"]
    assert identity["type"] == "AssumedRole"
    assert identity["arn"] == "arn:aws:sts::123456789012:assumed-role/ct-scientist/dora"
    issuer = identity["sessionContext"]["sessionIssuer"]
    assert issuer == {
        **issuer,
        "type": "Role",
        "arn": "arn:aws:iam::123456789012:role/teams/ct-scientist",
        "userName": "ct-scientist",
    }
    assert "errorCode" not in detail


def test_rejected_call_still_produces_an_event(sandbox: SandboxHandle, events: Events):
    name = f"ct-dup-{uuid.uuid4().hex[:8]}"
    url = events.capture(
        {"source": ["aws.glue"], "detail": {"eventName": ["CreateJob"], "requestParameters": {"name": [name]}}}
    )
    glue = sandbox.client("glue")
    glue.create_job(**_job(name))
    try:
        glue.create_job(**_job(name))
    except glue.exceptions.AlreadyExistsException:
        pass
    else:
        raise AssertionError("CreateJob on an existing name must fail")
    messages = events.receive(url, count=2)
    details = sorted((m["body"]["detail"] for m in messages), key=lambda d: "errorCode" in d)
    assert len(details) == 2
    ok, rejected = details
    assert ok["responseElements"] == {"name": name}
    assert rejected["errorCode"] == "AlreadyExistsException"
    assert rejected["errorMessage"]
    assert rejected["responseElements"] is None


def test_iam_user_and_root_identities(sandbox: SandboxHandle, events: Events):
    iam = sandbox.client("iam")
    user = f"ct-user-{uuid.uuid4().hex[:6]}"
    url = events.capture({"source": ["aws.s3"], "detail": {"eventName": ["CreateBucket"]}})
    iam.create_user(UserName=user)
    iam.put_user_policy(
        UserName=user,
        PolicyName="buckets",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:CreateBucket", "Resource": "*"}]}
        ),
    )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    sandbox.client("s3", {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}).create_bucket(
        Bucket=f"{user}-bucket"
    )
    sandbox.client("s3").create_bucket(Bucket=f"{user}-root-bucket")
    identities = {
        m["body"]["detail"]["requestParameters"]["bucket"]: m["body"]["detail"]["userIdentity"]
        for m in events.receive(url, count=2)
    }
    assert identities[f"{user}-bucket"]["type"] == "IAMUser"
    assert identities[f"{user}-bucket"]["arn"] == f"arn:aws:iam::123456789012:user/{user}"
    assert identities[f"{user}-bucket"]["userName"] == user
    assert identities[f"{user}-root-bucket"]["type"] == "Root"
    assert identities[f"{user}-root-bucket"]["arn"] == "arn:aws:iam::123456789012:root"


def test_read_only_calls_and_data_events_produce_none(sandbox: SandboxHandle, events: Events):
    name = f"ct-ro-{uuid.uuid4().hex[:8]}"
    glue = sandbox.client("glue")
    glue.create_job(**_job(name))
    url = events.capture(
        {
            "source": ["aws.glue", "aws.s3"],
            "detail-type": [CLOUDTRAIL],
            "detail": {"eventName": [{"anything-but": ["CreateJob", "CreateBucket"]}]},
        }
    )
    glue.get_job(JobName=name)
    glue.list_jobs()
    glue.get_jobs()
    bucket = f"{name}-data"
    s3 = sandbox.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")  # a data event: not delivered by default
    s3.head_object(Bucket=bucket, Key="k")
    glue.delete_job(JobName=name)  # the one mutating call: proves the rule works
    [message] = events.receive(url, count=2, timeout=3)
    assert message["body"]["detail"]["eventName"] == "DeleteJob"


def test_plane_function_calls_carry_the_function_role_session(
    sandbox: SandboxHandle, events: Events, echo_function: dict
):
    """A function's own calls are made with an STS session of its role, named after the function."""
    sandbox.client("lambda").invoke(FunctionName="echo", Payload=b'{"hello": 1}')
    [record] = events.receive(echo_function["record_url"])
    assert record["body"]["function"] == "echo"
    assert record["body"]["key"].startswith("ASIA")  # temporary (session) credentials, not the caller's


def test_request_parameters_over_100_kb_are_omitted(sandbox: SandboxHandle, events: Events):
    """CloudTrail records requestParameters and responseElements up to 100 KB ("CloudTrail record contents"): a
    CreateJob whose arguments pass it arrives with no requestParameters (its small response kept); one just under
    it is recorded whole."""
    big, fits = (f"ct-{size}-{uuid.uuid4().hex[:8]}" for size in ("big", "fits"))
    url = events.capture(
        {"source": ["aws.glue"], "detail": {"eventName": ["CreateJob"], "responseElements": {"name": [big, fits]}}}
    )
    glue = sandbox.client("glue")
    value = "x" * 4000
    glue.create_job(**{**_job(big), "DefaultArguments": {f"--note-{i}": value for i in range(26)}})  # ~104 KB
    glue.create_job(**{**_job(fits), "DefaultArguments": {f"--note-{i}": value for i in range(24)}})  # ~96 KB
    got = {m["body"]["detail"]["responseElements"]["name"]: m["body"]["detail"] for m in events.receive(url, 2)}
    assert got[big]["requestParameters"] is None
    assert got[fits]["requestParameters"]["name"] == fits
    assert len(got[fits]["requestParameters"]["defaultArguments"]) == 24
