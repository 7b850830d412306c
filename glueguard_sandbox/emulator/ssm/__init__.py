"""Parameter Store where moto 5.2.5 falls short (models: value size per tier, Intelligent-Tiering)."""


def install() -> None:
    from glueguard_sandbox.emulator.ssm import models

    models.install()
