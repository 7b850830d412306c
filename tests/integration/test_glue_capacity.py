"""Issue 13, items 1 and 2: the capacity Glue accepts, streaming jobs, Ray and Python shell jobs.

The emulator refuses what Glue refuses (with Glue's message); the enforcer only plans an UpdateJob Glue
accepts; streaming jobs keep running (no Timeout clamp, no run-time cap unless `streaming_max_run_hours`)."""

from __future__ import annotations

import boto3
import pytest
from glueguard.adapters.decisions import DecisionLog
from glueguard.adapters.registry import Registry
from glueguard.handlers import run_guard
from glueguard.handlers.enforcer import handler

from tests.support.clock import simulated_runs
from tests.support.events import load
from tests.support.lambda_context import LambdaContext
from tests.support.runs import schedule_event, status_event

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
JOB = f"project-{PID}-job-ingest"  # the job events/enforcer/create_job_noncompliant.json names
SCRIPT = f"s3://project-{PID}-glue-scripts/ingest.py"


def _compliant(project, command: str, **capacity) -> dict:
    return {
        "Role": project.resources.job_role_arn,
        "Command": {"Name": command, "ScriptLocation": SCRIPT},
        "Connections": {"Connections": [project.connection_name]},
        "SecurityConfiguration": project.security_configuration,
        "DefaultArguments": {"--TempDir": f"s3://{project.bucket('temp')}/temporary/"},
        "NotificationProperty": {"NotifyDelayAfter": 1},
        "Tags": project.mandatory_tags(),
        **capacity,
    }


@pytest.mark.parametrize(
    ("command", "capacity", "message"),
    [
        ("pythonshell", {"MaxCapacity": 2.0}, "allocate 0.0625 or 1 DPU"),
        (
            "pythonshell",
            {"WorkerType": "G.1X", "NumberOfWorkers": 2},
            "Worker Type is not supported for Job Command pythonshell",
        ),
        ("glueetl", {"GlueVersion": "1.0", "MaxCapacity": 2.5}, "whole number of DPUs from 2 to 100"),
        ("glueetl", {"GlueVersion": "1.0", "MaxCapacity": 1.0}, "whole number of DPUs from 2 to 100"),
        (
            "glueetl",
            {"GlueVersion": "4.0", "WorkerType": "G.1X", "NumberOfWorkers": 2, "MaxCapacity": 2.0},
            "Please do not set Max Capacity",
        ),
        ("glueetl", {"GlueVersion": "4.0", "WorkerType": "G.025X", "NumberOfWorkers": 2}, "only for streaming jobs"),
        (
            "gluestreaming",
            {"GlueVersion": "2.0", "WorkerType": "G.025X", "NumberOfWorkers": 2},
            "Glue version 3.0 or later",
        ),
        ("glueetl", {"GlueVersion": "2.0", "WorkerType": "G.4X", "NumberOfWorkers": 2}, "Glue version 3.0 or later"),
        ("glueetl", {"GlueVersion": "4.0", "WorkerType": "Z.2X", "NumberOfWorkers": 2}, "only for Ray jobs"),
        ("glueray", {"GlueVersion": "4.0", "WorkerType": "G.1X", "NumberOfWorkers": 2}, "use Z.2X"),
    ],
)
def test_emulator_refuses_capacity_glue_refuses(project, command, capacity, message):
    glue = boto3.client("glue")
    with pytest.raises(glue.exceptions.InvalidInputException, match=message):
        glue.create_job(Name=JOB, **_compliant(project, command, **capacity))
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_job(JobName=JOB)  # nothing was created


