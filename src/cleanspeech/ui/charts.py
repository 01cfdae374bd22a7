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
    return (bars + ticks).properties(height=230)


def label_rate_bars(rates: pd.DataFrame) -> alt.Chart:
    """Bars of the share of rows raising each label (frame from ``tables.label_rates``)."""
    return alt.Chart(rates).mark_bar(color=RAISED_COLOR).encode(
        x=alt.X("label:N", sort=list(rates["label"]), title=None),
        y=alt.Y("rate:Q", axis=alt.Axis(format="%"), title="share of comments"),
        tooltip=["label", alt.Tooltip("rate:Q", format=".1%"), "count"],
    ).properties(height=260)
