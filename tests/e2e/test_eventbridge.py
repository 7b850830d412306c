"""EventBridge in the sandbox, checked against the EventBridge and Lambda docs: input transformation,
rule states, schedules, Lambda and Step Functions targets, retries and dead-letter queues."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.e2e.conftest import Events, SandboxHandle, poll

SOURCE = "glueguard.tests"


def _put(sandbox: SandboxHandle, detail: dict, detail_type: str = "probe") -> None:
    sandbox.client("events").put_events(
        Entries=[{"Source": SOURCE, "DetailType": detail_type, "Detail": json.dumps(detail)}]
    )


def _pattern(tag: str) -> dict:
    return {"source": [SOURCE], "detail": {"tag": [tag]}}


def test_input_inputpath_and_transformer(sandbox: SandboxHandle, events: Events):
    tag = uuid.uuid4().hex
    constant = events.capture(_pattern(tag), Input=json.dumps({"fixed": True}))
    path = events.capture(_pattern(tag), InputPath="$.detail.job")
    transformed = events.capture(
        _pattern(tag),
        InputTransformer={
            "InputPathsMap": {"name": "$.detail.job.name", "workers": "$.detail.job.workers"},
            "InputTemplate": '{"message": "job <name> has <workers> workers", "count": <workers>, '
            '"rule": "<aws.events.rule-name>"}',
        },
    )
    text = events.capture(
        _pattern(tag),
        InputTransformer={"InputPathsMap": {"name": "$.detail.job.name"}, "InputTemplate": '"job <name> changed"'},
    )
    _put(sandbox, {"tag": tag, "job": {"name": "j1", "workers": 80}})
    assert events.receive(constant)[0]["body"] == {"fixed": True}
    assert events.receive(path)[0]["body"] == {"name": "j1", "workers": 80}
    body = events.receive(transformed)[0]["body"]
    assert body["message"] == "job j1 has 80 workers" and body["count"] == 80
    assert body["rule"].startswith("capture-")
    assert events.receive(text)[0]["body"] == "job j1 changed"


def test_disabled_and_schedule_only_rules_match_nothing(sandbox: SandboxHandle, events: Events):
    tag = uuid.uuid4().hex
    eb = sandbox.client("events")
    url, arn = events.queue()
    eb.put_rule(Name=f"off-{tag}", EventPattern=json.dumps(_pattern(tag)), State="DISABLED")
    eb.put_targets(Rule=f"off-{tag}", Targets=[{"Id": "q", "Arn": arn}])
    eb.put_rule(Name=f"sched-{tag}", ScheduleExpression="rate(1 day)")
    eb.put_targets(Rule=f"sched-{tag}", Targets=[{"Id": "q", "Arn": arn}])
    control = events.capture(_pattern(tag))
    _put(sandbox, {"tag": tag})
    assert events.receive(control)  # the event was delivered to an enabled rule
    sandbox.drain()
    assert events.receive(url, timeout=0.5) == []
    eb.enable_rule(Name=f"off-{tag}")
    _put(sandbox, {"tag": tag})
    assert [m["body"]["detail"]["tag"] for m in events.receive(url)] == [tag]


def test_tick_fires_scheduled_rules(sandbox: SandboxHandle, events: Events):
    eb = sandbox.client("events")
    url, arn = events.queue()
    name = f"sched-{uuid.uuid4().hex[:8]}"
    rule_arn = eb.put_rule(Name=name, ScheduleExpression="rate(7 days)")["RuleArn"]
    eb.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    fired = sandbox.post("tick")["fired"]
    assert rule_arn in fired
    [message] = events.receive(url)
    event = message["body"]
    assert (event["source"], event["detail-type"], event["resources"], event["detail"]) == (
        "aws.events",
        "Scheduled Event",
        [rule_arn],
        {},
    )
    eb.disable_rule(Name=name)
    assert rule_arn not in sandbox.post("tick")["fired"]


def test_schedules_follow_the_sandbox_clock_not_every_tick(sandbox: SandboxHandle, events: Events):
    """The e2e sandbox runs --manual-schedules: a rule fires when its period has passed on the clock."""
    eb = sandbox.client("events")
    url, arn = events.queue()
    name = f"sched-{uuid.uuid4().hex[:8]}"
    # One minute, not ten: each tick also fires the plane's own schedules over every earlier test's projects.
    rule_arn = eb.put_rule(Name=name, ScheduleExpression="rate(1 minute)")["RuleArn"]
    eb.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    first = sandbox.post("tick", {"seconds": 0})
    assert rule_arn not in first["fired"]
    assert rule_arn not in sandbox.post("tick", {"seconds": 59})["fired"]
    assert events.receive(url, timeout=0.5) == []
    last = sandbox.post("tick", {"seconds": 1})
    assert rule_arn in last["fired"]
    sandbox.drain()  # delivered (a busy machine's delivery queue may still hold earlier tests' retries)
    [message] = events.receive(url)
    assert message["body"]["time"] == last["clock"][:19] + "Z"
    assert "must be a number" in str(_refused(sandbox, {"seconds": -5}))


def _refused(sandbox: SandboxHandle, body: dict) -> Exception:
    with pytest.raises(RuntimeError) as refused:
        sandbox.post("tick", body)
    return refused.value


def test_lambda_target_is_invoked_asynchronously(sandbox: SandboxHandle, events: Events, echo_function: dict):
    tag = uuid.uuid4().hex
    eb = sandbox.client("events")
    eb.put_rule(Name=f"fn-{tag}", EventPattern=json.dumps(_pattern(tag)))
    eb.put_targets(Rule=f"fn-{tag}", Targets=[{"Id": "fn", "Arn": echo_function["arn"], "InputPath": "$.detail"}])
    _put(sandbox, {"tag": tag})
    sandbox.drain()
    records = poll(
        lambda: [
            r for r in events.receive(echo_function["record_url"], timeout=0.2) if r["body"]["event"].get("tag") == tag
        ]
    )
    assert records and records[0]["body"]["event"] == {"tag": tag}


def test_failing_function_is_retried_then_sent_to_its_on_failure_destination(
    sandbox: SandboxHandle, events: Events, echo_function: dict
):
    """Lambda async invocation: MaximumRetryAttempts=1 -> 2 attempts, the retry a minute (sandbox clock) after the
    first, then the invocation record."""
    tag = uuid.uuid4().hex
    sandbox.client("lambda").invoke(
        FunctionName="echo", InvocationType="Event", Payload=json.dumps({"fail": True, "tag": tag}).encode()
    )
    sandbox.drain()
    sandbox.post("tick", {"seconds": 50})
    sandbox.drain()
    assert events.receive(echo_function["failures_url"], timeout=0.5) == []  # the retry waits its minute
    sandbox.post("tick", {"seconds": 10})
    [failure] = events.receive(echo_function["failures_url"], timeout=15)
    record = failure["body"]
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestPayload"] == {"fail": True, "tag": tag}
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorMessage"] == "asked to fail"
    attempts = [
        r
        for r in events.receive(echo_function["record_url"], count=10, timeout=1)
        if r["body"]["event"].get("tag") == tag
    ]
    assert len(attempts) == 2


def test_undeliverable_target_goes_to_its_dlq_after_the_retry_policy(sandbox: SandboxHandle, events: Events):
    tag = uuid.uuid4().hex
    dlq_url, dlq_arn = events.queue()
    eb = sandbox.client("events")
    missing = "arn:aws:lambda:us-east-1:123456789012:function:does-not-exist"
    rule_arn = eb.put_rule(Name=f"dlq-{tag}", EventPattern=json.dumps(_pattern(tag)))["RuleArn"]
    eb.put_targets(
        Rule=f"dlq-{tag}",
        Targets=[
            {
                "Id": "gone",
                "Arn": missing,
                "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600},
                "DeadLetterConfig": {"Arn": dlq_arn},
            }
        ],
    )
    _put(sandbox, {"tag": tag})
    [message] = events.receive(dlq_url, timeout=15)
    assert message["body"]["detail"] == {"tag": tag}
    attributes = {k: v["StringValue"] for k, v in message["attributes"].items()}
    assert attributes["RULE_ARN"] == rule_arn
    assert attributes["TARGET_ARN"] == missing
    assert attributes["RETRY_ATTEMPTS"] == "2"
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttemptsExhausted"


def test_retries_wait_and_an_event_ages_on_the_sandbox_clock(sandbox: SandboxHandle, events: Events):
    """EventBridge retries with back-off and gives up on an event older than MaximumEventAgeInSeconds ("How
    EventBridge retries delivering events"): both on the sandbox's clock, so two sandbox minutes age the event past
    its 60 s, long before its 5 retries are spent (1/100 of real time was: five retries, then the DLQ)."""
    tag = uuid.uuid4().hex
    dlq_url, dlq_arn = events.queue()
    eb = sandbox.client("events")
    eb.put_rule(Name=f"aged-{tag}", EventPattern=json.dumps(_pattern(tag)))
    target = {
        "Id": "gone",
        "Arn": "arn:aws:lambda:us-east-1:123456789012:function:does-not-exist",
        "RetryPolicy": {"MaximumRetryAttempts": 5, "MaximumEventAgeInSeconds": 60},
        "DeadLetterConfig": {"Arn": dlq_arn},
    }
    eb.put_targets(Rule=f"aged-{tag}", Targets=[target])
    _put(sandbox, {"tag": tag})
    sandbox.drain()  # the first attempt has failed; its retry waits for the clock
    sandbox.post("tick", {"seconds": 120})
    [message] = events.receive(dlq_url, timeout=15)
    attributes = {k: v["StringValue"] for k, v in message["attributes"].items()}
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeExceeded"
    assert int(attributes["RETRY_ATTEMPTS"]) < 5


def test_step_functions_target_starts_an_execution(sandbox: SandboxHandle, events: Events, echo_function: dict):
    """The execution runs the real ASL; its Lambda task runs in-process through the same invoke path."""
    tag = uuid.uuid4().hex
    sfn = sandbox.client("stepfunctions")
    definition = {
        "StartAt": "Echo",
        "States": {
            "Echo": {
                "Type": "Task",
                "Resource": echo_function["arn"],
                "Parameters": {"tag.$": "$.detail.tag", "via": "sfn"},
                "End": True,
            }
        },
    }
    machine = sfn.create_state_machine(
        name=f"sm-{tag[:8]}", definition=json.dumps(definition), roleArn=echo_function["role"]
    )["stateMachineArn"]
    eb = sandbox.client("events")
    eb.put_rule(Name=f"sm-{tag}", EventPattern=json.dumps(_pattern(tag)))
    eb.put_targets(Rule=f"sm-{tag}", Targets=[{"Id": "sm", "Arn": machine}])
    _put(sandbox, {"tag": tag})
    executions = poll(lambda: sfn.list_executions(stateMachineArn=machine)["executions"])
    assert len(executions) == 1
    done = poll(lambda: sfn.describe_execution(executionArn=executions[0]["executionArn"])["status"] != "RUNNING")
    assert done
    execution = sfn.describe_execution(executionArn=executions[0]["executionArn"])
    assert execution["status"] == "SUCCEEDED", execution
    assert json.loads(execution["output"]) == {"ok": True}


def test_replay_puts_an_aws_source_event_on_the_bus(sandbox: SandboxHandle, events: Events):
    """`glueguard sandbox replay FILE`: a recorded aws.glue event reaches the rules as recorded."""
    from typer.testing import CliRunner

    from glueguard_cli.cli import app
    from tests.support.events import EVENTS

    recorded = json.loads((EVENTS / "enforcer" / "update_job_by_plane.json").read_text())
    url = events.capture({"source": ["aws.glue"], "id": [recorded["id"]]})
    result = CliRunner().invoke(
        app,
        ["sandbox", "replay", str(EVENTS / "enforcer" / "update_job_by_plane.json"), "--endpoint", sandbox.endpoint],
    )
    assert result.exit_code == 0, result.output
    [message] = events.receive(url)
    assert message["body"]["detail"] == recorded["detail"]
    assert message["body"]["id"] == recorded["id"]


def test_tick_moves_the_whole_sandbox_on_as_one_clock(sandbox: SandboxHandle):
    """`glueguard sandbox tick --seconds N`: the sandbox's own time moves N s on, and AWS in it sees that time
    (an object written after the tick is LastModified then), not only the schedules (docs/sandbox.md "Time")."""
    import re
    from datetime import datetime, timedelta

    from typer.testing import CliRunner

    from glueguard_cli.cli import app

    before = datetime.fromisoformat(sandbox.post("tick", {"seconds": 0})["now"])
    result = CliRunner().invoke(app, ["sandbox", "tick", "--seconds", "120", "--endpoint", sandbox.endpoint])
    assert result.exit_code == 0, result.output
    [now] = re.findall(r"the sandbox's time is (\S+)", " ".join(result.output.split()))
    moved = datetime.fromisoformat(now) - before
    assert timedelta(seconds=120) <= moved < timedelta(seconds=150), moved
    s3, bucket = sandbox.client("s3"), f"clock-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    written = s3.head_object(Bucket=bucket, Key="k")["LastModified"]
    assert written >= before + timedelta(seconds=120) - timedelta(seconds=1)  # S3 keeps whole seconds
