"""`make bench` (python -m benchmarks.run): every figure beside its goal, with the machine, as JSON too.

Options: --quick (fewer repetitions, 2,000 jobs: a smoke run), --only NAME (overhead, scale, coldstart,
admission, metrics, reconcile; scale includes the sweep), --out DIR, --profile (a pyinstrument profile of the enforcer).
Only a full run writes results/latest.json (the README's figures: commit it with the code it measured); every run
writes results/bench-*.json. Each result names the commit measured (and whether the tree was dirty), the load
average before and after, and the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.table import Table

from benchmarks import admission, coldstart, enforcement, machine, reconcile, success, sweep
from benchmarks.figures import Figure

RESULTS = Path(__file__).resolve().parent / "results"


@contextmanager
def quiet_stdout() -> Iterator[TextIO]:
    """Send fd 1 (the handlers' JSON logs and EMF metrics, as Lambda would write them) to /dev/null;
    yield a stream on the real stdout for the report."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    report = os.fdopen(os.dup(saved), "w", buffering=1)
    try:
        yield report
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        report.close()


def plan(quick: bool) -> dict[str, Callable[[], list[Figure]]]:
    jobs = 2_000 if quick else 10_000
    swept = sweep.sweep if sweep.available() else None

    def scale() -> list[Figure]:
        figures = enforcement.scale(repetitions=10 if quick else 25, jobs=jobs, sweep=swept)
        return figures if swept else [*figures, *sweep.pending()]

    return {
        "overhead": lambda: [enforcement.overhead(repetitions=30 if quick else 150), *enforcement.calls_per_event()],
        "scale": scale,
        "coldstart": lambda: [
            coldstart.enforcer_first_event(repetitions=4 if quick else coldstart.PAIRS),
            *coldstart.cold_start(repetitions=3 if quick else 9),
        ],
        "admission": admission.admission if admission.available() else admission.pending,
        "metrics": lambda: success.metrics_cost(repetitions=2 if quick else 5),
        "reconcile": lambda: reconcile.reconcile(large=jobs),
    }


def render(figures: list[Figure], console: Console) -> None:
    table = Table(title="glueguard benchmarks", show_lines=False)
    for column in ("figure", "measured", "goal", "", "detail"):
        table.add_column(column)
    for f in figures:
        if f.pending:
            table.add_row(f.name, "[yellow]pending[/]", f.goal, "", f"pending: {f.pending}")
            continue
        verdict = "" if f.met is None else ("[green]met[/]" if f.met else "[red]missed[/]")
        shown = {k: v for k, v in f.detail.items() if not isinstance(v, dict | list)}
        table.add_row(f.name, f"{f.value:g} {f.unit}", f.goal, verdict, ", ".join(f"{k}={v}" for k, v in shown.items()))
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run: fewer repetitions, 2,000 jobs")
    parser.add_argument(
        "--only", action="append", choices=["overhead", "scale", "coldstart", "admission", "metrics", "reconcile"]
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--profile", action="store_true", help="print where the enforcer's time goes, and stop")
    args = parser.parse_args(argv)
    if args.profile:
        with quiet_stdout() as report:
            report.write(enforcement.profile())
        return 0

    started = time.perf_counter()
    load_before, commit = machine.load(), machine.commit()  # the code measured: as it is when the run starts
    figures: list[Figure] = []
    with quiet_stdout() as report:
        console = Console(file=report, force_terminal=report.isatty(), width=None if report.isatty() else 140)
        for name, measure in plan(args.quick).items():
            if args.only and name not in args.only:
                continue
            console.log(f"measuring {name} ...")
            figures.extend(measure())
        render(figures, console)
        result = {
            "generated_at": datetime.now(UTC).isoformat(),
            "quick": args.quick,
            "seconds": round(time.perf_counter() - started, 1),
            "commit": commit,
            "load_average_before": load_before,
            "load_average_after": machine.load(),
            "machine": machine.describe(),
            "figures": [f.to_dict() for f in figures],
        }
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
        text = json.dumps(result, indent=2)
        path.write_text(text)
        if not (args.quick or args.only):  # a partial or smoke run never stands in for the full one
            (args.out / "latest.json").write_text(text)
        console.print(f"results: {path} ({result['seconds']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
