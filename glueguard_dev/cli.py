"""`glueguard`: the operator CLI (typer). Each module in glueguard_dev/commands/ adds its commands
through `register(app)`; add a command by adding a module there."""

from __future__ import annotations

import importlib
import pkgutil

import typer

from glueguard_dev import commands

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


_register_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
