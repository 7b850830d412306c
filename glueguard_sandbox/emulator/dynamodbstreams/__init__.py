"""Lambda's DynamoDB stream poller where moto 5.2.5 falls short (see models.py)."""


def install() -> None:
    from glueguard_sandbox.emulator.dynamodbstreams import models

    models.install()
