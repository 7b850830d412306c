"""Property: no event, however malformed or odd, makes the enforcer raise anything but InvalidEventError
or change anything in AWS unless it names a resource it governs. Thousands of generated events per run.

The account holds a registered project and a non-compliant job. Most generated events never name that job as a
scientist's successful call, so every one must end in InvalidEventError or a skip, and the snapshot of Glue jobs,
tags and the decisions table must not move; the events that do name it (mutated anywhere else) must either change
nothing or correct exactly that job, as the intact event does.
"""

from __future__ import annotations

import copy
import os
import uuid
from typing import Any

import boto3
import hypothesis
import pytest
from glueguard.adapters.decisions import DecisionLog
from glueguard.handlers.enforcer import handler
from glueguard.models.events import InvalidEventError
from glueguard.naming import ProjectNames
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.reliability.conftest import BAD_JOB, PID, create_job_event, job_name
from tests.support.events import EVENTS, load
from tests.support.fuzz import examples
from tests.support.lambda_context import LambdaContext
from tests.support.snapshot import glue_state, snapshot
from tests.support.stack import PLANE_ROLE_ARNS

SAMPLES = sorted(str(p.relative_to(EVENTS)) for p in (EVENTS / "enforcer").glob("*.json"))
GOVERNED = ["CreateJob", "UpdateJob"]  # and any other the kinds registry adds: see _governed()
TARGET = job_name()
NAMES = ProjectNames(PID)
EXISTING = (TARGET, NAMES.connection, NAMES.database)  # what the seeded account holds that events can name

leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", "null", "{}", "arn:aws:iam::123456789012:role/glueguard/x", "💥" * 3, "a" * 300]),
)
json_value = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=12,
)
#: Values a real request could carry: worker counts and types, timeouts, roles, the project's own names.
plausible = st.one_of(
    st.integers(0, 200),
    st.sampled_from(["G.1X", "G.2X", "G.025X", "Standard", "FLEX", "STANDARD", "glueetl", "pythonshell", "4.0", "5.0"]),
    st.sampled_from([f"arn:aws:iam::123456789012:role/project-{PID}-glue-job-role", NAMES.connection, NAMES.database]),
)
#: Resource names that are not the seeded job: odd, too long, wrong characters, or simply absent.
other_names = st.one_of(
    st.text(min_size=1, max_size=300),
    st.from_regex(r"project-[0-9a-f-]{1,40}-job-[ -~]{0,30}", fullmatch=True),
    st.sampled_from(["", "a" * 256, "../../etc", "project-3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c-job-", "Δ" * 10]),
).filter(lambda name: all(existing not in name for existing in EXISTING))


def _governed() -> list[str]:
    from glueguard.resources import kinds

    return sorted({e for kind in kinds().values() for e in kind.events}) or GOVERNED


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            paths += _paths(child, (*prefix, i))
    return paths


def _set(event: Any, path: tuple, value: Any, delete: bool = False) -> None:
    parent = event
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


def _retarget(value: Any, name: str) -> Any:
    """The event with every mention of a resource that exists in the account (the seeded job, the
    project's connection and database) replaced by `name`, wherever it appears (names, ARNs, ...)."""
    if isinstance(value, dict):
        return {k: _retarget(v, name) for k, v in value.items()}
    if isinstance(value, list):
        return [_retarget(v, name) for v in value]
    if isinstance(value, str):
        for existing in EXISTING:
            value = value.replace(existing, name)
    return value


@st.composite
def mutated_events(draw, samples: list[str] = SAMPLES) -> Any:
    """A sample event with 1-4 random deletions/replacements anywhere, never naming what the account holds."""
    event = _retarget(load(draw(st.sampled_from(samples))), draw(other_names))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(event)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        if draw(st.booleans()):
            _set(event, path, None, delete=True)
        else:
            _set(event, path, draw(json_value))
    event_id = draw(st.uuids()).hex
    if isinstance(event.get("id"), str):
        event["id"] = event_id  # a fresh envelope id, so the idempotency record never answers for AWS
    return event


@st.composite
def mutated_events_naming_the_job(draw) -> Any:
    """The sample non-compliant CreateJob naming the seeded (non-compliant) job, with 1-3 random deletions or
    replacements anywhere but the name: whether the event still says who created which job is up to chance."""
    event = copy.deepcopy(load("enforcer/create_job_noncompliant.json"))
    event["detail"]["requestParameters"]["name"] = event["detail"]["responseElements"]["name"] = TARGET
    keep = {("detail", "requestParameters", "name"), ("detail", "responseElements", "name")}
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(event) if not any(p[: len(k)] == k or k[: len(p)] == p for k in keep)]
        request = [p for p in paths if p[:2] == ("detail", "requestParameters")]
        if not paths:
            break
        # half the time what the caller asked for (a plane that trusts it over the job's state would show here)
        path = draw(st.sampled_from(request if request and draw(st.booleans()) else paths))
        if draw(st.booleans()):
            _set(event, path, None, delete=True)
        else:
            _set(event, path, draw(plausible if path in request else json_value | plausible))
    return event


