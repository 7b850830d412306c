"""`make bench`: glueguard's performance figures, each a ratio measured side by side in one run."""
