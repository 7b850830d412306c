"""The local sandbox: the whole control plane running offline on moto (see docs/sandbox.md).

`server` (the sandbox), `deploy`, `cloudtrail`, `lambda_runtime`, `organization`, `faults`, `process` (a sandbox in a
child process), `seed` (projects made directly, for in-process tests), `emulator/` (moto extensions), `commands`
(`glueguard sandbox ...`), `demo` (`make demo`) and `asl` (generates statemachines/*.asl.json).
"""
