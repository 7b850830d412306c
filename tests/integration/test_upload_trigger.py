"""The upload trigger on moto: bindings, exactly-once starts, admission against the ledger, deferral."""

from __future__ import annotations

import json

import boto3
import pytest
from glueguard.adapters.decisions import DecisionLog
from glueguard.adapters.ledger import Ledger
from glueguard.adapters.registry import InvalidUploadTrigger, Registry
from glueguard.handlers import upload_trigger
from glueguard.handlers.run_guard import handler as guard
from glueguard.handlers.upload_trigger import handler
from glueguard.models.events import InvalidEventError
from glueguard.models.project import UploadTrigger
from glueguard.runs.admission import LedgerEntry
from glueguard.uploads import MAX_ATTEMPTS, retry_delay

from tests.support.events import load
from tests.support.lambda_context import LambdaContext
from tests.support.runs import make_job, prompt_runs, start_event, state_event

KEY = "incoming/2026-11-28/day1.csv"


@pytest.fixture
def queues(aws, monkeypatch):
    sqs = boto3.client("sqs")
    urls = {name: sqs.create_queue(QueueName=f"glueguard-test-{name}")["QueueUrl"] for name in ("retry", "dlq")}
    monkeypatch.setenv("GLUEGUARD_UPLOAD_RETRY_QUEUE_URL", urls["retry"])
    monkeypatch.setenv("GLUEGUARD_UPLOAD_DLQ_URL", urls["dlq"])
    return urls


@pytest.fixture
def bound(project, queues):
    """The project's ingest job, bound to CSV files under incoming/ of its artifacts bucket."""
    with prompt_runs():
        job = make_job(project, concurrency=3)
        Registry().add_upload_trigger(
            project.project_id,
            UploadTrigger(
                bucket=project.names.artifacts_bucket,
                prefix="incoming/",
                suffix=".csv",
                jobName=job,
                arguments={"--input_path": "s3://{bucket}/{key}", "--source": "upload"},
            ),
        )
        yield job


def _upload(sample: str = "upload_trigger/object_created.json") -> dict:
    return handler(load(sample), LambdaContext())


def _runs(job: str) -> list[dict]:
    return boto3.client("glue").get_job_runs(JobName=job)["JobRuns"]


def _messages(url: str) -> list[dict]:
    sqs = boto3.client("sqs")
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])


def _delayed(url: str) -> list[str]:
    """Bodies of the messages still in their DelaySeconds (SQS cannot receive them yet; moto holds them)."""
    from moto.sqs.models import sqs_backends

    attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    queue = sqs_backends["123456789012"]["us-east-1"].queues[url.rsplit("/", 1)[1]]
    bodies = [m.body for m in queue._messages]
    assert int(attributes["ApproximateNumberOfMessagesDelayed"]) == len(bodies)
    return bodies


def test_upload_starts_the_bound_job_once_with_rendered_arguments(project, bound):
    result = _upload()

    [run] = _runs(bound)
    bucket = project.names.artifacts_bucket
    assert run["Arguments"]["--input_path"] == f"s3://{bucket}/{KEY}"
    assert run["Arguments"]["--source"] == "upload"
    assert result["starts"][0]["run_id"] == run["Id"]
    [decision] = DecisionLog().list(project.project_id)
    assert decision.outcome == "started"
    assert decision.figures["run_dpu"] == 10
    assert decision.figures["project_dpu_after"] == 10
    assert Ledger().in_use(project.project_id) == 10


def test_same_object_event_twice_starts_one_run(project, bound):
    first = _upload()
    upload_trigger.reset()  # another container: only the idempotency record remembers
    second = _upload()
    redelivered = load("upload_trigger/object_created.json")
    redelivered["id"] = "e1e2e3e4-0000-4000-8000-0000000002ff"  # S3 may emit the same object event anew
    third = handler(redelivered, LambdaContext())

    assert len(_runs(bound)) == 1
    assert first["starts"] == second["starts"] == third["starts"]
    assert Ledger().in_use(project.project_id) == 10


def test_plane_start_is_counted_once_and_released_at_the_end(project, bound):
    run_id = _upload()["starts"][0]["run_id"]
    by_plane = start_event(bound, run_id, sample="run_guard/start_job_run_by_plane.json")

    assert guard(by_plane, LambdaContext())["outcome"] == "known"  # judged against the per-run caps, not admitted again
    assert guard(start_event(bound, run_id), LambdaContext())["outcome"] == "known"  # even if it were not skipped
    assert Ledger().in_use(project.project_id) == 10
    assert guard(state_event(bound, run_id, "SUCCEEDED"), LambdaContext())["outcome"] == "released"
    assert Ledger().in_use(project.project_id) == 0


