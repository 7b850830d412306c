"""Glue operations the emulator adds to moto, checked against the Glue API reference."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import Events, SandboxHandle, poll


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_create_job_on_existing_name_fails(sandbox: SandboxHandle):
    glue = sandbox.client("glue")
    job = {"Name": _name("dup"), "Role": "r", "Command": {"Name": "glueetl", "ScriptLocation": "s3://b/x.py"}}
    glue.create_job(**job)
    with pytest.raises(glue.exceptions.AlreadyExistsException):
        glue.create_job(**{**job, "Role": "other"})
    assert glue.get_job(JobName=job["Name"])["Job"]["Role"] == "r"


def test_update_job_replaces_the_definition(sandbox: SandboxHandle):
    glue = sandbox.client("glue")
    name = _name("upd")
    glue.create_job(
        Name=name,
        Role="r",
        Command={"Name": "glueetl", "ScriptLocation": "s3://b/x.py"},
        Description="keep?",
        MaxRetries=3,
        Timeout=60,
    )
    glue.update_job(
        JobName=name, JobUpdate={"Role": "r2", "Command": {"Name": "glueetl", "ScriptLocation": "s3://b/y.py"}}
    )
    job = glue.get_job(JobName=name)["Job"]
    assert job["Role"] == "r2" and "Description" not in job
    assert (job["MaxRetries"], job["Timeout"]) == (0, 2880)  # reset to Glue's defaults


def test_update_crawler_sets_given_fields(sandbox: SandboxHandle):
    glue = sandbox.client("glue")
    name = _name("crawler")
    glue.create_crawler(
        Name=name, Role="r", DatabaseName="db", Description="d", Targets={"S3Targets": [{"Path": "s3://b/in/"}]}
    )
    glue.update_crawler(Name=name, Role="r2", Targets={"S3Targets": [{"Path": "s3://b/other/"}]})
    crawler = glue.get_crawler(Name=name)["Crawler"]
    assert (crawler["Role"], crawler["DatabaseName"], crawler["Description"]) == ("r2", "db", "d")
    assert crawler["Targets"]["S3Targets"] == [{"Path": "s3://b/other/"}]
    assert crawler["Version"] == 2
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.update_crawler(Name=_name("missing"), Role="r")


def test_update_trigger(sandbox: SandboxHandle):
    glue = sandbox.client("glue")
    name = _name("trigger")
    glue.create_trigger(
        Name=name,
        Type="SCHEDULED",
        Schedule="cron(0 1 * * ? *)",
        Description="nightly",
        Actions=[{"JobName": "a", "Arguments": {"--x": "1"}}],
    )
    updated = glue.update_trigger(
        Name=name, TriggerUpdate={"Schedule": "cron(0 2 * * ? *)", "Actions": [{"JobName": "b"}]}
    )["Trigger"]
    trigger = glue.get_trigger(Name=name)["Trigger"]
    assert trigger == updated
    assert (trigger["Type"], trigger["Schedule"]) == ("SCHEDULED", "cron(0 2 * * ? *)")
    assert [a["JobName"] for a in trigger["Actions"]] == ["b"]


def test_job_bookmarks(sandbox: SandboxHandle, events: Events):
    glue = sandbox.client("glue")
    name = _name("bookmarked")
    glue.create_job(
        Name=name,
        Role="r",
        Command={"Name": "glueetl", "ScriptLocation": "s3://b/x.py"},
        DefaultArguments={"--job-bookmark-option": "job-bookmark-enable"},
    )
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_job_bookmark(JobName=name)
    run_id = glue.start_job_run(JobName=name, Arguments={"--sandbox-run-seconds": "0"})["JobRunId"]
    assert poll(lambda: glue.get_job_run(JobName=name, RunId=run_id)["JobRun"]["JobRunState"] == "SUCCEEDED")
    entry = glue.get_job_bookmark(JobName=name)["JobBookmarkEntry"]
    assert (entry["JobName"], entry["RunId"], entry["Version"], entry["Run"]) == (name, run_id, 1, 1)
    reset = glue.reset_job_bookmark(JobName=name)["JobBookmarkEntry"]
    assert reset["Version"] == 2 and reset["JobBookmark"] == "{}"


def test_sessions_create_and_stop(sandbox: SandboxHandle):
    glue = sandbox.client("glue")
    session_id = _name("session")
    session = glue.create_session(
        Id=session_id, Role="arn:aws:iam::123456789012:role/r", Command={"Name": "glueetl", "PythonVersion": "3"}
    )
    assert session["Session"]["Id"] == session_id
    assert glue.stop_session(Id=session_id)["Id"] == session_id
    assert glue.get_session(Id=session_id)["Session"]["Status"] in ("STOPPING", "STOPPED")
    assert poll(lambda: glue.get_session(Id=session_id)["Session"]["Status"] == "STOPPED", timeout=30)
    with pytest.raises(glue.exceptions.IllegalSessionStateException):
        glue.stop_session(Id=session_id)
