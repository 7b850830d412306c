"""Load the sample events in events/ (the same files the docs and the sandbox replay use)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[2] / "events"


def load(path: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((EVENTS / path).read_text()))
