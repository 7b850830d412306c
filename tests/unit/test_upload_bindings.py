"""Issue 13, item 4: a binding must not catch the plane's own writes (`glueguard/`) or its job's own output
(a self-trigger loop: each run's output would start the next run)."""

from __future__ import annotations

import pytest
from glueguard.models.project import UploadTrigger

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
ARTIFACTS = f"project-{PID}-glue-artifacts"
BUCKETS = [ARTIFACTS, f"project-{PID}-glue-temp"]
JOB = f"project-{PID}-job-ingest"


def _binding(prefix: str, **fields) -> UploadTrigger:
    return UploadTrigger(bucket=ARTIFACTS, prefix=prefix, jobName=JOB, **fields)


@pytest.mark.parametrize("prefix", ["", "g", "glueguard/", "glueguard/quarantine/"])
def test_a_binding_catching_the_planes_own_writes_is_refused(prefix):
    [problem] = _binding(prefix).problems(PID, BUCKETS)
    assert "glueguard/" in problem


def test_a_binding_catching_its_jobs_own_output_is_refused():
    outputs = [f"s3://{ARTIFACTS}/incoming/processed/", f"s3://project-{PID}-glue-temp/temporary/"]

    [problem] = _binding("incoming/").problems(PID, BUCKETS, job_outputs=outputs)

    assert "self-trigger loop" in problem and "incoming/processed/" in problem
    assert _binding("incoming/raw/").problems(PID, BUCKETS, job_outputs=outputs) == []


def test_an_output_argument_of_the_binding_itself_counts_as_the_jobs_output():
    binding = _binding("in/", arguments={"--input": "s3://{bucket}/{key}", "--output": f"s3://{ARTIFACTS}/in/out/"})
    [problem] = binding.problems(PID, BUCKETS)
    assert "self-trigger loop" in problem
