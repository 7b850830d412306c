"""Enforcement overhead (handler vs the same Glue calls made directly) and scale with account size."""

from __future__ import annotations

from typing import Any

from benchmarks.aws import Account, as_account, moto, setup_account
from benchmarks.figures import Figure, median, ms
from benchmarks.timing import aws_call_times, interleaved, timed

OVERHEAD_GOAL = 1.3
SCALE_GOAL = 1.1


class _Handle:
    """One enforcer invocation on a fresh CreateJob event: `prepare` (untimed) resets the job and builds
    the event, `run` (timed) is the Lambda invocation alone."""

    def __init__(self, account: Account, glue: Any) -> None:
        self.account, self.glue, self.event = account, glue, None

    def prepare(self) -> None:
        self.account.reset_job(self.glue)
        self.event = self.account.create_job_event()

    def run(self) -> None:
        from glueguard.handlers.enforcer import handler

        from tests.support.lambda_context import LambdaContext

        context = LambdaContext()
        with as_account(self.account.account_id):
            result = handler(self.event, context)
        if result["outcome"] != "remediated":
            raise RuntimeError(f"expected a remediation, got {result}")


def _direct_calls(account: Account, glue: Any) -> Any:
    """The minimal calls the correction needs (read the job and its tags, then the enforcer's own
    corrective calls), replayed with a plain boto3 client."""
    from glueguard.adapters.decisions import DecisionLog

    with as_account(account.account_id):
        [decision] = DecisionLog().list(account.project.project_id)
    actions = [(a["call"].split(":", 1)[1], a["params"]) for a in decision.actions]
    name, arn = account.job_name, account.job_arn

    def run() -> None:
        with as_account(account.account_id):
            glue.get_job(JobName=name)
            glue.get_tags(ResourceArn=arn)
            for operation, params in actions:
                getattr(glue, operation)(**params)

    return run, [op for op, _ in actions]


def _breakdown(account: Account, glue: Any, repetitions: int) -> dict[str, Any]:
    """Where the handler's time goes: Glue calls, the plane's own bookkeeping calls, and Python."""
    handle = _Handle(account, glue)
    counts: dict[str, int] = {}
    parts: dict[str, list[float]] = {"total": [], "glue_calls": [], "bookkeeping_calls": [], "python": []}
    per_call: dict[str, list[float]] = {}
    with aws_call_times() as calls:
        for _ in range(repetitions):
            handle.prepare()
            calls.clear()
            total = timed(handle.run)
            glue_s = sum(sum(v) for k, v in calls.items() if k.startswith("Glue."))
            other_s = sum(sum(v) for k, v in calls.items() if not k.startswith("Glue."))
            for key, value in (("total", total), ("glue_calls", glue_s), ("bookkeeping_calls", other_s)):
                parts[key].append(value)
            parts["python"].append(total - glue_s - other_s)
            for key, values in calls.items():
                per_call.setdefault(key, []).append(sum(values) / len(values))
            counts = {k: len(v) for k, v in sorted(calls.items())}
    return {
        "breakdown_ms": {k: ms(median(v)) for k, v in parts.items()},
        "calls_per_event": counts,
        "call_median_ms": {k: ms(median(v)) for k, v in sorted(per_call.items())},
    }


def overhead(repetitions: int = 150) -> Figure:
    import boto3

    with moto():
        account = setup_account("123456789012")
        glue = boto3.client("glue")
        handle = _Handle(account, glue)
        handle.prepare()
        handle.run()  # warm: builds the Enforcer, clients and tables once per container, as Lambda does
        direct, operations = _direct_calls(account, glue)
        account.reset_job(glue)
        direct()
        reset = lambda: account.reset_job(glue)  # noqa: E731
        samples = interleaved({"handler": (handle.prepare, handle.run), "direct": (reset, direct)}, repetitions)
        detail = _breakdown(account, glue, 15)
    h, d = median(samples["handler"]), median(samples["direct"])
    parts = detail["breakdown_ms"]
    # What the ratio would be without the plane's bookkeeping round trip (the decision record): its share of
    # the handler's time, taken off the measured ratio.
    share = parts["bookkeeping_calls"] / parts["total"]
    detail["bookkeeping_share"] = round(share, 3)
    detail["ratio_without_bookkeeping"] = round(h / d * (1 - share), 3)
    return Figure.ratio(
        "enforcement overhead (handler / minimal calls direct)",
        h,
        d,
        OVERHEAD_GOAL,
        handler_ms=ms(h),
        direct_ms=ms(d),
        repetitions=repetitions,
        direct_calls=["get_job", "get_tags", *operations],
        **detail,
    )


