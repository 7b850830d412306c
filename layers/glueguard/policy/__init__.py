"""The governance policy as data: the validated settings and how the functions load them (`settings`), and custom
rules written as data (`custom_rules`). Versions of the deployed policy are written by the operator CLI
(`glueguard_cli.policy_store`)."""
