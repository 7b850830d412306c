"""DPU arithmetic (1 DPU = 4 vCPU + 16 GB), data-driven from FACTS.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: DPU per worker for each WorkerType. Keep it data: AWS adds types (G.12X, R.*) over time.
WORKER_DPU: dict[str, float] = {
    "Standard": 1.0,
    "G.025X": 0.25,
    "G.1X": 1.0,
    "G.2X": 2.0,
    "G.4X": 4.0,
    "G.8X": 8.0,
    "G.12X": 12.0,
    "G.16X": 16.0,
    "R.1X": 1.0,
    "R.2X": 2.0,
    "R.4X": 4.0,
    "R.8X": 8.0,
    "Z.2X": 2.0,
}

PYTHONSHELL_DEFAULT_DPU = 0.0625
#: MaxCapacity values Glue accepts (Glue API reference, JobUpdate.MaxCapacity).
PYTHONSHELL_CAPACITIES = (0.0625, 1.0)
SPARK_CAPACITY_RANGE = (2, 100)  # whole DPUs, glueetl/gluestreaming without a WorkerType
GLUEETL_DEFAULT_DPU = 10.0
DEFAULT_PRICE_PER_DPU_HOUR = 0.44


class UnknownWorkerType(ValueError):
    """A WorkerType missing from WORKER_DPU."""


def dpu_per_worker(worker_type: str) -> float:
    try:
        return WORKER_DPU[worker_type]
    except KeyError:
        raise UnknownWorkerType(f"unknown Glue WorkerType {worker_type!r}; known: {sorted(WORKER_DPU)}") from None


def capacity(
    worker_type: str | None,
    number_of_workers: int | None,
    max_capacity: float | None,
    command_name: str | None = "glueetl",
) -> float:
    """The DPU a job or run allocates.

    WorkerType+NumberOfWorkers wins when set; otherwise MaxCapacity (Glue <= 1.0, Standard, pythonshell);
    otherwise the command's default (pythonshell 0.0625, glueetl 10).
    """
    if worker_type and number_of_workers:
        return dpu_per_worker(worker_type) * int(number_of_workers)
    if max_capacity is not None:
        return float(max_capacity)
    if command_name == "pythonshell":
        return PYTHONSHELL_DEFAULT_DPU
    return GLUEETL_DEFAULT_DPU


def job_capacity(job: Mapping[str, Any]) -> float:
    """DPU of a GetJob `Job` (or a JobRun: same field names)."""
    command = job.get("Command") or {}
    return capacity(
        job.get("WorkerType"),
        job.get("NumberOfWorkers"),
        job.get("MaxCapacity") if job.get("MaxCapacity") is not None else job.get("AllocatedCapacity"),
        command.get("Name") if isinstance(command, Mapping) else None,
    )


def nearest_max_capacity(command: str | None, dpu_cap: float) -> float | None:
    """The largest MaxCapacity Glue accepts for `command` within `dpu_cap`; None when no accepted value fits."""
    if command == "pythonshell":
        return max((c for c in PYTHONSHELL_CAPACITIES if c <= dpu_cap), default=None)
    low, high = SPARK_CAPACITY_RANGE
    whole = int(min(dpu_cap, high))
    return float(whole) if whole >= low else None


#: An interactive session's capacity when it names none (Glue's default: 5 DPU).
SESSION_DEFAULT_DPU = 5.0


def session_dpu(session: Mapping[str, Any]) -> float:
    """DPU of a GetSession `Session` (or a CreateSession request, or a dev endpoint: NumberOfNodes DPU)."""
    worker_type, workers = session.get("WorkerType"), session.get("NumberOfWorkers")
    if worker_type and workers:
        return dpu_per_worker(worker_type) * int(workers)
    for key in ("MaxCapacity", "NumberOfNodes"):
        if session.get(key):
            return float(session[key])
    return SESSION_DEFAULT_DPU


def max_workers_within(worker_type: str, dpu_cap: float) -> int:
    """The largest worker count of `worker_type` whose DPU stays within `dpu_cap`."""
    return int(dpu_cap // dpu_per_worker(worker_type))


def cost_usd(dpu_hours: float, price_per_dpu_hour: float = DEFAULT_PRICE_PER_DPU_HOUR) -> float:
    return round(dpu_hours * price_per_dpu_hour, 4)


def dpu_hours(dpu: float, seconds: float) -> float:
    return dpu * seconds / 3600.0
