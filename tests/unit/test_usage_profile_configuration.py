"""The usage profile a policy asks for offers only worker types whose most workers fit the DPU cap (issue 23)."""

from __future__ import annotations

from glueguard.policy.settings import parse_policy
from glueguard.usage_profiles import configuration


def _types(policy: dict) -> tuple[list[str], list[str]]:
    config = configuration(parse_policy(policy))
    return (
        config["JobConfiguration"]["workerType"]["AllowedValues"],
        config["SessionConfiguration"]["workerType"]["AllowedValues"],
    )


def test_only_worker_types_whose_most_workers_fit_the_dpu_cap_are_offered():
    jobs, sessions = _types({})  # 50 workers, 100 DPU per job; 10 DPU per session (10 G.1X workers)
    assert jobs == ["G.025X", "G.1X", "G.2X"]  # G.4X x 50 = 200 DPU and G.8X x 50 = 400 DPU do not fit
    assert sessions == ["G.025X", "G.1X"]
    jobs, _ = _types({"max_workers_per_job": 12})
    assert jobs == ["G.025X", "G.1X", "G.2X", "G.4X", "G.8X"]  # 12 x 8 = 96 DPU
    jobs, _ = _types({"max_workers_per_job": 13})
    assert jobs == ["G.025X", "G.1X", "G.2X", "G.4X"]  # 13 x 8 = 104 DPU
