"""Single comment: the verdict first, then score bars against thresholds, the word heatmap and
a civil rewrite (or a plain sentence saying why there is none)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from cleanspeech.limits import MAX_CHARS_EXPLAIN, MAX_CHARS_REWRITE
from cleanspeech.labels import LABELS
from cleanspeech.pipeline import Moderator
from cleanspeech.ui import charts
from cleanspeech.ui.tables import score_bars_frame
from cleanspeech.ui.verdict import rewrite_outcome, verdict_text

EXAMPLE = "You are a disgusting idiot."
HIDE_FRAGMENT_SCORES = "<style>.cs-exp table { display: none; }</style>"


@st.cache_resource(max_entries=256, show_spinner=False)
def _explain(_moderator: Moderator, model: str, text: str) -> Any:
    return _moderator.explain([text])[0]


@st.cache_resource(max_entries=256, show_spinner=False)
def _rewrite(_moderator: Moderator, model: str, text: str) -> Any:
    return _moderator.rewrite([text])[0]


def render(moderator: Moderator) -> None:
    with st.form("single"):
        text = st.text_area("Comment", value="", placeholder=EXAMPLE, height=110,
                            key="comment_input")
        if st.form_submit_button("Moderate", type="primary"):
            st.session_state["comment"] = text
    text = st.session_state.get("comment")
    if text is None:
        st.info("Type a comment and press **Moderate** (or Ctrl+Enter).")
        return
    if not text.strip():
        # scores of nothing are all 0: a chart of zeros would read as "checked and clean"
        st.error("The comment is empty: type or paste the text to moderate, then press "
                 "**Moderate**.")
        return
    result = moderator.moderate([text])[0]
    _verdict(result.labels)
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Scores")
        frame = score_bars_frame(result.scores, moderator.thresholds)
        st.altair_chart(charts.score_bars(frame), width="stretch")
        st.caption("Bars: probability per label (red when at or over the threshold); "
                   "black ticks: the label's tuned threshold.")
    with right:
        st.subheader("Labels raised")
        _labels_badges(result.labels)
        for note in result.notes(text, moderator.thresholds):  # labels the bars do not explain
            st.caption(note)
        _heatmap(moderator, text, result.labels)
    _rewrite_section(moderator, text, result.labels)


def _verdict(labels: list[str]) -> None:
    """The decision a moderator acts on, above everything else (``verdict`` test id)."""
    color, background = ("#b3261e", "#fde2e1") if labels else ("#1e6b2a", "#e3f4e4")
    st.markdown(
        f'<div data-testid="verdict" style="border-radius:0.5rem;padding:0.6rem 1rem;'
        f'margin:0.2rem 0 0.8rem 0;background:{background};color:{color};font-size:1.35rem;'
        f'font-weight:700">{verdict_text(labels)}</div>', unsafe_allow_html=True)


BADGE = ("display:inline-block;border-radius:0.6rem;padding:0.15rem 0.7rem;margin:0 0.4rem "
         "0.4rem 0;font-weight:600;font-size:1.05rem;")


def _labels_badges(labels: list[str]) -> None:
    """Labels raised as badges; the ``labels-raised`` test id is what the browser test reads."""
    if labels:
        badges = "".join(f'<span style="{BADGE}background:#fde2e1;color:#b3261e">{label}</span>'
                         for label in labels)
    else:
        badges = f'<span style="{BADGE}background:#e3f4e4;color:#1e6b2a">none</span>'
    st.markdown(f'<div data-testid="labels-raised">{badges}</div>', unsafe_allow_html=True)


def _heatmap(moderator: Moderator, text: str, labels: list[str]) -> None:
    st.subheader("Word heatmap")
    if len(text) > MAX_CHARS_EXPLAIN:
        st.info(f"Word heatmaps are computed for comments up to {MAX_CHARS_EXPLAIN:,} characters "
                f"(this one has {len(text):,}).")
        return
    try:
        from cleanspeech.explain import render_html
        explanation = _explain(moderator, moderator.name, text)
    except ImportError as exc:
        st.info(f"Explanations are not available in this install ({exc}).")
        return
    options = list(labels) + [lab for lab in LABELS if lab not in labels]
    label = st.selectbox("Explain label", options, index=0, key="heatmap_label")
    # the score table inside the fragment repeats the bars on the left: hide it here
    st.html(HIDE_FRAGMENT_SCORES + render_html(explanation, label=label))


def _rewrite_section(moderator: Moderator, text: str, labels: list[str]) -> None:
    st.subheader("Civil rewrite")
    if not labels:
        st.success(rewrite_outcome(False, None).message)
        return
    if len(text) > MAX_CHARS_REWRITE:
        st.info(f"Rewrites are suggested for comments up to {MAX_CHARS_REWRITE:,} characters "
                f"(this one has {len(text):,}); shorten it to get one.")
        return
    try:
        rewrite = _rewrite(moderator, moderator.name, text)
    except ImportError as exc:
        st.info(f"Rewrites are not available in this install ({exc}).")
        return
    outcome = rewrite_outcome(True, rewrite)
    if outcome.kind != "rewritten":
        st.warning(outcome.message)
        return
    st.markdown(f"**{outcome.message}**")
    st.markdown(f"> {outcome.text}")
    before, after = st.columns(2)
    before.metric("Toxicity before", f"{rewrite.toxicity_before:.2f}")
    after.metric("Toxicity after", f"{rewrite.toxicity_after:.2f}",
                 delta=f"{rewrite.toxicity_after - rewrite.toxicity_before:+.2f}",
                 delta_color="inverse")
    if outcome.note:
        st.caption(outcome.note)
