"""Altair charts for the page (Streamlit renders them with ``st.altair_chart``)."""

from __future__ import annotations

import altair as alt
import pandas as pd

RAISED_COLOR = "#d62728"
CLEAR_COLOR = "#7f9cb5"


def score_bars(frame: pd.DataFrame) -> alt.LayerChart:
    """Horizontal bars of ``score`` per ``label`` on [0, 1], red when ``raised``, with a black
    tick at each label's ``threshold`` (frame from :func:`cleanspeech.ui.tables.score_bars_frame`)."""
    y = alt.Y("label:N", sort=list(frame["label"]), title=None)
    base = alt.Chart(frame).encode(y=y)
    bars = base.mark_bar(height=18).encode(
        x=alt.X("score:Q", scale=alt.Scale(domain=[0, 1]), title="probability"),
        color=alt.condition("datum.raised", alt.value(RAISED_COLOR), alt.value(CLEAR_COLOR)),
        tooltip=["label", "score", "threshold", "raised"],
    )
    ticks = base.mark_tick(color="black", thickness=3, size=26).encode(
        x="threshold:Q", tooltip=["label", "threshold"]
    )
    # The number itself, right of the bar: a moderator should not have to read it off the axis.
    values = base.mark_text(align="left", dx=4, fontSize=13).encode(
        x="score:Q", text=alt.Text("score:Q", format=".2f"))
    return (bars + ticks + values).properties(height=230)


def per_label_metric_bars(table: pd.DataFrame) -> alt.Chart:
    """Grouped bars of per-label metrics (a label × metric table, values in [0, 1])."""
    long = table.rename_axis("label").reset_index().melt("label", var_name="metric")
    return alt.Chart(long.dropna()).mark_bar().encode(
        x=alt.X("label:N", sort=list(table.index), title=None),
        xOffset="metric:N",
        y=alt.Y("value:Q", scale=alt.Scale(domain=[0, 1]), title=None),
        color=alt.Color("metric:N", title=None),
        tooltip=["label", "metric", alt.Tooltip("value:Q", format=".4f")],
    ).properties(height=260)


def record_lines(frame: pd.DataFrame, x: str, y: str, color: str | None = None) -> alt.Chart:
    """A line per ``color`` group of ``y`` against ``x`` (e.g. the ensemble's weight search)."""
    enc = {"x": alt.X(f"{x}:Q"), "y": alt.Y(f"{y}:Q", scale=alt.Scale(zero=False)),
           "tooltip": list(frame.columns)}
    if color:
        enc["color"] = alt.Color(f"{color}:N")
    return alt.Chart(frame).mark_line(point=True).encode(**enc).properties(height=260)


def label_rate_bars(rates: pd.DataFrame) -> alt.Chart:
    """Bars of the share of rows raising each label (frame from ``tables.label_rates``)."""
    return alt.Chart(rates).mark_bar(color=RAISED_COLOR).encode(
        x=alt.X("label:N", sort=list(rates["label"]), title=None),
        y=alt.Y("rate:Q", axis=alt.Axis(format="%"), title="share of comments"),
        tooltip=["label", alt.Tooltip("rate:Q", format=".1%"), "count"],
    ).properties(height=260)
