"""`glueguard sandbox up` in a child process: what the demo and the e2e tests run against."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

from glueguard_sandbox.server import ROOT, free_port


class SandboxProcess:
    """Start a sandbox on a free port, wait for its `ready` line, stop it with SIGTERM."""

    def __init__(self, *args: str, log: Path | None = None, startup_timeout: float = 120.0) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.args = args
        self.log_path = log
        self.startup_timeout = startup_timeout
        self.outputs: dict[str, str] = {}
        self._process: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None

    def start(self) -> SandboxProcess:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for key, value in (
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
        ):
            env[key] = value
        for key in ("AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
            env.pop(key, None)
        self._log = open(self.log_path, "w") if self.log_path else None  # noqa: SIM115 - closed in stop()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "glueguard_cli.cli", "sandbox", "up", "--port", str(self.port), *self.args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self._log or subprocess.DEVNULL,
            text=True,
        )
        deadline = time.monotonic() + self.startup_timeout
        assert self._process.stdout is not None
        while True:
            line = self._process.stdout.readline()
            if "ready" in line and self.endpoint in line:
                break
            if (not line and self._process.poll() is not None) or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"the sandbox did not start (exit {self._process.returncode}); see {self.log_path or 'its stderr'}"
                )
        with urllib.request.urlopen(f"{self.endpoint}/_glueguard/status", timeout=5) as response:
            self.outputs = json.loads(response.read())["outputs"]
        return self

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
        if self._log:
            self._log.close()
            self._log = None

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
