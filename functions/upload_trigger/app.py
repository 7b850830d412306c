"""Upload trigger: S3 Object Created on a project bucket starts the bound Glue job (deferred while over budget)."""

from glueguard.handlers.upload_trigger import handler

__all__ = ["handler"]
