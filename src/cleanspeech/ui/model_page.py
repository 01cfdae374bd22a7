"""Model page, for a moderator: what a flag means at this model's operating point (per-label
threshold, precision and recall at natural prevalence), what the sensitivity settings do, and
the model's limits. Evaluation details, the model card and the raw metrics sit in expanders."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from cleanspeech.operating import SENSITIVITIES, apply_sensitivity
from cleanspeech.pipeline import Moderator
from cleanspeech.ui import charts
from cleanspeech.ui.model_metrics import (
    limitations, metric_sections, operating_point, other_numbers, per_label_table, record_tables,
)
from cleanspeech.ui.tables import headline_metrics, report_plots


def render(moderator: Moderator) -> None:
    info = moderator.info()
    metrics = _load_metrics(info["metrics"], info["path"])
    st.subheader(f"Model: {info['name']}")
    st.markdown(f"Type **{info['model_type']}** · folder `{info['path'] or '(in memory)'}`")
    st.markdown("A comment is **flagged** when any of the six labels scores at or over its "
                "threshold. The thresholds below are the model's tuned operating point.")
    found = operating_point(metrics, info["thresholds"], info["model_type"])
    _operating_point(info["thresholds"], found)
    _sensitivities(moderator)
    st.markdown("**Limitations**")
    st.markdown("\n".join(f"- {item}" for item in limitations(metrics, found and found[1])))
    with st.expander("Evaluation details", expanded=False):
        _metrics(metrics)
        _plots(info["path"])
    with st.expander("Model card", expanded=False):
        st.markdown(info["model_card"] or "_This model folder has no README.md model card._")
    if metrics:
        with st.expander("All metrics (JSON)", expanded=False):
            st.json(metrics)


def _load_metrics(metrics: dict, model_path: str | None) -> dict:
    report = Path(model_path) / "report" / "metrics.json" if model_path else None
    if not metrics and report is not None and report.exists():
        metrics = json.loads(report.read_text(encoding="utf-8"))
    return metrics or {}


def _operating_point(thresholds: dict, found: tuple[str, pd.DataFrame] | None) -> None:
    st.markdown("**Operating point**")
    if found is None:
        st.dataframe(pd.DataFrame([thresholds]), hide_index=True)
        st.caption("This model ships no per-label precision and recall; the thresholds alone "
                   "are shown.")
        return
    name, table = found
    shown = table.rename(columns={"flagged": "share flagged"}).rename_axis("label")
    st.dataframe(shown.round(3), width="content")
    natural = any(p in ("at_prevalence", "calibration") for p in name.split("."))
    st.caption(
        "**Precision**: of the comments flagged with a label, the share that truly carry it. "
        "**Recall**: of the comments that carry a label, the share flagged. Measured on the "
        f"`{name}` section of the model's evaluation"
        + (", re-weighted to natural prevalence (how often each label occurs in ordinary "
           "comments), so the numbers are those to expect in production." if natural else
           ", as the split is (no prevalence re-weighting was recorded)."))


def _sensitivities(moderator: Moderator) -> None:
    rows = {level: apply_sensitivity(moderator.thresholds, level) for level in SENSITIVITIES}
    frame = pd.DataFrame(rows, index=list(moderator.info()["labels"])).T.round(3)
    with st.expander("Sensitivity settings (HTTP API `sensitivity`)", expanded=False):
        st.caption("`high` flags more (every threshold lowered), `low` flags less; scores never "
                   "change. Precision and recall above hold for `default` only.")
        st.dataframe(frame.rename_axis("sensitivity"))


def _metrics(metrics: dict) -> None:
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
    st.caption(f"{name} table ({len(frame)} rows)")  # expanders cannot nest
    st.dataframe(frame, hide_index=True, width="stretch", height=200)


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
