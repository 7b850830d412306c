"""Glue job bookmarks and StopSession, as the Glue API reference documents them (moto 5.2.5 lacks them;
UpdateCrawler, UpdateTrigger and CreateSession are in glue/kinds.py).

- GetJobBookmark / ResetJobBookmark: a job whose runs use `--job-bookmark-option job-bookmark-enable`
  gets a bookmark entry when such a run succeeds; without one, EntityNotFoundException.
- StopSession moves a session to STOPPING, then STOPPED.

Backend models first (functions taking the GlueBackend), then the wire responses.
"""

from __future__ import annotations

import json
import time
from typing import Any

from moto.core.responses import ActionResult
from moto.glue.exceptions import EntityNotFoundException
from moto.glue.models import FakeJobRun, FakeSession, GlueBackend
from moto.glue.responses import GlueResponse

BOOKMARK_ARG = "--job-bookmark-option"
STOPPING_SECONDS = 1.0


# ------------------------------------------------------------------------------- backend models
def _bookmarks(backend: GlueBackend) -> dict[str, dict[str, Any]]:
    if not hasattr(backend, "gg_bookmarks"):
        backend.gg_bookmarks = {}  # type: ignore[attr-defined]
    return backend.gg_bookmarks  # type: ignore[attr-defined]


def record_bookmark(backend: GlueBackend, run: FakeJobRun) -> None:
    """A succeeded run with bookmarks enabled advances the job's bookmark."""
    if (run.arguments or {}).get(BOOKMARK_ARG) != "job-bookmark-enable":
        return
    entry = _bookmarks(backend).get(run.job_name)
    previous = entry["RunId"] if entry else None
    _bookmarks(backend)[run.job_name] = {
        "JobName": run.job_name,
        "Version": (entry["Version"] if entry else 0) + 1,
        "Run": (entry["Run"] if entry else 0) + 1,
        "Attempt": 0,
        "PreviousRunId": previous,
        "RunId": run.job_run_id,
        "JobBookmark": json.dumps({"jobName": run.job_name, "runId": run.job_run_id, "version": 1}),
    }


def get_job_bookmark(backend: GlueBackend, job_name: str) -> dict[str, Any]:
    backend.get_job(job_name)
    entry = _bookmarks(backend).get(job_name)
    if entry is None:
        raise EntityNotFoundException(f"Continuation for job {job_name} not found")
    return {k: v for k, v in entry.items() if v is not None}


def reset_job_bookmark(backend: GlueBackend, job_name: str) -> dict[str, Any]:
    entry = get_job_bookmark(backend, job_name)
    reset = {**entry, "Version": entry["Version"] + 1, "JobBookmark": "{}"}
    _bookmarks(backend)[job_name] = reset
    return reset


def stop_session(session: FakeSession) -> None:
    _settle(session)
    if session.state not in ("READY", "PROVISIONING"):
        from moto.glue.exceptions import IllegalSessionStateException

        raise IllegalSessionStateException(f"Session is in {session.state} status")
    session.state = "STOPPING"
    session.gg_stopping_since = time.time()


def _settle(session: FakeSession) -> None:
    since = getattr(session, "gg_stopping_since", None)
    if session.state == "STOPPING" and since is not None and time.time() - since >= STOPPING_SECONDS:
        session.state = "STOPPED"


# ------------------------------------------------------------------------------- wire responses
def _response_get_job_bookmark(self: GlueResponse) -> ActionResult:
    return ActionResult({"JobBookmarkEntry": get_job_bookmark(self.glue_backend, self._get_param("JobName"))})


def _response_reset_job_bookmark(self: GlueResponse) -> ActionResult:
    return ActionResult({"JobBookmarkEntry": reset_job_bookmark(self.glue_backend, self._get_param("JobName"))})


def _session_as_dict(original: Any) -> Any:
    def as_dict(self: FakeSession) -> dict[str, Any]:
        _settle(self)
        return original(self)

    return as_dict


def install() -> None:
    from glueguard_sandbox.emulator.glue import runs as glue_runs

    glue_runs.on_terminal.append(
        lambda run: (
            record_bookmark(run.gg_job.backend, run)
            if run.gg_status == "SUCCEEDED" and hasattr(run, "gg_job")
            else None
        )
    )
    GlueResponse.get_job_bookmark = _response_get_job_bookmark  # type: ignore[attr-defined]
    GlueResponse.reset_job_bookmark = _response_reset_job_bookmark  # type: ignore[attr-defined]
    FakeSession.stop_session = stop_session  # type: ignore[method-assign]
    FakeSession.as_dict = _session_as_dict(FakeSession.as_dict)  # type: ignore[method-assign]
