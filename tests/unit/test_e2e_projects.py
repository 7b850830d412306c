"""The e2e tests build projects the way users do: through the deployed provisioning state machine
(`tests.e2e.conftest.provisioned_project`), never by hand (`glueguard_sandbox.seed.make_project` creates
roles, buckets and network directly and writes the registry entry; it serves the in-process tests, the
benchmarks and the demo only)."""

from __future__ import annotations

from pathlib import Path

E2E = Path(__file__).resolve().parents[1] / "e2e"


def test_no_e2e_test_makes_its_project_by_hand():
    by_hand = sorted(p.name for p in E2E.rglob("*.py") if "make_project" in p.read_text())
    assert by_hand == []
