"""Interactive-session statements (moto 5.2.5 has none): RunStatement, GetStatement, ListStatements.

The sandbox does not execute code: a statement completes as soon as it is run, with an empty output.
StartedOn/CompletedOn are epoch milliseconds, as Glue returns them. The run guard reads them to know
how long a session has been idle.
"""

from __future__ import annotations

import time
from typing import Any

from moto.core.responses import ActionResult
from moto.glue.exceptions import EntityNotFoundException, IllegalSessionStateException
from moto.glue.models import GlueBackend
from moto.glue.responses import GlueResponse


# ------------------------------------------------------------------------------- backend models
def _statements(backend: GlueBackend, session_id: str) -> list[dict[str, Any]]:
    session = backend.get_session(session_id)
    if not hasattr(session, "gg_statements"):
        session.gg_statements = []
    return session.gg_statements


def run_statement(backend: GlueBackend, session_id: str, code: str) -> int:
    session = backend.get_session(session_id)
    if session.state != "READY":
        raise IllegalSessionStateException(f"Session is in {session.state} status")
    statements = _statements(backend, session_id)
    now = int(time.time() * 1000)
    statements.append(
        {
            "Id": len(statements),
            "Code": code,
            "State": "AVAILABLE",
            "Output": {"Status": "ok", "ExecutionCount": len(statements) + 1, "Data": {"TextPlain": ""}},
            "Progress": 1.0,
            "StartedOn": now,
            "CompletedOn": now,
        }
    )
    return len(statements) - 1


def get_statement(backend: GlueBackend, session_id: str, statement_id: int) -> dict[str, Any]:
    statements = _statements(backend, session_id)
    if not 0 <= statement_id < len(statements):
        raise EntityNotFoundException(f"Statement {statement_id} not found in session {session_id}")
    return statements[statement_id]


# ------------------------------------------------------------------------------- wire responses
def _response_run_statement(self: GlueResponse) -> ActionResult:
    return ActionResult({"Id": run_statement(self.glue_backend, self._get_param("SessionId"), self._get_param("Code"))})


def _response_get_statement(self: GlueResponse) -> ActionResult:
    statement = get_statement(self.glue_backend, self._get_param("SessionId"), int(self._get_param("Id")))
    return ActionResult({"Statement": statement})


def _response_list_statements(self: GlueResponse) -> ActionResult:
    session_id = self._get_param("SessionId")
    return ActionResult({"Statements": list(_statements(self.glue_backend, session_id))})


def install() -> None:
    GlueResponse.run_statement = _response_run_statement  # type: ignore[attr-defined]
    GlueResponse.get_statement = _response_get_statement  # type: ignore[attr-defined]
    GlueResponse.list_statements = _response_list_statements  # type: ignore[attr-defined]


__all__ = ["get_statement", "install", "run_statement"]
