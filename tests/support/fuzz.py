"""How hard the property tests fuzz: `make test` runs a fixed-seed profile, `make test-deep` a long random one.

`GLUEGUARD_FUZZ=deep` (what `make test-deep` sets) loads the `deep` profile: random seeds and ten times the
examples. Otherwise the `ci` profile: derandomized (every run tries the same examples, so CI is deterministic)
with no deadline in real seconds (a busy machine is not a failure).
"""

from __future__ import annotations

import os

from hypothesis import settings

DEEP = os.environ.get("GLUEGUARD_FUZZ", "ci") == "deep"
#: How many more examples `make test-deep` tries than `make test`.
DEEP_FACTOR = 10

settings.register_profile("ci", derandomize=True, deadline=None, database=None, print_blob=True)
settings.register_profile("deep", deadline=None, print_blob=True)
settings.load_profile("deep" if DEEP else "ci")


def examples(count: int) -> int:
    """`count` examples in `make test`, `DEEP_FACTOR` times as many in `make test-deep`."""
    return count * DEEP_FACTOR if DEEP else count
