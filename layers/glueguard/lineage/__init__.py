"""Catalog lineage: which job or crawler runs created or changed a catalog table, and when (docs/lineage.md).

`record` (pure) turns a compliant catalog call's CloudTrail event into a compact record; `attribution` (pure) names
the job runs or crawlers behind a record from the runs Glue reports; `adapters/lineage.py` stores and reads them.
"""
