"""`glueguard audit` on moto: the sweep runs now, prints the table, and writes --json / --html."""

from __future__ import annotations

import json

from glueguard.handlers import compliance
from typer.testing import CliRunner

from glueguard_cli.cli import app
from tests.support.fleet import PROJECT_RESOURCES, seed_jobs

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"


def test_audit_prints_the_table_and_writes_html(project, tmp_path):
    compliance.reset()
    seed_jobs(project, 20)
    page = tmp_path / "report.html"

    result = CliRunner().invoke(app, ["audit", "--html", str(page)], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert PID in result.output
    assert "90.9% → 100.0%" in result.output  # 20 of 22: 20 jobs, the project's connection and database
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html


def test_audit_json_is_the_report(project):
    compliance.reset()
    seed_jobs(project, 10, noncompliant_every=5)

    result = CliRunner().invoke(app, ["audit", "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    swept = 10 + PROJECT_RESOURCES
    assert report["metrics"]["resources"] == swept
    assert report["metrics"]["compliant_before"] == swept - 2
    assert report["metrics"]["compliant_after"] == swept
    assert report["api_calls"]["Glue"] >= 1


def test_audit_sweeps_with_only_the_tables_it_names(project, monkeypatch):
    """An operator's environment names the projects and decisions tables: the sweep records no lineage (it sees
    no calls), so it needs no lineage table."""
    compliance.reset()
    seed_jobs(project, 5, noncompliant_every=5)
    monkeypatch.delenv("GLUEGUARD_LINEAGE_TABLE", raising=False)

    result = CliRunner().invoke(app, ["audit", "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["metrics"]["compliant_after"] == 5 + PROJECT_RESOURCES
