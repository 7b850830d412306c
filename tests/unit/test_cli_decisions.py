"""`glueguard decisions`: bad input is refused before any AWS call."""

from __future__ import annotations

from typer.testing import CliRunner

from glueguard_cli.cli import app


def test_decisions_rejects_a_bad_project_id():
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["decisions", "--project", "not-a-uuid"])
    assert result.exit_code == 2
    assert "not a canonical lower-case UUID" in result.output