@st.composite
def edge_events(draw) -> dict:
    """Well-formed events the enforcer must skip, naming the seeded (non-compliant) job itself."""
    event = copy.deepcopy(load("enforcer/create_job_noncompliant.json"))
    event["id"] = draw(st.uuids()).hex
    detail = event["detail"]
    detail["eventID"] = draw(st.uuids()).hex
    case = draw(st.sampled_from(["rejected", "plane", "not governed"]))
    if case == "rejected":
        detail["errorCode"] = draw(st.text(min_size=1, max_size=30))
        detail["errorMessage"] = draw(st.text(max_size=60))
        detail["responseElements"] = None
    elif case == "plane":  # one of the stack's own roles (exact ARN), any session name
        issuer = draw(st.sampled_from(PLANE_ROLE_ARNS))
        role = issuer.rsplit("/", 1)[-1]
        session = draw(st.from_regex(r"[A-Za-z0-9+=,.@_-]{1,40}", fullmatch=True))
        detail["userIdentity"]["arn"] = f"arn:aws:sts::123456789012:assumed-role/{role}/{session}"
        detail["userIdentity"]["sessionContext"]["sessionIssuer"].update(arn=issuer, userName=role)
    else:
        detail["eventName"] = draw(st.text(min_size=1, max_size=40).filter(lambda n: n not in _governed()))
    return event


def _enforce(event: Any) -> None:
    try:
        result = handler(event, LambdaContext())
    except InvalidEventError:
        hypothesis.event("InvalidEventError")
        return
    assert result["outcome"] == "skipped", result
    hypothesis.event(f"skipped: {result['reason'].split(' ')[0]}")


@pytest.fixture
def seeded(project):
    boto3.client("glue").create_job(Name=TARGET, **BAD_JOB)
    return snapshot()


@settings(settings.get_profile("reliability"), max_examples=examples(200))
@given(event=mutated_events())
def test_mutated_events_raise_only_invalid_event_error_and_change_nothing(seeded, event):
    _enforce(event)
    assert snapshot() == seeded


def _asking(**request: Any) -> dict:
    """The intact event naming the seeded job, with what the call asked for replaced by `request`."""
    event = create_job_event(TARGET)
    event["detail"]["requestParameters"].update(request)
    return event


def _stable(state: dict) -> dict:
    """Glue's state without its clocks (LastModifiedOn moves with any update, even one that changes nothing)."""
    return {
        name: {
            "definition": {k: v for k, v in job["definition"].items() if k not in ("CreatedOn", "LastModifiedOn")},
            "tags": job["tags"],
        }
        for name, job in state.items()
    }


def _reset_target(seeded_glue: dict) -> None:
    """The seeded job again as it was (definition and tags), and no decision about it."""
    glue = boto3.client("glue")
    glue.delete_job(JobName=TARGET)
    glue.create_job(Name=TARGET, **BAD_JOB)
    arn = f"arn:aws:glue:us-east-1:123456789012:job/{TARGET}"
    if tags := glue.get_tags(ResourceArn=arn).get("Tags"):
        glue.untag_resource(ResourceArn=arn, TagsToRemove=list(tags))
    table = boto3.resource("dynamodb").Table(os.environ["GLUEGUARD_DECISIONS_TABLE"])
    for item in table.scan()["Items"]:
        table.delete_item(Key={"project_id": item["project_id"], "decision_id": item["decision_id"]})
    assert _stable(glue_state()) == seeded_glue


@pytest.fixture
def corrected(seeded):
    """What the canonical event's correction leaves (the job, its tags), then the seeded account again."""
    handler(create_job_event(TARGET), LambdaContext())
    after = _stable(glue_state())
    assert after != _stable(seeded["glue"])
    _reset_target(_stable(seeded["glue"]))
    return after


@settings(settings.get_profile("reliability"), max_examples=examples(120))
@given(event=mutated_events_naming_the_job())
@example(event=_asking(numberOfWorkers=5))  # the caller asked for 5 workers; the job holds 80
@example(event=_asking(role=f"arn:aws:iam::123456789012:role/project-{PID}-glue-job-role"))
def test_mutated_events_naming_an_existing_job_either_change_nothing_or_exactly_correct_it(seeded, corrected, event):
    """Whatever survives of the event, the enforcer judges the job's current state: it raises InvalidEventError or
    skips and nothing moves, or it corrects that job exactly as the intact event does, with one decision about it,
    and touches nothing else."""
    seeded_glue = _stable(seeded["glue"])
    if isinstance(event.get("id"), str):  # a new envelope each time: neither the container nor the idempotency
        event["id"] = str(uuid.uuid4())  # record may answer for an earlier example's correction
    try:
        result = handler(event, LambdaContext())
    except InvalidEventError:
        result = {"outcome": "invalid"}
    hypothesis.event(result["outcome"])
    state = snapshot()
    try:
        if result["outcome"] in ("invalid", "skipped"):
            assert (_stable(state["glue"]), state["decisions"]) == (seeded_glue, seeded["decisions"])
        else:
            assert result["outcome"] == "remediated", result
            assert _stable(state["glue"]) == corrected
            assert [d.resource_name for d in DecisionLog().list(PID)] == [TARGET]
    finally:
        if result["outcome"] not in ("invalid", "skipped"):
            _reset_target(seeded_glue)


@settings(settings.get_profile("reliability"), max_examples=examples(150))
@given(event=json_value.filter(lambda v: not isinstance(v, dict)) | st.dictionaries(st.text(max_size=12), json_value))
def test_arbitrary_json_is_rejected_and_changes_nothing(seeded, event):
    with pytest.raises(InvalidEventError):
        handler(event, LambdaContext())
    assert snapshot() == seeded


@settings(settings.get_profile("reliability"), max_examples=examples(100))
@given(event=edge_events())
def test_rejected_plane_and_ungoverned_calls_on_a_noncompliant_job_are_skipped(seeded, event):
    result = handler(event, LambdaContext())
    assert result["outcome"] == "skipped", result
    assert snapshot() == seeded
