"""Property: no task input the state machines would never send makes the provisioner raise anything but
InvalidRequest, or create, change or delete anything in AWS."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from glueguard.handlers.provisioner import ACTIONS, handler
from glueguard.provisioning.request import DeprovisionRequest, InvalidRequest, ProvisionRequest, parse
from glueguard.provisioning.steps import STEPS
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.reliability.test_enforcer_events import json_value
from tests.support.fuzz import examples
from tests.support.lambda_context import LambdaContext
from tests.support.provisioning import request
from tests.support.snapshot import account_state

REMOVAL = {"projectId": "6a1f4c2e-9b3d-4e5f-8a7b-0c1d2e3f4a5b", "retainData": True}
REMOVAL_ACTIONS = {"validate_removal", "begin_removal", "remove", "finish_removal", "removal_failed"}


def _valid(action: str, payload: Any) -> bool:
    model = DeprovisionRequest if action in REMOVAL_ACTIONS else ProvisionRequest
    try:
        parse(model, payload)
    except InvalidRequest:
        return False
    return True


@st.composite
def broken_requests(draw) -> Any:
    """A valid provisioning or removal request with 1-3 fields deleted or replaced by random JSON."""
    payload: Any = copy.deepcopy(draw(st.sampled_from([request(), REMOVAL])))
    for _ in range(draw(st.integers(1, 3))):
        if not isinstance(payload, dict) or not payload or draw(st.integers(0, 9)) == 0:
            return draw(json_value)
        key = draw(st.sampled_from(sorted(payload)))
        if draw(st.booleans()):
            del payload[key]
        else:
            payload[key] = draw(json_value)
    if draw(st.booleans()):
        payload[draw(st.text(min_size=1, max_size=12))] = draw(json_value)  # an unknown field
    return payload


@st.composite
def tasks(draw) -> Any:
    kind = draw(st.sampled_from(["json", "action", "step", "request"]))
    if kind == "json":
        return draw(json_value)
    if kind == "action":
        return {
            "action": draw(json_value.filter(lambda a: not isinstance(a, str) or a not in ACTIONS)),
            "request": request(),
        }
    if kind == "step":
        action = draw(st.sampled_from(["create", "compensate", "remove"]))
        payload = REMOVAL if action == "remove" else request()
        step = draw(json_value.filter(lambda s: not isinstance(s, str) or s not in STEPS))
        return {"action": action, "step": step, "request": payload}
    action = draw(st.sampled_from(sorted(ACTIONS)))
    payload = draw(broken_requests())
    assume(not _valid(action, payload))
    return {"action": action, "step": draw(st.sampled_from(sorted(STEPS))), "request": payload}


@pytest.fixture
def before(aws):
    return account_state()


@settings(settings.get_profile("reliability"), max_examples=examples(60))
@given(task=tasks())
def test_malformed_tasks_raise_invalid_request_and_change_nothing(before, task):
    with pytest.raises(InvalidRequest):
        handler(task, LambdaContext())
    assert account_state() == before
