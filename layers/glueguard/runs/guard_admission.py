"""Admission into the project's DPU ledger: admit a run, or stop the newest runs until the project fits its cap."""

from __future__ import annotations

from dataclasses import dataclass

from glueguard.models.decision import Decision
from glueguard.policy.settings import Policy
from glueguard.runs.admission import LedgerEntry, plan_admission
from glueguard.runs.caps import Breach, stop_figures
from glueguard.runs.guard_context import GuardContext, Outcome, Trigger
from glueguard.runs.guard_stops import RunStopper
from glueguard.runs.job_run import TERMINAL_STATES, JobRun

ADMISSION_ATTEMPTS = 8


@dataclass
class Admission:
    ctx: GuardContext
    stopper: RunStopper

    def admit(self, pid: str, run: JobRun, policy: Policy, trigger: Trigger) -> Outcome:
        """Admit the run, or stop the newest runs (it among them, usually) until the project fits its cap."""
        ledger, cap = self.ctx.ledger, policy.max_dpu_per_project
        candidate = LedgerEntry(run.run_id, run.job_name, run.dpu, run.started_on)
        decisions: list[Decision] = []
        refreshed = False
        for attempt in range(ADMISSION_ATTEMPTS):
            result = ledger.admit(pid, candidate, cap)
            if result.admitted:
                return Outcome("admitted", f"project at {result.in_use:g} of {cap:g} DPU", decisions)
            if result.known:
                return Outcome("known", "run already in the ledger (or finished)", decisions)
            if not refreshed:  # before stopping anything, give back what runs that ended unannounced hold
                refreshed = True
                if self.release_ended(pid, exclude=run.run_id):
                    continue
            plan = plan_admission(ledger.entries(pid), candidate, cap)
            if not plan.admit or attempt == ADMISSION_ATTEMPTS - 1:
                break  # stop nothing to make room this run will not try to take (a slot freed and left empty)
            for victim in plan.stop:  # newer runs than this one: stop them to make room
                if not ledger.release(pid, victim.entry_id, reason=f"stopped to fit the {cap:g} DPU cap"):
                    continue  # released by someone else meanwhile
                victim_run = self.stopper.read(victim.job_name, victim.entry_id)
                if victim_run is None or victim_run.state in TERMINAL_STATES:
                    continue
                figures = stop_figures(
                    victim_run,
                    policy,
                    self.ctx.now(),
                    project_dpu_before=plan.dpu_before,
                    project_dpu_after=plan.dpu_after,
                )
                breach = project_breach(victim_run, plan.dpu_before, cap)
                decision = self.stopper.stop(pid, victim_run, [breach], figures, trigger)
                decisions.extend([decision] if decision else [])
        if not ledger.refuse(pid, run.run_id, reason=f"stopped: over the {cap:g} DPU cap"):
            return Outcome("known", "run admitted or settled meanwhile (another event's judgement)", decisions)
        in_use = ledger.in_use(pid)
        breach = project_breach(run, in_use + run.dpu, cap)
        figures = stop_figures(
            run, policy, self.ctx.now(), project_dpu_before=in_use + run.dpu, project_dpu_after=in_use
        )
        decision = self.stopper.stop(pid, run, [breach], figures, trigger)
        return Outcome("stopped", breach.message, decisions + ([decision] if decision else []))

    def release_ended(self, pid: str, exclude: str = "") -> int:
        """Release the ledger's runs that Glue reports ended or gone (ERROR and EXPIRED send no State Change).

        One GetJobRun per run the ledger holds (reservations are the upload trigger's); returns how many it released.
        """
        released = 0
        for entry in self.ctx.ledger.entries(pid):
            if entry.reservation or entry.entry_id == exclude:
                continue
            current = self.stopper.read(entry.job_name, entry.entry_id)
            if current is None or current.state in TERMINAL_STATES:
                state = current.state if current else "gone"
                released += bool(self.ctx.ledger.release(pid, entry.entry_id, reason=f"run {state} (no state change)"))
        return released


def project_breach(run: JobRun, project_dpu: float, cap: float) -> Breach:
    return Breach(
        "project-dpu-cap",
        f"project would run {project_dpu:g} DPU with this run ({run.dpu:g} DPU), over its cap of {cap:g}; "
        "the newest runs are stopped until it fits",
        project_dpu,
        cap,
    )
