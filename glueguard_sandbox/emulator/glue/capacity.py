"""The capacity Glue accepts for a job (CreateJob, UpdateJob), as the Glue API reference documents it.

Sources (Glue API reference, "Jobs": CreateJob and JobUpdate `MaxCapacity`, `WorkerType`, `NumberOfWorkers`,
`Timeout`; developer guide "Configuring job properties for Spark jobs", "... for Python shell jobs",
"Streaming ETL jobs", "Ray jobs"):
- WorkerType and NumberOfWorkers go together, and then MaxCapacity must not be set.
- Python shell (`pythonshell`): no WorkerType; MaxCapacity 0.0625 or 1 (default 0.0625).
- Spark (`glueetl`, `gluestreaming`) without a WorkerType: MaxCapacity from 2 to 100, whole DPUs.
- Worker types: G.025X only for streaming jobs on Glue 3.0+; G.4X and G.8X only on Glue 3.0+; Z.2X only for
  Ray jobs (`glueray`), which take no other worker type.
- Streaming jobs have no default Timeout (they run until stopped); other jobs default to 2880 min (480 on 5.0+).
Glue's own wording is used where it is known ("Please do not set Max Capacity if using Worker Type and Number
of Workers.", "Worker Type is not supported for Job Command pythonshell"); the rest follows the API reference.
"""

from __future__ import annotations

from typing import Any

from moto.glue.exceptions import InvalidInputException

#: The request members the checks read.
FIELDS = ("Command", "GlueVersion", "WorkerType", "NumberOfWorkers", "MaxCapacity", "Timeout")
PYTHONSHELL_CAPACITIES = (0.0625, 1.0)
SPARK_CAPACITY = (2, 100)
GLUE_3_ONLY = frozenset({"G.4X", "G.8X"})
STREAMING_ONLY = frozenset({"G.025X"})
RAY_ONLY = frozenset({"Z.2X"})


def _version(glue_version: Any) -> float:
    try:
        return float(glue_version or "0.9")
    except (TypeError, ValueError):
        return 0.9


def problems(fields: dict[str, Any]) -> list[str]:
    """What Glue would reject in a CreateJob request or a JobUpdate (empty when it accepts it)."""
    command = (fields.get("Command") or {}).get("Name") or "glueetl"
    version = _version(fields.get("GlueVersion"))
    worker_type, workers, capacity = fields.get("WorkerType"), fields.get("NumberOfWorkers"), fields.get("MaxCapacity")
    found: list[str] = []
    if worker_type and capacity is not None:
        found.append("Please do not set Max Capacity if using Worker Type and Number of Workers.")
    if bool(worker_type) != bool(workers):
        found.append("Please set both Worker Type and Number of Workers.")
    if command == "pythonshell":
        if worker_type:
            found.append("Worker Type is not supported for Job Command pythonshell")
        if capacity is not None and float(capacity) not in PYTHONSHELL_CAPACITIES:
            found.append(f"MaxCapacity {capacity:g} is invalid for Job Command pythonshell: allocate 0.0625 or 1 DPU.")
    elif not worker_type and capacity is not None:
        low, high = SPARK_CAPACITY
        if float(capacity) != int(float(capacity)) or not low <= float(capacity) <= high:
            found.append(
                f"MaxCapacity {capacity:g} is invalid for Job Command {command}: allocate a whole number of DPUs "
                f"from {low} to {high}."
            )
    if worker_type:
        if worker_type in RAY_ONLY and command != "glueray":
            found.append(f"Worker Type {worker_type} is supported only for Ray jobs (Job Command glueray).")
        if command == "glueray" and worker_type not in RAY_ONLY:
            found.append(f"Worker Type {worker_type} is not supported for Job Command glueray; use Z.2X.")
        if worker_type in STREAMING_ONLY and (command != "gluestreaming" or version < 3.0):
            found.append(
                f"Worker Type {worker_type} is supported only for streaming jobs on Glue version 3.0 or later."
            )
        if worker_type in GLUE_3_ONLY and version < 3.0:
            found.append(f"Worker Type {worker_type} is supported only on Glue version 3.0 or later.")
    timeout = fields.get("Timeout")
    if timeout is not None and not 1 <= int(timeout) < 10080:
        found.append("Timeout must be between 1 and 10079 minutes.")
    return found


def validate(operation: str, fields: dict[str, Any]) -> None:
    """InvalidInputException with Glue's message for the first thing Glue would reject."""
    found = problems(fields)
    if found:
        raise InvalidInputException(operation, found[0])