@pytest.mark.parametrize(
    ("sample", "reason"),
    [
        ("upload_trigger/object_created_unbound_prefix.json", "no upload trigger of project"),
        ("upload_trigger/object_created_foreign_bucket.json", "names unregistered project"),
        ("upload_trigger/object_created_non_project_bucket.json", "belongs to no project"),
    ],
)
def test_objects_without_a_binding_start_nothing_and_say_why(project, bound, sample, reason):
    result = _upload(sample)

    assert result["outcome"] == "skipped"
    assert reason in result["reason"]
    assert _runs(bound) == []
    assert DecisionLog().list() == []


def test_binding_to_another_projects_job_starts_nothing(project, bound):
    registry = Registry()
    foreign_job = "project-9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d-job-ingest"
    with pytest.raises(InvalidUploadTrigger, match="jobName"):
        registry.add_upload_trigger(
            project.project_id, UploadTrigger(bucket=project.names.artifacts_bucket, jobName=foreign_job)
        )
    with pytest.raises(InvalidUploadTrigger, match="is not a bucket of project"):
        registry.add_upload_trigger(project.project_id, UploadTrigger(bucket="someone-elses", jobName=bound))
    assert len(registry.upload_triggers(project.project_id)) == 1


def test_start_over_the_project_budget_is_deferred_then_retried(project, bound, queues):
    ledger = Ledger()
    ledger.admit(project.project_id, LedgerEntry("jr_other", bound, 95), cap=100)

    deferred = _upload()

    assert deferred["outcome"] == "deferred"
    assert deferred["deferred"]["delay_seconds"] == retry_delay(1)
    assert _runs(bound) == []
    assert _messages(queues["retry"]) == []  # not before its delay
    [message] = _delayed(queues["retry"])
    body = json.loads(message)
    assert body["attempt"] == 1 and "runs 95 of its 100 DPU" in body["reason"]

    ledger.release(project.project_id, "jr_other")
    batch = {"Records": [{"messageId": "m-1", "body": message, "eventSource": "aws:sqs"}]}
    assert handler(batch, LambdaContext()) == {"batchItemFailures": []}

    [run] = _runs(bound)
    assert run["Arguments"]["--input_path"].endswith(KEY)
    assert ledger.in_use(project.project_id) == 10


def test_start_beyond_max_concurrent_runs_is_deferred(project, queues):
    with prompt_runs():
        job = make_job(project, stem="single", concurrency=1)
        Registry().add_upload_trigger(
            project.project_id, UploadTrigger(bucket=project.names.artifacts_bucket, prefix="incoming/", jobName=job)
        )
        boto3.client("glue").start_job_run(JobName=job)

        result = _upload()

    assert result["outcome"] == "deferred"
    assert "MaxConcurrentRuns (1)" in result["deferred"]["reason"]
    assert len(_runs(job)) == 1
    assert Ledger().in_use(project.project_id) == 0  # the reservation was given back


def test_after_many_attempts_the_start_goes_to_the_dead_letter_queue_with_its_reason(project, bound, queues):
    Ledger().admit(project.project_id, LedgerEntry("jr_other", bound, 100), cap=100)
    body = {"event": load("upload_trigger/object_created.json"), "attempt": MAX_ATTEMPTS, "reason": "earlier"}
    batch = {"Records": [{"messageId": "m-1", "body": json.dumps(body), "eventSource": "aws:sqs"}]}

    assert handler(batch, LambdaContext()) == {"batchItemFailures": []}

    assert _delayed(queues["retry"]) == []
    [dead] = _messages(queues["dlq"])
    kept = json.loads(dead["Body"])
    assert kept["attempt"] == MAX_ATTEMPTS + 1
    assert "runs 100 of its 100 DPU" in kept["reason"]
    assert kept["event"]["detail"]["object"]["key"] == KEY


def test_malformed_event_raises_and_starts_nothing(project, bound):
    with pytest.raises(InvalidEventError, match="key"):
        _upload("upload_trigger/malformed_missing_key.json")
    assert _runs(bound) == []


