"""The monthly budget as a cap, on the emulated Glue over a simulated month (docs/metrics.md, issue #17).

Project A has a $50 budget and scientists start 22 runs that would cost $80.67; project B, beside it, has
$1,000. Each run: 10 x G.1X for 50 minutes = 8.3333 DPU-hours x $0.44 = $3.6667 (Timeout 60 min bounds it
at $4.40). A's month must end at or under $52.50 (budget + 5%), with every held start recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from glueguard.adapters.decisions import DecisionLog
from glueguard.adapters.ledger import Ledger
from glueguard.adapters.registry import Registry
from glueguard.adapters.spend import Override, Spend
from glueguard.models.events import parse_cloudtrail_event, parse_glue_job_event
from glueguard.models.project import UploadTrigger
from glueguard.models.s3_events import parse_s3_object_created
from glueguard.policy.settings import Policy
from glueguard.runs.guard import RunGuard
from glueguard.uploads import Deferred, Undeliverable, UploadStarter

from tests.support.clock import SimClock, simulated_runs
from tests.support.events import load
from tests.support.projects import make_project
from tests.support.runs import make_job, start_event, state_event

RUN = {"--sandbox-run-seconds": "3000"}
RUN_COST = 3.6667  # 10 DPU x 3000 s / 3600 x $0.44, rounded to 4 places as every cost is


def _guard(clock: SimClock) -> RunGuard:
    return RunGuard(
        registry=Registry(),
        ledger=Ledger(),
        decisions=DecisionLog(),
        policy=Policy(),
        now=clock.now,
    )


def _scientist_run(guard: RunGuard, clock: SimClock, job: str) -> tuple[str, str]:
    """Start a run as a scientist would, let the guard see it, run it an hour on; return (id, guard outcome)."""
    run_id = boto3.client("glue").start_job_run(JobName=job, Arguments=RUN)["JobRunId"]
    outcome = guard.on_start(parse_cloudtrail_event(start_event(job, run_id))).outcome
    clock.advance(hours=1)
    state = boto3.client("glue").get_job_run(JobName=job, RunId=run_id)["JobRun"]["JobRunState"]
    guard.on_job_event(parse_glue_job_event(state_event(job, run_id, state)))
    return run_id, outcome


def _decisions(project_id: str, outcome: str) -> list:
    return [d for d in DecisionLog().list(project_id) if d.outcome == outcome]


@pytest.fixture
def month(project):
    other = make_project("9b2d4c6e-1a3f-4e5d-8c7b-0a1b2c3d4e5f", owner="ml-team-b")
    registry = Registry()
    registry.update(project.project_id, monthly_budget_usd=50)
    registry.update(other.project_id, monthly_budget_usd=1000)
    with simulated_runs(datetime(2026, 11, 1, 1, tzinfo=UTC)) as clock:
        yield clock, project, other


def test_a_month_of_runs_that_would_cost_80_dollars_ends_within_budget_and_tolerance(month):
    clock, a, b = month
    guard = _guard(clock)
    job_a, job_b = make_job(a), make_job(b)
    binding = UploadTrigger(bucket=a.names.artifacts_bucket, prefix="incoming/", suffix=".csv", jobName=job_a)
    Registry().add_upload_trigger(a.project_id, binding)
    uploads = UploadStarter(Registry(), Ledger(), DecisionLog(), Policy(), now=clock.now)
    upload = parse_s3_object_created(load("upload_trigger/object_created.json"))
    outcomes: list[str] = []
    upload_results: list[str] = []
    for day in range(22):
        clock.current = datetime(2026, 11, 1 + day, 1, tzinfo=UTC)
        glue = boto3.client("glue")
        run_id = glue.start_job_run(JobName=job_a, Arguments=RUN)["JobRunId"]
        outcomes.append(guard.on_start(parse_cloudtrail_event(start_event(job_a, run_id))).outcome)
        if day == 13:  # while A's 14th run goes, an upload asks for one more
            with pytest.raises(Deferred, match="deferred until running work ends"):
                uploads.start(Registry().get(a.project_id, cached=False), binding, upload)
            upload_results.append("deferred")
        clock.advance(hours=1)
        state = glue.get_job_run(JobName=job_a, RunId=run_id)["JobRun"]["JobRunState"]
        guard.on_job_event(parse_glue_job_event(state_event(job_a, run_id, state)))
        if day == 13:  # the retry, once the run has ended: nothing this month will make room now
            with pytest.raises(Undeliverable, match="refused for this month"):
                uploads.start(Registry().get(a.project_id, cached=False), binding, upload)
            upload_results.append("refused")
        _scientist_run(guard, clock, job_b)
    clock.current = datetime(2026, 11, 30, 23, tzinfo=UTC)
    guard.sweep("end-of-month")

    spend = Spend()
    month_a, month_b = spend.month(a.project_id, "2026-11"), spend.month(b.project_id, "2026-11")
    # $4.40 (timeout bound) for the first start, then the median $3.6667: admitted while
    # 3.6667 k + 3.6667 <= 52.50, i.e. 14 runs; the 15th to 22nd are refused.
    assert outcomes == ["admitted"] * 14 + ["refused"] * 8
    assert month_a.actual_usd == pytest.approx(14 * RUN_COST, abs=1e-6)  # $51.33
    assert month_a.actual_usd <= 52.50
    assert month_a.committed_usd == pytest.approx(0.0, abs=1e-6)
    assert (month_a.deferred, month_a.refused) == (1, 9)
    assert upload_results == ["deferred", "refused"]
    refused = _decisions(a.project_id, "refused")
    assert len(refused) == 9
    assert {d.resource_kind for d in refused} == {"jobrun", "jobstart"}
    assert all(d.figures["budget_limit_usd"] == 52.5 for d in refused)
    [deferred] = _decisions(a.project_id, "deferred")
    assert deferred.figures["month_actual_usd"] == pytest.approx(13 * RUN_COST, abs=1e-4)
    assert deferred.figures["month_committed_usd"] == pytest.approx(RUN_COST, abs=1e-4)
    warned = _decisions(a.project_id, "warned")
    assert sorted(d.figures["threshold"] for d in warned) == [0.8, 1.0]
    # Project B: every run admitted and charged, nothing held, stopped or warned.
    assert month_b.actual_usd == pytest.approx(22 * RUN_COST, abs=1e-6)
    assert (month_b.deferred, month_b.refused) == (0, 0)
    assert [d.outcome for d in DecisionLog().list(b.project_id)] == []


def test_at_the_hard_limit_running_work_is_stopped_newest_first(month):
    clock, a, b = month
    guard = _guard(clock)
    job = make_job(a, timeout=480)  # 10 DPU x 8 h = $35.20 each at most
    spend = Spend()
    spend.set_override(Override(a.project_id, "2026-11-01T03:00:00+00:00", "quarter-end deadline", "platform", "now"))
    glue = boto3.client("glue")
    ids = []
    for _ in range(3):  # admitted past the budget while the override lasts
        ids.append(glue.start_job_run(JobName=job, Arguments={"--sandbox-run-seconds": "28000"})["JobRunId"])
        assert guard.on_start(parse_cloudtrail_event(start_event(job, ids[-1]))).outcome == "admitted"
        clock.advance(minutes=10)
    clock.advance(hours=3)  # the override has expired; 10 DPU x (3.5 + 3.33 + 3.17) h x $0.44 = $44.00 so far
    assert guard.sweep("before-limit").counts.get("stopped_at_budget_limit", 0) == 0
    clock.advance(minutes=40)  # 10 DPU x 12 h x $0.44 = $52.80: past $52.50
    outcome = guard.sweep("at-limit")

    stopped = [d for d in outcome.decisions if d.violations[0]["rule"] == "project-budget-limit"]
    assert [d.resource_name.split("/")[1] for d in stopped] == list(reversed(ids))
    assert all(glue.get_job_run(JobName=job, RunId=i)["JobRun"]["JobRunState"] == "STOPPED" for i in ids)
    assert _decisions(b.project_id, "stopped") == []


def _ran(guard: RunGuard, clock: SimClock, job: str, seconds: int, **overrides: int) -> None:
    """A scientist's run of `seconds`, admitted, ended and settled (the history a job's estimate comes from)."""
    glue = boto3.client("glue")
    arguments = {"--sandbox-run-seconds": str(seconds)}
    run_id = glue.start_job_run(JobName=job, Arguments=arguments, **overrides)["JobRunId"]
    assert guard.on_start(parse_cloudtrail_event(start_event(job, run_id))).outcome == "admitted"
    clock.advance(seconds=seconds + 60)
    state = glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]["JobRunState"]
    guard.on_job_event(parse_glue_job_event(state_event(job, run_id, state)))


def test_a_run_far_costlier_than_its_history_is_stopped_before_the_limit_after_both_warnings(month):
    """The month-end build of 20 DPU, whose history says $1.47, would run 8 h ($70.40): the schedule every 5 minutes
    warns at 100 % while it runs and stops it while the month plus the next 10 minutes of it are still in the limit."""
    clock, a, _ = month
    guard = _guard(clock)
    daily, build = make_job(a, "daily"), make_job(a, "build", workers=20, timeout=480)
    for day in range(3):  # 20 DPU x 10 min = $1.4667 each, with a 20-minute Timeout ($2.93 at most)
        clock.current = datetime(2026, 11, 1 + day, 1, tzinfo=UTC)
        _ran(guard, clock, build, 600, Timeout=20)
    for day in range(10):  # $3.6667 a day
        clock.current = datetime(2026, 11, 10 + day, 1, tzinfo=UTC)
        _ran(guard, clock, daily, 3000)
    spend, before = Spend(), 10 * RUN_COST + 3 * 1.4667  # $41.07: past 80 % already
    assert spend.month(a.project_id, "2026-11").actual_usd == pytest.approx(before, abs=1e-6)
    assert sorted(d.figures["threshold"] for d in _decisions(a.project_id, "warned")) == [0.8]

    clock.current = datetime(2026, 11, 29, 22, tzinfo=UTC)
    glue = boto3.client("glue")
    run_id = glue.start_job_run(JobName=build, Arguments={"--sandbox-run-seconds": "28800"})["JobRunId"]
    assert guard.on_start(parse_cloudtrail_event(start_event(build, run_id))).outcome == "admitted"  # $1.47 expected
    warned_at, stopped_at = None, None
    for sweep in range(1, 97):  # the schedule, every 5 minutes, for the 8 hours the run would take
        clock.advance(minutes=5)
        outcome = guard.sweep(f"schedule-{sweep}")
        if warned_at is None and len(_decisions(a.project_id, "warned")) == 2:
            warned_at = sweep
        if outcome.counts.get("stopped_at_budget_limit"):
            stopped_at = sweep
            break
    clock.advance(minutes=1)
    run = glue.get_job_run(JobName=build, RunId=run_id)["JobRun"]
    guard.on_job_event(parse_glue_job_event(state_event(build, run_id, run["JobRunState"])))

    month_a = spend.month(a.project_id, "2026-11")
    assert run["JobRunState"] == "STOPPED" and stopped_at is not None
    ahead, period = 20 * 10 / 60 * 0.44, 20 * 5 / 60 * 0.44  # the 10-minute lookahead; one schedule period
    # stopped at the first sweep where the month + the next 10 minutes reach $52.50: at most a period earlier
    assert 52.50 - ahead - period <= month_a.actual_usd <= 52.50
    assert month_a.actual_usd == pytest.approx(before + 20 * stopped_at * 5 / 60 * 0.44, abs=1e-3)
    assert warned_at is not None and warned_at < stopped_at  # the 100 % warning came first, on the schedule
    hundred = next(d for d in _decisions(a.project_id, "warned") if d.figures["threshold"] == 1.0)
    assert hundred.figures["month_actual_usd"] == pytest.approx(before, abs=1e-6)  # spend alone: $41.07
    assert hundred.figures["month_actual_usd"] + hundred.figures["running_accrued_usd"] >= 50.0
    [stop] = [d for d in _decisions(a.project_id, "stopped") if d.violations[0]["rule"] == "project-budget-limit"]
    assert stop.figures["lookahead_usd"] == pytest.approx(ahead, abs=1e-4)
    assert stop.figures["month_actual_usd"] + stop.figures["running_accrued_usd"] < 52.50  # before the limit


def test_a_run_across_the_months_end_is_charged_and_held_by_each_months_part(month):
    """10 DPU ($4.40 an hour) from 30 November 23:00, a $10 budget ($10.50 limit): December's part alone is held
    against December's limit (stopped at 02:20, when its 140 minutes and the next 10 reach it), and each month is
    charged its part."""
    clock, a, _ = month
    Registry().update(a.project_id, monthly_budget_usd=10)
    guard, glue = _guard(clock), boto3.client("glue")
    job = make_job(a, timeout=300)
    _ran(guard, clock, job, 600, Timeout=20)  # 1 November: the job's history, $0.7333
    clock.current = datetime(2026, 11, 30, 23, tzinfo=UTC)
    run_id = glue.start_job_run(JobName=job, Arguments={"--sandbox-run-seconds": "14400"})["JobRunId"]
    assert guard.on_start(parse_cloudtrail_event(start_event(job, run_id))).outcome == "admitted"

    clock.current = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # 2.5 h ($11) in all, December's 1.5 h $6.60
    assert guard.sweep("december-1").counts.get("stopped_at_budget_limit", 0) == 0
    clock.current = datetime(2026, 12, 1, 2, 20, tzinfo=UTC)  # December: $10.27 + $0.73 ahead >= $10.50
    assert guard.sweep("december-2").counts["stopped_at_budget_limit"] == 1
    clock.advance(minutes=1)
    state = glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]["JobRunState"]
    guard.on_job_event(parse_glue_job_event(state_event(job, run_id, state)))

    spend = Spend()
    november, december = spend.month(a.project_id, "2026-11"), spend.month(a.project_id, "2026-12")
    assert state == "STOPPED"
    assert november.actual_usd == pytest.approx(0.7333 + 4.40, abs=1e-4)
    assert december.actual_usd == pytest.approx(10 * 140 / 60 * 0.44, abs=1e-4)  # $10.2667, within $10.50
    assert (november.committed_usd, december.committed_usd) == (pytest.approx(0, abs=1e-9), 0)


def test_a_run_whose_end_was_never_heard_of_is_settled_by_the_schedule(month):
    clock, a, _ = month
    guard = _guard(clock)
    job = make_job(a)
    run_id = boto3.client("glue").start_job_run(JobName=job, Arguments=RUN)["JobRunId"]
    assert guard.on_start(parse_cloudtrail_event(start_event(job, run_id))).outcome == "admitted"
    spend = Spend()
    assert spend.month(a.project_id, "2026-11").committed_usd == pytest.approx(4.40)  # the timeout bound
    clock.advance(hours=2)  # the run ended; its Glue Job State Change was lost

    outcome = guard.sweep("reconcile")

    assert outcome.counts["settled"] == 1
    settled = spend.month(a.project_id, "2026-11")
    assert (settled.actual_usd, settled.committed_usd) == (pytest.approx(RUN_COST), pytest.approx(0.0, abs=1e-9))
    assert guard.sweep("again").counts.get("settled", 0) == 0  # once


def _session_cost(start: datetime, end: datetime) -> float:
    """What the test's session (4 DPU at $0.44 per DPU-hour) costs from `start` to `end`."""
    return 4 * max(0.0, (end - start).total_seconds()) / 3600 * 0.44


