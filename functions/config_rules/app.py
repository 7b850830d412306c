"""Config rules: AWS Config custom rules (VPC, role, naming, security groups) with the enforcer's evaluator."""

from glueguard.handlers.config_rules import handler

__all__ = ["handler"]
