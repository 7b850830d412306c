"""Execution environments as processes (`environment_main.py` runs in them): one zygote per import path (the
layers', in order), which forks one process per environment. A process has its own `os.environ`, modules,
caches and clients, so concurrent environments of the same function or of different ones never share state,
as on Lambda. Measured here (2 cores): a fork is ~5 ms; a cold start (fork, handler import, first clients)
0.1-0.4 s, against ~1.5 s for a fresh interpreter importing boto3, pydantic and Powertools.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from glueguard_sandbox.environment_main import receive, send

ENVIRONMENT_MAIN = Path(__file__).with_name("environment_main.py")
#: Imported by each zygote when its path has them, so that a cold start pays for the function's own code only.
PRELOAD = (
    "boto3",
    "botocore.client",
    "pydantic",
    "aws_lambda_powertools",
    "aws_lambda_powertools.utilities.parser",
    "aws_lambda_powertools.utilities.idempotency",
)
#: Service models each zygote parses once (every container's clients share them).
SERVICES = ("glue", "dynamodb", "sns", "s3", "sqs", "events", "sts", "iam", "kms", "cloudwatch", "logs", "ssm")
#: The Lambda Python runtime's own packages (the AWS SDK), after the layers on the path, as in /var/runtime.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")


class EnvironmentGone(RuntimeError):
    """The process ended during the invocation (Lambda: Runtime.ExitError)."""


class TimedOut(RuntimeError):
    """The invocation outlived the function's Timeout; the process was stopped."""


@functools.cache
def runtime_dir() -> str:
    """A directory standing for the runtime's own modules: time-machine (the sandbox's clock) and the SDK."""
    import _time_machine
    import time_machine

    directory = Path(tempfile.mkdtemp(prefix="glueguard-runtime-"))
    atexit.register(shutil.rmtree, directory, True)
    purelib = Path(sysconfig.get_paths()["purelib"])
    sources = [Path(time_machine.__file__).parent, Path(str(_time_machine.__file__))]
    sources += [p for name in RUNTIME_PACKAGES for p in (purelib / name, purelib / f"{name}.py") if p.exists()]
    for source in sources:
        (directory / source.name).symlink_to(source)
    return str(directory)


def dev_packages() -> list[str]:
    """The dev environment's site-packages (source mode: the layer's dependencies are not built)."""
    paths = sysconfig.get_paths()
    return list(dict.fromkeys([paths["purelib"], paths["platlib"]]))


class Container:
    """One execution environment: a process serving one invocation at a time on its socket."""

    def __init__(self, pid: int, sock: socket.socket, expires: float) -> None:
        self.pid = pid
        self.sock = sock
        self.expires = expires  # when its role session ends (sandbox clock)
        self.stream = ""  # its CloudWatch Logs stream
        self.last_used = time.monotonic()

    def start(self, env: dict[str, str], code_dir: str) -> None:
        send(self.sock, {"env": env, "code_dir": code_dir})

    def invoke(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        self.sock.settimeout(timeout)
        try:
            send(self.sock, message)
            reply = receive(self.sock)
        except TimeoutError:
            self.stop()
            raise TimedOut(f"Task timed out after {timeout:.2f} seconds") from None
        except OSError as exc:
            self.stop()
            raise EnvironmentGone(f"Runtime.ExitError: {exc}") from None
        if reply is None:
            self.stop()
            raise EnvironmentGone("Runtime.ExitError: the runtime exited without a response")
        return reply

    def stop(self) -> None:
        self.sock.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


class Zygote:
    """A process holding the preloaded modules of one import path; forks containers on request."""

    def __init__(self, path: list[str], env: dict[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        config = {
            "fd": theirs.fileno(),
            "path": path,
            "runtime": [runtime_dir()],
            "env": env,
            "preload": PRELOAD,
            "services": SERVICES,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", str(ENVIRONMENT_MAIN), json.dumps(config)],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=sys.__stderr__,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
        )
        theirs.close()
        self._control = ours
        self._lock = threading.Lock()

    def fork(self, expires: float) -> Container:
        ours, theirs = socket.socketpair()
        try:
            with self._lock:
                socket.send_fds(self._control, [b"fork"], [theirs.fileno()])
                reply = self._control.recv(4)
        except OSError:
            reply = b""
        finally:
            theirs.close()
        if len(reply) != 4:
            ours.close()
            raise EnvironmentGone(f"Runtime.Unknown: the sandbox's runtime exited ({self.process.poll()})")
        return Container(int.from_bytes(reply, "big"), ours, expires)

    def stop(self) -> None:
        self._control.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Zygotes:
    """The zygote of each import path, started with the first container that needs it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._zygotes: dict[tuple[str, ...], Zygote] = {}

    def fork(self, path: list[str], env: dict[str, str], expires: float) -> Container:
        with self._lock:
            zygote = self._zygotes.get(tuple(path))
            if zygote is None or zygote.process.poll() is not None:
                zygote = self._zygotes[tuple(path)] = Zygote(path, env)
        return zygote.fork(expires)

    def stop(self) -> None:
        with self._lock:
            zygotes, self._zygotes = list(self._zygotes.values()), {}
        for zygote in zygotes:
            zygote.stop()
