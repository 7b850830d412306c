"""The compliance sweep: list every Glue resource, judge and repair it with the enforcer's pipeline,
and report the design's success metrics (pure report building in `report`, rendering in `html`)."""