CALL_GOALS = {"violating, new container": 5, "violating": 5, "compliant": 2, "duplicate": 1}


def calls_per_event() -> list[Figure]:
    """Every AWS call (all services) the warm enforcer makes for a violating CreateJob, a compliant one, and
    a duplicate of the violating one delivered to another container (a container that handled it makes none)."""
    import boto3
    from glueguard.adapters.calls import counting_calls
    from glueguard.handlers import enforcer
    from glueguard.handlers.enforcer import handler

    from tests.support.lambda_context import LambdaContext

    def run(event: dict[str, Any]) -> dict[str, int]:
        with as_account(account.account_id), counting_calls() as calls:
            handler(event, LambdaContext())
        return dict(calls)

    with moto():
        account = setup_account("123456789012")
        glue = boto3.client("glue")
        warm = _Handle(account, glue)
        warm.prepare()
        enforcer.reset()  # a new container: nothing built, no policy or project read yet
        counted = {"violating, new container": run(warm.event)}
        account.reset_job(glue)
        violating = account.create_job_event()
        counted |= {"violating": run(violating), "compliant": run(_compliant_event(account, glue))}
        same_container = run(violating)
        enforcer.reset()
        warm.prepare()
        warm.run()
        counted["duplicate"] = run(violating)
    why = (
        "another container claims the event id (a conditional PutItem on the idempotency table) and the first "
        "delivery's record refuses it; the container that handled the event makes 0 calls"
    )
    return [
        Figure(
            f"AWS calls per event: {label}",
            float(sum(calls.values())),
            f"<= {CALL_GOALS[label]}",
            unit="calls",
            met=sum(calls.values()) <= CALL_GOALS[label],
            detail={
                "calls": calls,
                **({"same_container": sum(same_container.values()), "why": why} if label == "duplicate" else {}),
            },
        )
        for label, calls in counted.items()
    ]


def _compliant_event(account: Account, glue: Any) -> dict[str, Any]:
    """A CreateJob event for a new job that breaks no rule (FLEX, in the project's network, tagged)."""
    from tests.support.fleet import compliant_job

    job = compliant_job(account.project, 7)
    with as_account(account.account_id):
        glue.create_job(**job)
    event = account.create_job_event()
    event["detail"]["requestParameters"]["name"] = event["detail"]["responseElements"]["name"] = job["Name"]
    return event


def scale(repetitions: int = 60, jobs: int = 10_000, sweep: Any = None) -> list[Figure]:
    """Per-event time with `jobs` jobs in the account over the time with 10, interleaved; then run
    `sweep(account)` on the large account (the compliance sweep figure) while it exists."""
    import boto3

    from tests.support.fleet import seed_jobs

    figures: list[Figure] = []
    with moto():
        small, large = setup_account("111111111111"), setup_account("222222222222")
        glue = boto3.client("glue")
        with as_account(small.account_id):
            seed_jobs(small.project, 10)
        with as_account(large.account_id):
            seed_jobs(large.project, jobs)
        sides = {}
        for label, account in (("10 jobs", small), (f"{jobs} jobs", large)):
            handle = _Handle(account, glue)
            handle.prepare()
            handle.run()
            sides[label] = (handle.prepare, handle.run)
        samples = interleaved(sides, repetitions)
        s, b = median(samples["10 jobs"]), median(samples[f"{jobs} jobs"])
        figures.append(
            Figure.ratio(
                f"scale with account size (per event, {jobs:,} jobs / 10 jobs)",
                b,
                s,
                SCALE_GOAL,
                small_ms=ms(s),
                large_ms=ms(b),
                repetitions=repetitions,
            )
        )
        if sweep is not None:
            figures.extend(sweep(large))
    return figures


def profile(events: int = 30) -> str:
    """A pyinstrument profile of the enforcer on `events` non-compliant CreateJob events (`--profile`)."""
    import boto3
    from pyinstrument import Profiler

    with moto():
        account = setup_account("123456789012")
        handle = _Handle(account, boto3.client("glue"))
        handle.prepare()
        handle.run()
        profiler = Profiler(interval=0.0005)
        for _ in range(events):
            handle.prepare()
            profiler.start()
            handle.run()
            profiler.stop()
    return profiler.output_text(unicode=True, color=False, show_all=False)
