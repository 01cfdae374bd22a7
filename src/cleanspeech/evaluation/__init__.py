"""Evaluation stage: metrics, per-label threshold tuning, reports and plots."""
