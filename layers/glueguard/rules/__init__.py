"""Pure governance rules, registered per resource kind."""

from glueguard.rules.engine import Rule, RuleContext, all_rules, evaluate, rule, rules_for

__all__ = ["Rule", "RuleContext", "all_rules", "evaluate", "rule", "rules_for"]
