"""The sandbox's IAM evaluator against an independent engine, @cloud-copilot/iam-simulate (AGPL-3.0, a
devDependency run as a separate Node process, never shipped): the hand cases of tests/support/iam_documented.py
(each from the AWS page its family cites) and 2,000 generated ones (tests/support/iam_generated.py, fixed
seed) must get the same decision. Where the engine departs from AWS's documentation the case is excluded by
name in KNOWN, with the passage that decides it (docs/sandbox.md, "Differential test")."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pytest

from glueguard_sandbox.emulator.iam.policy import Decision, evaluate
from tests.support import iam_documented, iam_generated, iam_oracle
from tests.support.iam_oracle import Case, Verdict

SEED, GENERATED = 22, 2000


def _granted_to_the_session(case: Case, decision: Decision) -> bool:
    """A resource policy grants the session itself (its ARN, or "*") despite a session policy."""
    return case.policies.session is not None and decision.allowed and "naming the principal" in decision.reason


def _untyped_not_resource_variable(case: Case, decision: Decision) -> bool:
    """A NotResource with a variable, on an ARN whose resource part has no type (`sns:...:decisions`)."""
    documents = [case.policies.resource, *case.policies.identity]
    text = json.dumps([d for d in documents if d])
    tail = case.request.resource.split(":", 5)[-1]
    return '"NotResource"' in text and "${" in text and "/" not in tail and ":" not in tail


def _epoch_against_iso(case: Case, decision: Decision) -> bool:
    """A Date condition compares epoch seconds with an ISO 8601 time."""
    return case.name == "epoch seconds equal an ISO 8601 time"


def _version_2008(case: Case, decision: Decision) -> bool:
    documents = [*case.policies.identity, case.policies.resource]
    return any(d is not None and d.get("Version") != "2012-10-17" and "${" in json.dumps(d) for d in documents)


#: where the engine departs from AWS's documentation (the sandbox follows the page)
KNOWN: dict[str, tuple[str, Callable[[Case, Decision], bool]]] = {
    "a resource policy granting the session itself is not limited by the session policy": (
        "IAM user guide, Policy evaluation logic: resource-based policies that grant permissions to an IAM role "
        "session ARN grant them directly to the session; permissions granted directly to a session are not "
        "limited by an implicit deny in an identity-based policy, a permissions boundary, or session policy "
        "(nor, in the same section, those granted with a wildcard Principal and aws:PrincipalArn)",
        _granted_to_the_session,
    ),
    "an unresolvable variable in NotResource on an ARN without a resource type": (
        "IAM user guide, Policy variables: a variable that cannot be resolved makes the element match nothing; "
        "the engine compares the literal text before the variable first",
        _untyped_not_resource_variable,
    ),
    "epoch seconds against an ISO 8601 time": (
        "IAM user guide, Condition operators (Date): values are ISO 8601 dates or epoch (UNIX) time; the "
        "engine reads epoch values as seconds and ISO ones as milliseconds",
        _epoch_against_iso,
    ),
    "Version 2008-10-17 takes ${...} literally": (
        "IAM user guide, Version: policy variables are available only in 2012-10-17; with an earlier Version "
        "(or none) ${aws:username} is literal text",
        _version_2008,
    ),
}

CASES = iam_documented.CASES + iam_generated.cases(SEED, GENERATED)


@pytest.fixture(scope="module")
def verdicts() -> list[Verdict]:
    return iam_oracle.decide(CASES)


def _sandbox(case: Case, verdict: Verdict) -> Decision:
    """The sandbox's decision on the context the engine kept (it drops keys the action does not support)."""
    context = {k: v for k, v in case.request.context.items() if k not in verdict.ignored}
    return evaluate(replace(case.request, context=context), case.policies)


def _known(case: Case, decision: Decision) -> str | None:
    return next((name for name, (_, applies) in KNOWN.items() if applies(case, decision)), None)


def test_the_corpus_is_large_enough() -> None:
    sources = {c.source for c in iam_documented.CASES}
    assert len(iam_documented.CASES) >= 100 and len(sources) >= 12
    assert len(CASES) - len(iam_documented.CASES) == GENERATED


def test_the_engine_accepts_every_case(verdicts: list[Verdict]) -> None:
    refused = [(c.name, v.error) for c, v in zip(CASES, verdicts, strict=True) if v.allowed is None]
    assert refused == []


def test_the_documented_cases_decide_as_the_pages_say() -> None:
    wrong = [
        (c.name, c.source)
        for c in iam_documented.CASES
        if c.name in iam_documented.EXPECTED
        and evaluate(c.request, c.policies).allowed != iam_documented.EXPECTED[c.name]
    ]
    assert wrong == []


def test_the_sandbox_and_the_engine_agree(verdicts: list[Verdict]) -> None:
    disagreements, excluded = [], {name: 0 for name in KNOWN}
    for case, verdict in zip(CASES, verdicts, strict=True):
        decision = _sandbox(case, verdict)
        if decision.allowed == verdict.allowed:
            continue
        known = _known(case, decision)
        if known is None:
            disagreements.append((case.name, case.source, decision.allowed, verdict.allowed, decision.reason))
        else:
            excluded[known] += 1
    assert disagreements == []
    assert all(excluded.values()), f"a KNOWN entry explains no disagreement any more: {excluded}"
