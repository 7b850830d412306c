"""Job runs and the run guard: stop runs over the per-run and per-project caps, keep the project DPU ledger true.

Reacts to CloudTrail StartJobRun (reads the run: overrides count), `Glue Job State Change` (terminal states
release capacity), `Glue Job Run Status` (checks the run, admits a run whose start was missed) and a schedule
(reconciles the ledger with GetJobRuns, stops runs past the run-time cap, enforces the interactive session and
dev endpoint lifetimes). Every stop is a Decision with its DPU figures.

Pure, side by side with the guard: `job_run` (a run as GetJobRun returns it), `caps` (per-run caps and a stop's
figures), `admission` (the project DPU ledger's arithmetic), `failures` (a failed run's message). The guard, one module per concern: `guard` (the entry
points), `guard_context` (what its parts share), `guard_caps` (one run's caps), `guard_admission` (the ledger),
`guard_budget` (the monthly budget), `guard_failures` (failure notifications), `guard_reconcile` (the schedule), `guard_sessions`, `guard_dev_endpoints` and
`guard_interactive` (interactive capacity), `guard_stops` (how a stop is made and recorded). The ledger's table is
`adapters.ledger`.
"""
