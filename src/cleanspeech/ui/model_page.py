"""Model page: which model is loaded, its thresholds, metrics, model card and evaluation plots."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from cleanspeech.pipeline import Moderator
from cleanspeech.ui import charts
from cleanspeech.ui.model_metrics import metric_sections, other_numbers, per_label_table, record_tables
from cleanspeech.ui.tables import headline_metrics, report_plots


def render(moderator: Moderator) -> None:
    info = moderator.info()
    st.subheader(f"Model: {info['name']}")
    st.markdown(f"Type **{info['model_type']}** · folder `{info['path'] or '(in memory)'}`")
    st.markdown("**Thresholds** (a label is raised at or over its threshold)")
    st.dataframe(pd.DataFrame([info["thresholds"]]), hide_index=True)
    _metrics(info["metrics"], info["path"])
    _plots(info["path"])
    with st.expander("Model card", expanded=not info["metrics"]):
        st.markdown(info["model_card"] or "_This model folder has no README.md model card._")


def _metrics(metrics: dict, model_path: str | None) -> None:
    report = Path(model_path) / "report" / "metrics.json" if model_path else None
    if not metrics and report is not None and report.exists():
        metrics = json.loads(report.read_text(encoding="utf-8"))
    st.markdown("**Metrics**")
    if not metrics:
        st.caption("No metrics.json shipped with this model.")
        return
    for name, section in metric_sections(metrics).items():
        _section(name, section)
    numbers = other_numbers(metrics)
    if len(numbers):
        st.markdown("**Other figures**")
        st.dataframe(numbers.round(4), hide_index=True)
    for name, frame in record_tables(metrics).items():
        _records(name, frame)
    with st.expander("All metrics (JSON)", expanded=False):
        st.json(metrics)


def _section(name: str, section: dict) -> None:
    """Headline numbers, the per-label table and a chart of it, for one evaluation section."""
    n = section.get("n")
    st.markdown(f"*{name}*" + (f" ({n:,} rows)" if isinstance(n, int) else ""))
    headline = list(headline_metrics(section).items())[:4]
    if headline:
        for column, (key, value) in zip(st.columns(len(headline)), headline):
            column.metric(key.replace("_", " "), f"{value:.4f}")
    table = per_label_table(section)
    if table is not None:
        left, right = st.columns([3, 2])
        right.dataframe(table.round(4), width="stretch")
        chart_cols = [c for c in ("roc_auc", "pr_auc", "f1") if c in table.columns]
        if chart_cols:
            left.altair_chart(charts.per_label_metric_bars(table[chart_cols]), width="stretch")


def _records(name: str, frame: pd.DataFrame) -> None:
    st.markdown(f"**{name.replace('_', ' ')}**")
    numeric = frame.select_dtypes("number").columns.tolist()
    groups = [c for c in frame.columns if c not in numeric]
    if len(numeric) >= 2:
        st.altair_chart(charts.record_lines(frame, numeric[0], numeric[-1], groups[0] if groups else None),
                        width="stretch")
    with st.expander(f"{name} table ({len(frame)} rows)"):
        st.dataframe(frame, hide_index=True, width="stretch")


def _plots(model_path: str | None) -> None:
    plots = report_plots(model_path)
    st.markdown("**Evaluation plots**")
    if not plots:
        st.caption("No report/ plots shipped with this model; the charts above are drawn from its "
                   "metrics.json (ROC/PR curves appear here when `cleanspeech evaluate -o "
                   "<model>/report` is saved into the model folder).")
        return
    for tab, plot in zip(st.tabs([p.stem.replace("_", " ") for p in plots]), plots):
        tab.image(str(plot), width="stretch")
