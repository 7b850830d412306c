"""The project DPU ledger's arithmetic: does a run fit, and which runs to stop (newest first) when not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

EPSILON = 1e-9  # DPU figures are multiples of 1/16; compare with a tolerance, never exact floats


@dataclass(frozen=True)
class LedgerEntry:
    """One holder of project capacity: a job run, a reservation for a run about to start, or an interactive
    session or dev endpoint (`holder`), which hold their DPU from creation to their end."""

    entry_id: str  # the JobRunId, the reservation id, or the session id / endpoint name
    job_name: str
    dpu: float
    started_on: datetime | None = None
    reservation: bool = False
    holder: str = "run"  # run | session | devendpoint

    @property
    def committed(self) -> bool:
        """Never stopped to make room for a run: reservations, sessions and dev endpoints."""
        return self.reservation or self.holder != "run"


def fits(in_use: float, dpu: float, cap: float) -> bool:
    """True when adding `dpu` to `in_use` stays within `cap` (the ledger's write condition)."""
    return in_use + dpu <= cap + EPSILON


def admission_limit(cap: float, dpu: float) -> float:
    """The highest `dpu_in_use` at which a run of `dpu` may still be admitted (cap - dpu)."""
    return cap - dpu


def newest_first(entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    """Runs newest first; an unknown start counts as newest; ties broken by id for a stable order."""
    return sorted(
        entries,
        key=lambda e: (e.started_on is None, e.started_on.timestamp() if e.started_on else 0.0, e.entry_id),
        reverse=True,
    )


@dataclass(frozen=True)
class Admission:
    """What to do about a candidate run: admit it or not, and which admitted runs to stop first."""

    admit: bool
    stop: list[LedgerEntry] = field(default_factory=list)
    dpu_before: float = 0.0  # project DPU with the candidate running
    dpu_after: float = 0.0  # project DPU once the stops are done
    cap: float = 0.0

    @property
    def stops_candidate(self) -> bool:
        return not self.admit


def plan_admission(active: Iterable[LedgerEntry], candidate: LedgerEntry, cap: float) -> Admission:
    """Admit `candidate` if the project stays within `cap`; otherwise stop the newest runs until it fits.

    Reservations (runs the plane is about to start) are committed and never chosen; the candidate is
    stopped like any other run when it is among the newest. A candidate larger than the cap on its own
    is never admitted.
    """
    holders = [e for e in active if e.entry_id != candidate.entry_id]
    total = sum(e.dpu for e in holders) + candidate.dpu
    before = total
    if total <= cap + EPSILON:
        return Admission(True, [], before, total, cap)
    committed = sum(e.dpu for e in holders if e.committed)
    if committed + candidate.dpu > cap + EPSILON:  # stopping every other run would not make room
        return Admission(False, [], before, total - candidate.dpu, cap)
    victims: list[LedgerEntry] = []
    for entry in newest_first([*(e for e in holders if not e.committed), candidate]):
        if total <= cap + EPSILON:
            break
        victims.append(entry)
        total -= entry.dpu
    admit = all(v is not candidate for v in victims)
    return Admission(admit, [v for v in victims if v is not candidate], before, max(total, 0.0), cap)
