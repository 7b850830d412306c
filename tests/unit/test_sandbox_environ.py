"""The sandbox runs every function in one process: an invocation's environment must never disturb the threads
that serve AWS meanwhile (CI found a provisioning failed with KeyError 'GLUEGUARD_PLANE_ROLE_PATH': botocore
iterates the environment for each new client while an invocation put its own back)."""

from __future__ import annotations

import os
import threading
import urllib.request

from glueguard_sandbox.lambda_runtime import _restore_environ, _SnapshotEnviron


def _proxy_lookups_failing_while_invocations_churn(environ_class: type) -> int:
    original = os.environ.__class__
    os.environ.__class__ = environ_class
    stop, failures = threading.Event(), []

    def invocations() -> None:  # what every invocation does: its own variables in, then the saved ones back
        saved = dict(os.environ)
        while not stop.is_set():
            os.environ.update({"GLUEGUARD_PLANE_ROLE_PATH": "/glueguard/", "AWS_LAMBDA_FUNCTION_NAME": "f"})
            _restore_environ(saved)

    churn = threading.Thread(target=invocations)
    churn.start()
    try:
        for _ in range(20_000):
            try:
                urllib.request.getproxies_environment()  # botocore's URLLib3Session, for every new client
            except KeyError as exc:
                failures.append(exc)
    finally:
        stop.set()
        churn.join()
        os.environ.__class__ = original
    return len(failures)


def test_threads_never_meet_a_half_restored_environment():
    """With Python's own os.environ the same churn made 46 of 20,000 lookups raise KeyError on this machine
    (measured 2026-11-29; not asserted, a race is not certain to show in any one run)."""
    assert _proxy_lookups_failing_while_invocations_churn(_SnapshotEnviron) == 0
    assert "GLUEGUARD_PLANE_ROLE_PATH" not in os.environ and "AWS_LAMBDA_FUNCTION_NAME" not in os.environ
