"""Provisioning steps, in creation order. Each module has `create(ctx) -> outputs` and
`delete(ctx, retain_data) -> removed`, both idempotent; compensation runs `delete` in reverse order."""

from __future__ import annotations

from types import ModuleType

from glueguard.provisioning.steps import (
    buckets,
    endpoints,
    glue,
    iam,
    kms,
    monitoring,
    network,
    scientists,
    workloads,
)

#: Creation order; removal runs the reverse. `workloads` only removes (the scientists' own Glue resources).
ORDER: tuple[str, ...] = ("kms", "buckets", "network", "endpoints", "iam", "scientists", "glue", "monitoring")
STEPS: dict[str, ModuleType] = {
    "kms": kms,
    "buckets": buckets,
    "network": network,
    "endpoints": endpoints,
    "iam": iam,
    "scientists": scientists,
    "glue": glue,
    "monitoring": monitoring,
    "workloads": workloads,
}
REMOVAL_ORDER: tuple[str, ...] = ("workloads", *reversed(ORDER))


def step(name: str) -> ModuleType:
    try:
        return STEPS[name]
    except KeyError:
        raise ValueError(f"unknown step {name!r} (known: {sorted(STEPS)})") from None
