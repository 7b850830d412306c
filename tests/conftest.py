"""Shared fixtures: a moto AWS (with the glueguard emulator extensions) holding the stack's tables."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime

import boto3
import pytest
import time_machine
from moto import mock_aws

from glueguard_sandbox.emulator import install as install_emulator
from tests.support import fuzz  # noqa: F401 - loads the hypothesis profile (`ci`, or `deep` for make test-deep)
from tests.support.clock import EDGES, START

install_emulator()

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Glueguard")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "glueguard")
os.environ.pop("AWS_ENDPOINT_URL", None)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    """Every test's time starts at `tests.support.clock.START` and runs on from there (no test reads today's
    date); `clock.move_to(instant)` or the `edge` fixture put it elsewhere."""
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@pytest.fixture(params=list(EDGES))
def edge(request: pytest.FixtureRequest, clock: time_machine.Coordinates) -> datetime:
    """A date-sensitive test runs at each instant of `tests.support.clock.EDGES` (month ends, a leap day, New
    Year's Eve); the clock is moved there and runs on."""
    instant = EDGES[request.param]
    clock.move_to(instant)
    return instant


def _reset_caches() -> None:
    from glueguard.adapters.clients import reset_clients
    from glueguard.handlers import enforcer, run_guard, upload_trigger

    reset_clients()
    enforcer.reset()
    run_guard.reset()
    upload_trigger.reset()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """moto with the template's tables and topic; yields the env vars the functions get."""
    with mock_aws():
        from tests.support.stack import create_plane_iam, create_tables

        env = {**create_tables(), **create_plane_iam()}
        env["GLUEGUARD_TOPIC_ARN"] = boto3.client("sns").create_topic(Name="glueguard-decisions")["TopicArn"]
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.delenv("GLUEGUARD_POLICY", raising=False)
        _reset_caches()
        yield env
        _reset_caches()


@pytest.fixture
def project(aws: dict[str, str]):
    from tests.support.projects import make_project

    return make_project("3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c")
