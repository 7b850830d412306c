"""Cost Explorer's cost allocation tags as AWS documents them (moto 5.2.5 has none): see `models.py`."""

from glueguard_sandbox.emulator.costexplorer.models import install

__all__ = ["install"]
