"""Ledger arithmetic, admission (newest first) and per-run caps: pure, no AWS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from glueguard.policy.settings import Policy
from glueguard.runs.admission import LedgerEntry, admission_limit, fits, newest_first, plan_admission
from glueguard.runs.caps import remaining_allowed_seconds, run_breaches, stop_figures, time_cap_breach
from glueguard.runs.job_run import JobRun
from glueguard.uploads import MAX_DELAY_SECONDS, reservation_id, retry_delay
from hypothesis import given
from hypothesis import strategies as st

T0 = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def entry(run_id: str, dpu: float, minute: int, reservation: bool = False) -> LedgerEntry:
    return LedgerEntry(run_id, "project-x-job-a", dpu, T0 + timedelta(minutes=minute), reservation)


def run(**fields) -> JobRun:
    api = {
        "JobName": "project-x-job-a",
        "Id": "jr_1",
        "JobRunState": "RUNNING",
        "StartedOn": T0,
        "WorkerType": "G.1X",
        "NumberOfWorkers": 10,
        "Timeout": 60,
        **fields,
    }
    return JobRun.from_api(api)


def test_fits_and_the_write_condition_agree():
    assert fits(60, 40, 100) and not fits(60.0625, 40, 100)
    assert admission_limit(100, 40) == 60  # dpu_in_use <= 60 lets a 40 DPU run in


def test_three_runs_of_40_leave_two():
    active = [entry("a", 40, 0), entry("b", 40, 1)]
    plan = plan_admission(active, entry("c", 40, 2), cap=100)
    assert not plan.admit and plan.stop == []
    assert (plan.dpu_before, plan.dpu_after) == (120, 80)


def test_an_older_candidate_stops_the_newest_runs_instead():
    active = [entry("a", 40, 0), entry("c", 40, 2)]
    plan = plan_admission(active, entry("b", 40, 1), cap=100)
    assert plan.admit and [e.entry_id for e in plan.stop] == ["c"]
    assert plan.dpu_after == 80


def test_several_newest_runs_are_stopped_until_it_fits():
    active = [entry("a", 50, 0), entry("c", 20, 5), entry("d", 20, 6), entry("e", 20, 7)]
    plan = plan_admission(active, entry("b", 40, 1), cap=100)
    assert plan.admit and [e.entry_id for e in plan.stop] == ["e", "d", "c"]
    assert plan.dpu_after == 90


def test_reservations_are_never_stopped_and_a_candidate_too_big_for_them_is_refused():
    active = [entry("hold", 70, 9, reservation=True), entry("c", 20, 5)]
    plan = plan_admission(active, entry("b", 40, 1), cap=100)
    assert not plan.admit and plan.stop == []


def test_duplicate_of_an_admitted_run_is_not_counted_twice():
    plan = plan_admission([entry("a", 60, 0)], entry("a", 60, 0), cap=100)
    assert plan.admit and plan.dpu_before == 60


def test_newest_first_puts_unknown_starts_first_and_breaks_ties_by_id():
    unknown = LedgerEntry("z", "j", 1)
    ordered = newest_first([entry("a", 1, 0), entry("b", 1, 0), unknown, entry("c", 1, 3)])
    assert [e.entry_id for e in ordered] == ["z", "c", "b", "a"]


@given(
    st.lists(st.tuples(st.sampled_from([0.0625, 0.25, 1, 2, 10, 40]), st.integers(0, 50)), max_size=12),
    st.sampled_from([0.0625, 1, 10, 40, 80]),
    st.integers(0, 50),
)
def test_after_the_plan_the_project_is_within_its_cap(holders, dpu, minute):
    cap = 100.0
    active, total = [], 0.0
    for i, (d, m) in enumerate(holders):  # an admitted set is always within the cap
        if total + d <= cap:
            active.append(entry(f"r{i}", d, m))
            total += d
    plan = plan_admission(active, entry("new", dpu, minute), cap)
    kept = total - sum(e.dpu for e in plan.stop) + (dpu if plan.admit else 0)
    assert kept <= cap + 1e-9
    assert plan.dpu_after == pytest.approx(kept)
    if plan.admit:  # only runs newer than the candidate make room for it
        assert all(v.started_on >= T0 + timedelta(minutes=minute) for v in plan.stop)


def test_run_reads_overrides_and_dpu():
    r = run(WorkerType="G.2X", NumberOfWorkers=30, MaxCapacity=60.0)
    assert r.dpu == 60 and r.workers == 30 and r.active


@pytest.mark.parametrize(
    ("fields", "rules"),
    [
        ({"NumberOfWorkers": 80}, {"run-workers-cap"}),
        ({"WorkerType": "G.4X", "NumberOfWorkers": 30}, {"run-dpu-cap"}),
        ({"Timeout": 2880}, {"run-timeout-cap"}),
        ({"NumberOfWorkers": 50, "Timeout": 480}, set()),
    ],
)
def test_per_run_caps(fields, rules):
    assert {b.rule for b in run_breaches(run(**fields), Policy())} == rules


def test_security_configuration_override_other_than_the_projects_breaks():
    assert run_breaches(run(SecurityConfiguration="plain"), Policy(), "project-x-security-config")[0].rule == (
        "run-security-configuration"
    )
    assert (
        run_breaches(run(SecurityConfiguration="project-x-security-config"), Policy(), "project-x-security-config")
        == []
    )
    assert run_breaches(run(), Policy(), "project-x-security-config") == []  # no override: the job's applies


def test_time_cap_and_remaining_time():
    policy = Policy(run_time_cap_minutes=120)
    r = run(Timeout=300)
    assert time_cap_breach(r, policy, T0 + timedelta(minutes=119)) is None
    assert time_cap_breach(r, policy, T0 + timedelta(minutes=121)).rule == "run-time-cap"
    assert remaining_allowed_seconds(r, policy, T0 + timedelta(minutes=20)) == 100 * 60
    assert remaining_allowed_seconds(r, policy, T0 + timedelta(minutes=121), past_time_cap=True) == 179 * 60


def test_stop_figures_price_the_avoided_time():
    figures = stop_figures(run(NumberOfWorkers=80), Policy(), T0, project_dpu_before=80, project_dpu_after=0)
    assert figures["run_dpu"] == 80
    assert figures["remaining_allowed_minutes"] == 60
    assert figures["estimated_cost_avoided_usd"] == pytest.approx(80 * 1 * 0.44)


def test_retry_backoff_and_reservation_ids():
    assert [retry_delay(a) for a in range(1, 7)] == [30, 60, 120, 240, 480, MAX_DELAY_SECONDS]
    assert retry_delay(40) == MAX_DELAY_SECONDS
    assert reservation_id("b/k#v1", "job") == reservation_id("b/k#v1", "job") != reservation_id("b/k#v2", "job")
