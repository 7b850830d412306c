"""`glueguard`: the operator CLI (typer). Each module in glueguard_cli/commands/ adds its commands
through `register(app)`; add a command by adding a module there. The `sandbox` group is registered from the
offline sandbox package (`glueguard_sandbox.commands`), the one place the CLI names it."""

from __future__ import annotations

import importlib
import pkgutil

import typer

from glueguard_cli import commands

app = typer.Typer(help="glueguard operator CLI: sandbox, audit, decisions.", no_args_is_help=True)


@app.callback()
def _root() -> None:
    """glueguard operator CLI: sandbox, audit, decisions."""


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
