"""Model page: which model is loaded, its thresholds, metrics, model card and evaluation plots."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from cleanspeech.pipeline import Moderator
from cleanspeech.ui.tables import headline_metrics, metrics_table, report_plots


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
    headline = headline_metrics(metrics)
    if headline:
        shown = list(headline.items())[:4]
        for column, (name, value) in zip(st.columns(len(shown)), shown):
            column.metric(name.replace("_", " "), f"{value:.4f}")
    table = metrics_table(metrics)
    if table is not None:
        st.dataframe(table.round(4), width="stretch")
    with st.expander("All metrics (JSON)", expanded=table is None):
        st.json(metrics)


def _plots(model_path: str | None) -> None:
    plots = report_plots(model_path)
    st.markdown("**Evaluation plots**")
    if not plots:
        st.caption("No report/ plots shipped with this model (ROC/PR curves appear here when the "
                   "evaluation report is saved into the model folder).")
        return
    for tab, plot in zip(st.tabs([p.stem.replace("_", " ") for p in plots]), plots):
        tab.image(str(plot), width="stretch")