def test_triggers_can_be_listed_added_and_removed(project, bound):
    registry = Registry()
    extra = UploadTrigger(bucket=project.names.temp_bucket, prefix="raw/", jobName=bound)

    assert len(registry.add_upload_trigger(project.project_id, extra)) == 2
    assert len(registry.add_upload_trigger(project.project_id, extra)) == 2  # identical binding: not twice
    assert registry.remove_upload_trigger(project.project_id, 1) == extra
    assert [t.bucket for t in registry.upload_triggers(project.project_id)] == [project.names.artifacts_bucket]


def test_url_encoded_key_starts_its_job_once_with_the_decoded_key(project, bound):
    """S3 sends keys URL-encoded (space as '+', '=' and '+' escaped): `incoming/dt=2026-11-29/part 1+2.csv`."""
    event = load("upload_trigger/object_created.json")
    event["detail"]["object"]["key"] = "incoming/dt%3D2026-11-29/part+1%2B2.csv"

    handler(event, LambdaContext())
    handler({**event, "id": "e1e2e3e4-0000-4000-8000-000000000299"}, LambdaContext())  # delivered twice

    [run] = _runs(bound)
    bucket = project.names.artifacts_bucket
    assert run["Arguments"]["--input_path"] == f"s3://{bucket}/incoming/dt=2026-11-29/part 1+2.csv"
    [decision] = DecisionLog().list(project.project_id)
    assert decision.figures["object"] == f"s3://{bucket}/incoming/dt=2026-11-29/part 1+2.csv"


def test_storm_guard_holds_starts_past_the_bindings_cap_per_minute_with_one_decision(project, bound, queues):
    from glueguard.adapters.registry import Registry

    Registry().update(project.project_id, policy_overrides={"upload_max_starts_per_minute": 2})
    upload_trigger.reset()
    results = []
    for n in range(4):  # four new objects under the bound prefix within a minute
        event = load("upload_trigger/object_created.json")
        event["id"] = f"e1e2e3e4-0000-4000-8000-00000000030{n}"
        event["detail"]["object"].update(key=f"incoming/2026-11-28/part{n}.csv", sequencer=f"00{n}")
        results.append(handler(event, LambdaContext()))

    assert len(_runs(bound)) == 2
    assert len(_delayed(queues["retry"])) == 2  # held back, not lost: they start from the retry queue
    [throttled] = [d for d in DecisionLog().list(project.project_id) if d.outcome == "throttled"]
    assert "upload_max_starts_per_minute" in throttled.reason
    assert throttled.figures["starts_per_minute_cap"] == 2


def _object(key: str, version: str) -> dict:
    event = load("upload_trigger/object_created.json")
    event["id"] = f"e1e2e3e4-0000-4000-8000-{version.encode().hex()[:12]:0>12}"
    event["detail"]["object"].update({"key": key, "version-id": version})
    return event


def test_a_binding_added_a_moment_ago_starts_the_next_upload(project, queues):
    """The warm function read the project for the upload before (no binding then); `glueguard triggers add`
    (Registry.add_upload_trigger) adds one: the very next upload starts its job, however fresh the cache."""
    with prompt_runs():
        job = make_job(project)
        before = handler(_object("incoming/a.csv", "v-before"), LambdaContext())
        Registry().add_upload_trigger(
            project.project_id,
            UploadTrigger(bucket=project.names.artifacts_bucket, prefix="incoming/", suffix=".csv", jobName=job),
        )
        after = handler(_object("incoming/b.csv", "v-after"), LambdaContext())

    assert (before["outcome"], after["outcome"]) == ("skipped", "started")
    [run] = _runs(job)
    assert after["starts"][0]["run_id"] == run["Id"]
    assert [d.outcome for d in DecisionLog().list(project.project_id)] == ["started"]


def test_a_bound_upload_that_starts_nothing_is_a_decision(project, bound):
    Registry().update(project.project_id, status="DEPROVISIONING")

    result = _upload()

    assert result["outcome"] == "skipped" and _runs(bound) == []
    [decision] = DecisionLog().list(project.project_id)
    assert (decision.outcome, decision.resource_kind, decision.function) == ("skipped", "upload", "upload_trigger")
    assert decision.reason == f"project {project.project_id} is DEPROVISIONING, not ACTIVE"
    assert decision.resource_name == f"s3://{project.names.artifacts_bucket}/{KEY}"
    assert _upload()["outcome"] == "skipped" and len(DecisionLog().list(project.project_id)) == 1  # once per event
