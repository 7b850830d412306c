"""A Lambda execution environment of the sandbox: this file runs as its own process, never imported by it.

`python -I -S environment_main.py CONFIG` starts a *zygote*: with no site-packages, its import path is the
standard library, time-machine (the sandbox's clock) and the layers' directories (`/opt/python` on Lambda;
in source mode also the dev environment's packages). It imports the layers' heavy third-party modules once,
then forks one process per execution environment ("container") on request. A container adds its function's
code directory (`/var/task`), takes the function's environment as its own `os.environ`, imports the handler
at its first invocation (the init phase) and then serves invocations one at a time, keeping its module state
between them (a warm start). Nothing outside those directories can be imported: a dependency the layer lacks
fails the import, as it does on Lambda.

Protocol (both over Unix sockets; messages are 4-byte big-endian lengths + JSON):
- zygote control socket (SOCK_SEQPACKET): the parent sends b"fork" with one socket fd attached; the zygote
  forks, the child serves on that socket, and the zygote answers the child's pid (4 bytes).
- container socket: first message {"env", "code_dir"}; then {"handler", "event", "context", "now",
  "timeout"} per invocation, answered {"payload", "errored", "logs"}. EOF ends the container.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from typing import Any

_HEADER = struct.Struct("!I")


def send(sock: socket.socket, message: Any) -> None:
    data = json.dumps(message, default=str).encode()
    sock.sendall(_HEADER.pack(len(data)) + data)


def _exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket) -> Any:
    """The next message, or None at EOF."""
    header = _exactly(sock, _HEADER.size)
    if header is None:
        return None
    body = _exactly(sock, _HEADER.unpack(header)[0])
    return None if body is None else json.loads(body)


class _Capture(io.TextIOBase):
    """sys.stdout/stderr of a container: an invocation's output goes to its log (handlers that bound the
    stream at import, as logging's do, keep writing through this object)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.log: io.StringIO | None = None

    def write(self, text: str) -> int:
        return (self.log or self.real).write(text)

    def flush(self) -> None:
        self.real.flush()

    def isatty(self) -> bool:
        return False


class Context:
    """The context object the Python runtime passes to a handler."""

    def __init__(self, fields: dict[str, Any], timeout: float) -> None:
        self.__dict__.update(fields)
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _error(exc: BaseException) -> str:
    return json.dumps(
        {
            "errorMessage": str(exc),
            "errorType": type(exc).__name__,
            "stackTrace": traceback.format_tb(exc.__traceback__),
        }
    )


def _load(handler: str) -> Any:
    module, _, attribute = handler.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attribute)
    except ModuleNotFoundError as exc:
        raise ImportError(f"Runtime.ImportModuleError: Unable to import module '{module}': {exc}") from exc


def container(sock: socket.socket) -> None:
    """Serve invocations on `sock` until the parent closes it."""
    import time_machine

    init = receive(sock)
    if init is None:
        return
    os.environ.clear()
    os.environ.update(init["env"])
    sys.path.insert(0, init["code_dir"])
    os.chdir(init["code_dir"])
    stdout, stderr = _Capture(sys.stdout), _Capture(sys.stderr)
    sys.stdout, sys.stderr = stdout, stderr  # type: ignore[assignment]
    handler: Any = None
    while (message := receive(sock)) is not None:
        log = io.StringIO()
        stdout.log = stderr.log = log
        errored = False
        with time_machine.travel(message["now"], tick=True):  # the sandbox's clock, not this process's
            try:
                if handler is None:
                    handler = _load(message["handler"])
                context = Context(message["context"], float(message["timeout"]))
                payload = json.dumps(handler(message["event"], context), default=str)
            except Exception as exc:
                errored, payload = True, _error(exc)
                log.write(f"[ERROR] {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        stdout.log = stderr.log = None
        send(sock, {"payload": payload, "errored": errored, "logs": log.getvalue()})


def share_models() -> None:
    """Let every botocore session of this process share the service models it parsed (read-only data)."""
    try:
        from botocore.loaders import Loader
    except ImportError:
        return
    if getattr(Loader, "_glueguard_shared", False):
        return
    cache: dict[Any, Any] = {}
    lock = threading.Lock()

    def shared(method: Any) -> Any:
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            key = (method.__name__, tuple(self.search_paths), args, tuple(sorted(kwargs.items())))
            with lock:
                if key in cache:
                    return cache[key]
            value = method(self, *args, **kwargs)
            with lock:
                return cache.setdefault(key, value)

        return wrapper

    Loader.load_service_model = shared(Loader.load_service_model)  # type: ignore[method-assign]
    Loader.load_data_with_path = shared(Loader.load_data_with_path)  # type: ignore[method-assign]
    Loader._glueguard_shared = True  # type: ignore[attr-defined]


def _preload(modules: list[str], services: list[str]) -> None:
    """Import what every container would (from the layers' path) and parse the usual service models once."""
    for name in modules:
        with contextlib.suppress(Exception):  # not in the layer: the container's own import fails, as on Lambda
            importlib.import_module(name)
    share_models()
    try:
        import boto3
    except ImportError:
        return
    session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
    for service in services:
        session.client(service, endpoint_url="http://127.0.0.1:1")


def zygote(config: dict[str, Any]) -> None:
    control = socket.socket(fileno=int(config["fd"]))
    sys.path.extend(config["runtime"])
    import time_machine  # noqa: F401 - before the layers' path: it must not pick their modules

    sys.path[:0] = config["path"]  # before the standard library, as /opt/python is on Lambda
    os.environ.update(config["env"])
    _preload(config["preload"], config["services"])
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps ended containers
    while True:
        try:
            _, fds, _, _ = socket.recv_fds(control, 16, 1)
        except OSError:
            return
        if not fds:
            return  # the sandbox closed the control socket (or died)
        pid = os.fork()
        if pid == 0:
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                container(socket.socket(fileno=fds[0]))
            finally:
                os._exit(0)
        os.close(fds[0])
        control.send(_HEADER.pack(pid))


if __name__ == "__main__":
    zygote(json.loads(sys.argv[1]))
