"""PutParameter's value limits per tier, as Parameter Store documents them; moto 5.2.5 stores any size.

"Managing parameter tiers" (Systems Manager user guide): a standard parameter's value holds at most
4 KB, an advanced one 8 KB; an advanced parameter never goes back to standard. With
`Intelligent-Tiering` Parameter Store picks standard unless the request needs advanced (here: a value
over 4 KB, or a parameter that is already advanced). The refusal of a large standard value is worded
as AWS words it.
"""

from __future__ import annotations

from typing import Any

from moto.ssm.exceptions import ValidationException
from moto.ssm.models import SimpleSystemManagerBackend

STANDARD_MAX = 4096
ADVANCED_MAX = 8192
_original_put_parameter = SimpleSystemManagerBackend.put_parameter


def _previous_tier(backend: SimpleSystemManagerBackend, name: str) -> str | None:
    versions = backend._parameters.get(name) if name in backend._parameters else None
    return versions[-1].tier if versions else None


def effective_tier(requested: str | None, previous: str | None, size: int) -> str:
    """The tier a PutParameter ends in; raise ValidationException when the value cannot fit it."""
    tier = requested or previous or "Standard"
    if tier == "Intelligent-Tiering":
        tier = "Advanced" if size > STANDARD_MAX or previous == "Advanced" else "Standard"
    if tier == "Standard" and previous == "Advanced":
        tier = "Advanced"  # an advanced parameter cannot revert to standard
    if tier == "Standard" and size > STANDARD_MAX:
        raise ValidationException(
            f"Standard tier parameters support a maximum parameter value of {STANDARD_MAX} characters. To create a "
            "larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, "
            "see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html"
        )
    if size > ADVANCED_MAX:
        raise ValidationException(
            f"Advanced tier parameters support a maximum parameter value of {ADVANCED_MAX} characters."
        )
    return tier


def _put_parameter(
    self: SimpleSystemManagerBackend, name: str, description: str, value: str, *args: Any, **kwargs: Any
) -> Any:
    if value:
        tier = kwargs.get("tier")
        kwargs["tier"] = effective_tier(tier, _previous_tier(self, name), len(value))
    return _original_put_parameter(self, name, description, value, *args, **kwargs)


def install() -> None:
    SimpleSystemManagerBackend.put_parameter = _put_parameter
