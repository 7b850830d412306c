"""`make scan`'s judgement of Prowler's findings (glueguard_sandbox/scan_findings.py): whose resource a finding is on,
and the acceptances docs/security.md holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from glueguard_sandbox.scan_findings import (
    OUTSIDE,
    PLANE,
    PROJECT,
    Acceptance,
    Finding,
    judge,
    read_acceptances,
    scope,
)

ROOT = Path(__file__).resolve().parents[2]
PID = "6a1f4c2e-9b3d-4e5f-8a7b-0c1d2e3f4a5b"
MARKERS = (f"project-{PID}", "vpc-0abc", "sg-0def")


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("arn:aws:lambda:us-east-1:123456789012:function:glueguard-EnforcerFunction-ABC", PLANE),
        ("arn:aws:iam::123456789012:role/glueguard/glueguard-EnforcerRole-ABC", PLANE),
        (f"arn:aws:s3:::project-{PID}-glue-temp", PROJECT),
        ("arn:aws:ec2:us-east-1:123456789012:security-group/sg-0def", PROJECT),  # the project VPC's default group
        ("arn:aws:ec2:us-east-1:123456789012:security-group/sg-0other", OUTSIDE),  # moto's default VPC
        ("arn:aws:s3:::glueguard-sandbox-artifacts", OUTSIDE),  # the sandbox's stand-in for sam package's bucket
        ("arn:aws:iam:us-east-1:123456789012:password-policy", OUTSIDE),
    ],
)
def test_each_finding_has_one_owner(resource, expected):
    assert scope(resource, MARKERS) == expected


def _finding(check, resource, status="FAIL"):
    return Finding(check, status, "high", resource, "...")


def test_a_fail_on_the_plane_or_project_is_accepted_only_by_a_matching_row_and_unused_rows_are_named():
    rows = [
        Acceptance("vpc_flow_logs_enabled", "arn:aws:ec2:*:vpc/*", "open"),
        Acceptance("s3_bucket_object_lock", "arn:aws:s3:::*", "purge"),
    ]
    findings = [
        _finding("vpc_flow_logs_enabled", "arn:aws:ec2:us-east-1:1:vpc/vpc-0abc"),
        _finding("sns_topics_kms_encryption_at_rest_enabled", "arn:aws:sns:us-east-1:1:glueguard-AlarmsTopic-X"),
        _finding("sns_topics_kms_encryption_at_rest_enabled", "arn:aws:sns:us-east-1:1:someone-elses"),
        _finding("vpc_flow_logs_enabled", "arn:aws:ec2:us-east-1:1:vpc/vpc-0abc", status="PASS"),
    ]
    verdict = judge(findings, MARKERS, rows)
    assert [f.check for f in verdict.unaccepted] == ["sns_topics_kms_encryption_at_rest_enabled"]
    assert [a.check for _, a in verdict.accepted] == ["vpc_flow_logs_enabled"]
    assert verdict.unused == [rows[1]]
    assert verdict.counts == {(PROJECT, "FAIL"): 1, (PLANE, "FAIL"): 1, (OUTSIDE, "FAIL"): 1, (PROJECT, "PASS"): 1}


def test_docs_security_md_accepts_each_finding_with_a_reason():
    rows = read_acceptances((ROOT / "docs" / "security.md").read_text())
    assert rows and all(r.check and r.resource and len(r.reason) > 20 for r in rows)
    assert len({(r.check, r.resource) for r in rows}) == len(rows)


def test_a_row_without_a_reason_is_refused():
    with pytest.raises(ValueError, match="needs a check, a resource pattern and a reason"):
        read_acceptances(
            "### Prowler findings accepted\n\n| check | resource | reason |\n|---|---|---|\n| `x` | `y` | |\n"
        )