def _month_start(when: datetime) -> datetime:
    return when.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def test_at_the_hard_limit_interactive_sessions_are_stopped_too(edge, clock, project):
    """A $2 budget ($2.10 limit) and a 4-DPU session ($1.76 an hour) created at a month's edge: each month is
    charged the part of the session it held, and the session stops once the month of now, plus the next 10 minutes
    of it, reaches the limit."""
    Registry().update(project.project_id, monthly_budget_usd=2)
    glue = boto3.client("glue")
    session_id = f"project-{project.project_id}-session-explore"
    glue.create_session(
        Id=session_id,
        Role=project.resources.dev_role_arn,
        Command={"Name": "glueetl", "PythonVersion": "3"},
        GlueVersion="4.0",
        WorkerType="G.1X",
        NumberOfWorkers=4,
        IdleTimeout=600,
        Connections={"Connections": [project.connection_name]},
    )
    created = glue.get_session(Id=session_id)["Session"]["CreatedOn"].astimezone(UTC)
    policy = Policy(session_idle_timeout_max_minutes=1000, session_lifetime_max_minutes=1000)  # only the budget
    guard = RunGuard(Registry(), Ledger(), DecisionLog(), policy)
    ahead = _session_cost(created, created + timedelta(minutes=10))  # $0.29: the lookahead

    for hours in (1.5, 3.0):  # the schedule at 1.5 h and at 3 h after the session was created
        clock.move_to(created + timedelta(hours=hours))
        now = datetime.now(UTC)
        this_month = _session_cost(max(created, _month_start(now)), now)
        earlier = _session_cost(created, _month_start(now))  # the part the month before holds (none in one month)
        stopped = [d for d in guard.sweep(f"sweep-{hours}").decisions if d.resource_kind == "session"]

        spend = Spend()
        assert spend.month(project.project_id, f"{now:%Y-%m}").actual_usd == pytest.approx(this_month, abs=0.01)
        assert spend.month(project.project_id, f"{created:%Y-%m}").actual_usd == pytest.approx(
            earlier or this_month, abs=0.01
        )
        due = this_month + ahead >= 2.10
        assert [d.violations[0]["rule"] for d in stopped] == (["project-budget-limit"] if due else []), hours
        if due:
            assert glue.get_session(Id=session_id)["Session"]["Status"] in ("STOPPING", "STOPPED")
            return
    raise AssertionError(f"a session of {_session_cost(created, now):.2f} dollars was never stopped")
