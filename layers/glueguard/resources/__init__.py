"""Resource kinds (Cloud Custodian style): how each Glue kind is named in events, read, updated,
deleted and recreated. One kind = one small registered unit."""

from glueguard.resources.base import ResourceKind, kind_for_event, kinds, register_kind

__all__ = ["ResourceKind", "kind_for_event", "kinds", "register_kind"]
