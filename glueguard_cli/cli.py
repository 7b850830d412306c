"""`glueguard`: the operator CLI (typer). Each module in glueguard_cli/commands/ adds its commands
through `register(app)`; add a command by adding a module there. The `sandbox` group is registered from the
offline sandbox package (`glueguard_sandbox.commands`), the one place the CLI names it."""

from __future__ import annotations

import importlib
import pkgutil

import typer

from glueguard_cli import commands

HELP = (
    "glueguard: the operator CLI of the Glue governance plane, run against a deployed stack (AWS, or the sandbox "
    "with --endpoint-url): provision and deprovision projects; policy (validate, apply, history, rollback, test) "
    "and plan; audit, budget and decisions; uploads (upload bindings) and glue-triggers. "
    "`glueguard sandbox` runs the whole plane offline."
)
app = typer.Typer(help=HELP, no_args_is_help=True)


@app.callback()
def _root() -> None:
    """glueguard: the operator CLI of the Glue governance plane."""


def _register_commands() -> None:
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        loaded = importlib.import_module(f"{commands.__name__}.{module.name}")
        register = getattr(loaded, "register", None)
        if callable(register):
            register(app)
    from glueguard_sandbox.commands import register as register_sandbox

    register_sandbox(app)


_register_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
