"""The committed state machines are the generator's output, and their saga mirrors the step order."""

from __future__ import annotations

import json

from glueguard.provisioning.steps import ORDER, REMOVAL_ORDER

from glueguard_sandbox import asl


def test_committed_asl_is_current():
    assert asl.PROVISION.read_text() == asl.render(asl.provision()), "run: python -m glueguard_sandbox.asl"
    assert asl.DEPROVISION.read_text() == asl.render(asl.deprovision()), "run: python -m glueguard_sandbox.asl"


def _chain(states, start):
    """Follow Next from `start` to the end; the visited state names."""
    seen = [start]
    while "Next" in states[seen[-1]]:
        seen.append(states[seen[-1]]["Next"])
    return seen


def test_provisioning_compensates_in_reverse_from_the_failed_step():
    states = json.loads(asl.PROVISION.read_text())["States"]
    happy = _chain(states, "ValidateRequest")
    assert happy == ["ValidateRequest", "Register", *(f"Create{s.title()}" for s in ORDER), "Activate"]
    for index, step in enumerate(ORDER):
        catch = states[f"Create{step.title()}"]["Catch"][0]
        assert catch["ErrorEquals"] == ["States.ALL"] and catch["ResultPath"] == "$.error"
        undo = _chain(states, catch["Next"])
        assert undo == [
            *(f"Compensate{s.title()}" for s in reversed(ORDER[: index + 1])),
            "MarkFailed",
            "ProvisioningFailed",
        ]
    assert _chain(states, states["Activate"]["Catch"][0]["Next"])[0] == f"Compensate{ORDER[-1].title()}"
    # a refused request (invalid, or the project exists) compensates nothing
    assert states["Register"]["Catch"][0]["Next"] == "RefusedAfterValidation"
    assert states["RefusedAfterValidation"]["Type"] == "Fail"


def test_every_task_is_the_provisioner_with_an_action():
    for path in (asl.PROVISION, asl.DEPROVISION):
        for name, state in json.loads(path.read_text())["States"].items():
            if state["Type"] == "Task":
                assert state["Resource"] == "${ProvisionerFunctionArn}", name
                assert state["Parameters"]["action"], name
                assert "Retry" in state, name


def test_deprovisioning_removes_in_reverse_order():
    states = json.loads(asl.DEPROVISION.read_text())["States"]
    assert _chain(states, "ValidateRequest") == [
        "ValidateRequest",
        "BeginRemoval",
        *(f"Remove{s.title()}" for s in REMOVAL_ORDER),
        "FinishRemoval",
    ]
    assert ("workloads", *reversed(ORDER)) == REMOVAL_ORDER
