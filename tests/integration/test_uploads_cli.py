"""`glueguard uploads add|list|remove` against moto (the registry found through env, as after `sandbox up`)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from glueguard_cli.cli import app


def test_add_list_remove(project):
    runner = CliRunner()
    pid = project.project_id
    job = project.names.resource("job", "ingest")
    bucket = project.names.artifacts_bucket

    added = runner.invoke(
        app,
        [
            "uploads",
            "add",
            pid,
            "--bucket",
            bucket,
            "--prefix",
            "incoming/",
            "--suffix",
            ".csv",
            "--job",
            job,
            "--arg",
            "--input_path=s3://{bucket}/{key}",
            "--json",
        ],
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.output) == [
        {
            "bucket": bucket,
            "prefix": "incoming/",
            "suffix": ".csv",
            "jobName": job,
            "arguments": {"--input_path": "s3://{bucket}/{key}"},
        }
    ]

    refused = runner.invoke(app, ["uploads", "add", pid, "--bucket", "not-ours", "--job", job])
    assert refused.exit_code == 1
    assert "is not a bucket of project" in refused.output

    listed = runner.invoke(app, ["uploads", "list", pid, "--json"])
    assert [t["jobName"] for t in json.loads(listed.output)] == [job]

    removed = runner.invoke(app, ["uploads", "remove", pid, "0"])
    assert removed.exit_code == 0, removed.output
    assert json.loads(runner.invoke(app, ["uploads", "list", pid, "--json"]).output) == []


def test_unknown_project_and_bad_id(aws):
    runner = CliRunner()
    missing = runner.invoke(app, ["uploads", "list", "9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d"])
    assert missing.exit_code == 1 and "not registered" in missing.output
    bad = runner.invoke(app, ["uploads", "list", "NOT-A-UUID"])
    assert bad.exit_code == 2 and "canonical" in bad.output


def test_a_binding_on_its_jobs_own_output_is_refused(project):
    from tests.support.runs import make_job

    pid, bucket = project.project_id, project.names.artifacts_bucket
    job = make_job(project, "loop", DefaultArguments={"--output_path": f"s3://{bucket}/incoming/processed/"})

    refused = CliRunner().invoke(
        app, ["uploads", "add", pid, "--bucket", bucket, "--prefix", "incoming/", "--job", job]
    )

    assert refused.exit_code == 1
    assert "self-trigger loop" in refused.output
    assert json.loads(CliRunner().invoke(app, ["uploads", "list", pid, "--json"]).output) == []


def test_the_old_name_triggers_still_manages_upload_bindings_and_says_it_is_deprecated(project):
    pid = project.project_id
    job = project.names.resource("job", "ingest")
    bucket = project.names.artifacts_bucket
    runner = CliRunner()

    added = runner.invoke(app, ["triggers", "add", pid, "--bucket", bucket, "--prefix", "incoming/", "--job", job])

    assert added.exit_code == 0, added.output
    assert "`glueguard triggers` is now `glueguard uploads`" in added.stderr
    listed = runner.invoke(app, ["uploads", "list", pid, "--json"])
    assert [t["jobName"] for t in json.loads(listed.stdout)] == [job]
    commands = [line.split()[1] for line in runner.invoke(app, ["--help"]).stdout.splitlines() if line.startswith("│ ")]
    assert "uploads" in commands and "glue-triggers" in commands and "triggers" not in commands
