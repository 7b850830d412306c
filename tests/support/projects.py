"""Test projects: the registry entry plus the AWS resources a provisioned project holds (in moto)."""

from __future__ import annotations

from glueguard_sandbox.seed import TRUST, make_project

__all__ = ["TRUST", "make_project"]
