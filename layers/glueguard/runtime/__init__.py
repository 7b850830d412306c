"""Runtime caps, pure: job runs as the guard sees them, per-run caps, the project ledger's admission arithmetic."""

from glueguard.runtime.admission import Admission, LedgerEntry, newest_first, plan_admission
from glueguard.runtime.caps import Breach, run_breaches, stop_figures, time_cap_breach
from glueguard.runtime.runs import ACTIVE_STATES, TERMINAL_STATES, JobRun

__all__ = [
    "ACTIVE_STATES",
    "TERMINAL_STATES",
    "Admission",
    "Breach",
    "JobRun",
    "LedgerEntry",
    "newest_first",
    "plan_admission",
    "run_breaches",
    "stop_figures",
    "time_cap_breach",
]
