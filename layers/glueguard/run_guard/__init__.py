"""The run guard: stop job runs over the per-run and per-project caps, keep the project DPU ledger true.

Reacts to CloudTrail StartJobRun (reads the run: overrides count), `Glue Job State Change` (terminal states
release capacity), `Glue Job Run Status` (checks the run, admits a run whose start was missed) and a schedule
(reconciles the ledger with GetJobRuns, stops runs past the run-time cap, enforces the interactive session and
dev endpoint lifetimes). Every stop is a Decision with its DPU figures. One module per concern:
`admission` (the ledger), `caps` (one run's caps), `reconcile` (the schedule), `sessions` and `dev_endpoints`
(interactive capacity), `stops` (how a stop is made and recorded), `guard` (the entry points).
"""

from glueguard.run_guard.context import Outcome, Trigger
from glueguard.run_guard.guard import RunGuard

__all__ = ["Outcome", "RunGuard", "Trigger"]