def test_emulator_accepts_what_glue_accepts(project):
    glue = boto3.client("glue")
    accepted = [
        ("pythonshell", {"MaxCapacity": 0.0625}),
        ("glueetl", {"GlueVersion": "1.0", "MaxCapacity": 2.0}),
        ("gluestreaming", {"GlueVersion": "4.0", "WorkerType": "G.025X", "NumberOfWorkers": 2}),
        ("glueetl", {"GlueVersion": "4.0", "WorkerType": "G.8X", "NumberOfWorkers": 2}),
        ("glueray", {"GlueVersion": "4.0", "WorkerType": "Z.2X", "NumberOfWorkers": 2}),
    ]
    for n, (command, capacity) in enumerate(accepted):
        glue.create_job(Name=f"{JOB}-{n}", **_compliant(project, command, **capacity))
    streaming = glue.get_job(JobName=f"{JOB}-2")["Job"]
    assert "Timeout" not in streaming  # streaming jobs have no default timeout


@pytest.mark.parametrize(
    ("command", "capacity", "cap", "corrected"),
    [
        ("glueetl", {"GlueVersion": "1.0", "MaxCapacity": 10.0, "Timeout": 60}, 2.5, 2.0),
        ("pythonshell", {"MaxCapacity": 1.0, "Timeout": 60}, 0.5, 0.0625),
    ],
)
def test_capacity_correction_is_an_update_glue_accepts(project, command, capacity, cap, corrected):
    Registry().update(PID, policy_overrides={"max_dpu_per_job": cap})
    boto3.client("glue").create_job(Name=JOB, **_compliant(project, command, **capacity))

    result = handler(load("enforcer/create_job_noncompliant.json"), LambdaContext())

    assert result["outcome"] == "remediated", result
    assert boto3.client("glue").get_job(JobName=JOB)["Job"]["MaxCapacity"] == corrected


def test_python_shell_job_under_a_2_5_dpu_policy_is_corrected_to_what_glue_accepts(project):
    Registry().update(PID, policy_overrides={"max_dpu_per_job": 2.5})
    boto3.client("glue").create_job(Name=JOB, **_compliant(project, "pythonshell", MaxCapacity=1.0))  # no Timeout

    result = handler(load("enforcer/create_job_noncompliant.json"), LambdaContext())

    job = boto3.client("glue").get_job(JobName=JOB)["Job"]
    assert result["outcome"] == "remediated", result
    assert (job["MaxCapacity"], job["Timeout"]) == (1.0, 120)


def test_streaming_job_runs_past_eight_hours_with_no_correction(project):
    glue = boto3.client("glue")
    streaming = _compliant(project, "gluestreaming", GlueVersion="4.0", WorkerType="G.025X", NumberOfWorkers=4)
    glue.create_job(Name=JOB, **streaming)  # no Timeout: it runs until stopped
    assert handler(load("enforcer/create_job_noncompliant.json"), LambdaContext())["outcome"] == "compliant"
    with simulated_runs() as clock:
        guard = run_guard.guard()
        guard.now = clock.now
        run_id = glue.start_job_run(JobName=JOB)["JobRunId"]
        assert run_guard.handler(status_event(JOB, run_id), LambdaContext())["outcome"] == "admitted"

        clock.advance(hours=9)  # past the 480 min run-time cap that applies to batch jobs
        run_guard.handler(schedule_event(), LambdaContext())

        assert glue.get_job_run(JobName=JOB, RunId=run_id)["JobRun"]["JobRunState"] == "RUNNING"
        assert [d for d in DecisionLog().list(PID) if d.outcome == "stopped"] == []
        assert "Timeout" not in glue.get_job(JobName=JOB)["Job"]

        Registry().update(PID, policy_overrides={"streaming_max_run_hours": 8})  # a platform that wants a cap
        run_guard.reset()  # a new container reads the registry afresh
        run_guard.guard().now = clock.now
        clock.advance(minutes=5)
        run_guard.handler(schedule_event(), LambdaContext())

        [decision] = [d for d in DecisionLog().list(PID) if d.outcome == "stopped"]
        assert decision.violations[0]["rule"] == "streaming-run-time-cap"
        assert glue.get_job_run(JobName=JOB, RunId=run_id)["JobRun"]["JobRunState"] in ("STOPPING", "STOPPED")
