"""`glueguard budget override|show`: a time-boxed, recorded override that lets a deadline through."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from glueguard.adapters.decisions import DecisionLog
from glueguard.adapters.spend import Spend
from glueguard.runs.job_run import as_utc
from typer.testing import CliRunner

from glueguard_cli.cli import app


def test_override_is_time_boxed_and_recorded(edge, project):
    pid = project.project_id
    before = datetime.now(UTC)

    result = CliRunner().invoke(
        app, ["budget", "override", "--project", pid, "--hours", "12", "--reason", "quarter-end model refresh"]
    )

    assert result.exit_code == 0, result.output
    override = Spend().override(pid)
    until = as_utc(override.until)
    # from now on the endpoint's clock (the Date of its response, to the second)
    assert before.replace(microsecond=0) + timedelta(hours=12) <= until <= datetime.now(UTC) + timedelta(hours=12)
    assert override.reason == "quarter-end model refresh"
    [decision] = [d for d in DecisionLog().list(pid) if d.outcome == "overridden"]
    assert decision.reason == "quarter-end model refresh" and decision.after == {"until": override.until}
    shown = json.loads(CliRunner().invoke(app, ["budget", "show", "--project", pid, "--json"]).output)
    assert shown["override"]["reason"] == "quarter-end model refresh"


def test_bad_override_requests_change_nothing(project):
    pid = project.project_id
    for args, message in (
        (["--hours", "0", "--reason", "x"], "at most 168"),
        (["--hours", "200", "--reason", "x"], "at most 168"),
        (["--hours", "2", "--reason", "  "], "say why"),
    ):
        result = CliRunner().invoke(app, ["budget", "override", "--project", pid, *args], env={"COLUMNS": "200"})
        assert result.exit_code == 2 and message in result.output, result.output
    unknown = CliRunner().invoke(
        app,
        ["budget", "override", "--project", "0f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c", "--hours", "1", "--reason", "x"],
        env={"COLUMNS": "200"},
    )
    assert unknown.exit_code == 2 and "not registered" in unknown.output
    assert Spend().override(pid) is None
    assert [d for d in DecisionLog().list(pid) if d.outcome == "overridden"] == []
