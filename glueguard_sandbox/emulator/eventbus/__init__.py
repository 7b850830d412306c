"""EventBridge between event buses and accounts (models: delivery and bus policies; responses: PutEvents)."""


def install() -> None:
    from moto.events.models import EventBus

    from glueguard_sandbox.emulator.eventbus import responses

    # CloudFormation: Ref of an AWS::Events::EventBus is its name (moto 5.2.5 hands out the model object).
    EventBus.physical_resource_id = property(lambda self: self.name)  # type: ignore[attr-defined]
    responses.install()
