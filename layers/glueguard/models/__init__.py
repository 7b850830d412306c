"""Typed models shared by rules, remediation and handlers (no AWS SDK)."""
