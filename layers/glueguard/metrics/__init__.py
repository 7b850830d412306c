"""The design's success metrics: the figures, pure (`success`), and their inputs read for the weekly report
(`inputs`: runs, utilization, each project's month, AWS's billing view), and underused jobs as findings
(`utilization`, pure). CloudWatch emission is `adapters.metrics`."""
