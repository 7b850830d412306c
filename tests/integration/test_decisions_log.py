"""The decisions table read back whole: a project's decisions span several DynamoDB pages (1 MB each)."""

from __future__ import annotations

from glueguard.adapters.calls import counting_calls
from glueguard.adapters.decisions import DecisionLog
from glueguard.models.decision import Decision

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"


def test_decisions_are_listed_across_pages_oldest_first(aws):
    log = DecisionLog()
    bulky = {"definition": {"Description": "x" * 30_000}}  # 60 records x ~30 KB: more than one 1 MB page
    for i in range(60):
        log.record(
            Decision(
                project_id=PID,
                event_id=f"evt-{i:03d}",
                resource_kind="job",
                resource_name=f"project-{PID}-job-{i:03d}",
                outcome="remediated",
                before=bulky,
                created_at=f"2026-11-29T10:{i:02d}:00+00:00",
            )
        )
    log.record(
        Decision(project_id="unowned", event_id="other", resource_kind="job", resource_name="x", outcome="reported")
    )

    with counting_calls() as calls:
        listed = log.list(PID)
    assert calls["DynamoDB"] >= 2  # really paged
    assert [d.event_id for d in listed] == [f"evt-{i:03d}" for i in range(60)]
    assert len(log.list()) == 61  # the scan pages too, across projects
