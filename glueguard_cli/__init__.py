"""The operator CLI (`glueguard`): what platform teams run against a deployed stack, on AWS or the sandbox.
Commands live in `commands/` (one module per command group); the `sandbox` group comes from `glueguard_sandbox`."""
