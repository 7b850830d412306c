"""The shipped artifact: the plane as `sam build` packages it (the layer's Makefile, built for this machine's
platform by `make build-sandbox`, which `make test` runs before pytest) provisions a project and corrects a
job in a sandbox that loads the functions and the layer from the build output, with nothing of the dev
environment on their import path: a dependency missing from the layer fails here."""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from glueguard.adapters.decisions import DecisionLog

from glueguard_sandbox.process import SandboxProcess
from tests.e2e.conftest import ROOT, SandboxHandle, noncompliant_job, point_at, poll, provisioned_project

BUILD = ROOT / ".aws-sam/sandbox/build"
LAYER = BUILD / "GlueguardLayer/python"


def _stale() -> list[str]:
    """Source files of the layer and the functions whose built copy differs or is missing."""
    layer = [p for p in ROOT.glob("layers/glueguard/**/*.py") if not _same(p, LAYER / p.relative_to(ROOT / "layers"))]
    built = {p.read_bytes() for p in BUILD.glob("*/app.py")}
    functions = [p for p in ROOT.glob("functions/*/app.py") if p.read_bytes() not in built]
    return [str(p.relative_to(ROOT)) for p in layer + functions]


def _same(source: Path, built: Path) -> bool:
    return built.is_file() and built.read_bytes() == source.read_bytes()


@pytest.fixture(scope="module")
def shipped(worker_id: str) -> Iterator[SandboxHandle]:
    if not (BUILD / "template.yaml").is_file() or not LAYER.is_dir():
        pytest.fail(f"no sam build output at {BUILD.relative_to(ROOT)}: run `make build-sandbox` (make test does)")
    stale = _stale()
    if stale:
        pytest.fail(
            f"{BUILD.relative_to(ROOT)} is older than the source ({', '.join(stale[:3])}, ...): run `make build-sandbox`"
        )
    with SandboxProcess(
        "--artifact", str(BUILD), "--manual-schedules", log=ROOT / f".e2e-sandbox-artifact-{worker_id}.log"
    ) as process:
        yield SandboxHandle(process.endpoint, process.outputs)


def test_the_built_plane_provisions_a_project_and_corrects_a_job(shipped: SandboxHandle, monkeypatch):
    point_at(shipped, monkeypatch)
    with urllib.request.urlopen(f"{shipped.endpoint}/_glueguard/status") as response:
        assert json.loads(response.read())["artifact"] == str(BUILD)
    pid = str(uuid.uuid4())
    project = provisioned_project(shipped, pid)  # the provisioner, through the state machine
    glue = shipped.client("glue", shipped.assume("ml-scientist", "grace"))
    name = f"project-{pid}-job-built"
    glue.create_job(Name=name, **noncompliant_job(pid))

    job = poll(lambda: (j := glue.get_job(JobName=name)["Job"])["NumberOfWorkers"] != 80 and j, timeout=30)
    assert job and job["Role"] == project.resources.job_role_arn and job["NumberOfWorkers"] == 50
    assert [d.outcome for d in poll(lambda: DecisionLog().list(pid), timeout=10)] == ["remediated"]
