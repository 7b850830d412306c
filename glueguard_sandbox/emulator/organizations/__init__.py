"""AWS Organizations where moto 5.2.5 falls short (models: accounts, the organization of an account)."""


def install() -> None:
    from glueguard_sandbox.emulator.organizations import models

    models.install()
