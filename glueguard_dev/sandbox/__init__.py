"""The local sandbox: the whole control plane running offline on moto (see docs/sandbox.md)."""

from glueguard_dev.sandbox.server import Sandbox, free_port, wait_ready

__all__ = ["Sandbox", "free_port", "wait_ready"]
