"""The organization: what a member account's glueguard rules must look like, judged purely (`heartbeat`).
Listing members and reading their rules is `adapters.members`; the scheduled check is `handlers.heartbeat`."""
