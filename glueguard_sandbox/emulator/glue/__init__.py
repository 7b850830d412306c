"""Glue as AWS documents it where moto 5.2.5 falls short: jobs (UpdateJob, BatchStopJobRun, ...), the other
kinds (crawlers, triggers, connections, sessions), job runs with a lifecycle and Glue's events, statements."""
