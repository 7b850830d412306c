"""STS where moto 5.2.5 falls short (responses: AssumeRole across accounts checks the role's trust policy)."""


def install() -> None:
    from glueguard_sandbox.emulator.sts import responses

    responses.install()
