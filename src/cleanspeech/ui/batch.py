"""Batch: upload a CSV, score it with a progress bar, filter the table by label, download the
results (with the comment text and verdict, or scores only as ``cleanspeech predict`` writes
them) and chart the label rates."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from cleanspeech.data.io import ID_COLUMN, TEXT_COLUMN, DataError, read_csv, read_jigsaw
from cleanspeech.labels import LABELS
from cleanspeech.pipeline import Moderator
from cleanspeech.ui import charts
from cleanspeech.ui.tables import (
    COMMENT_COLUMN, FLAGGED_COLUMN, LABELS_COLUMN, filter_by_labels, label_rates,
    predictions_frame, to_csv_bytes,
)

CHUNK = 256  # texts per model call; the progress bar moves once per chunk


def render(moderator: Moderator) -> None:
    upload = st.file_uploader("CSV with one comment per row (Jigsaw format: id, comment_text)",
                              type=["csv", "tsv", "gz"], key="batch_upload")
    if upload is None:
        st.info("Upload a CSV to score every row; each input row gets one output row, in order.")
        return
    data = upload.getvalue()
    name = Path(upload.name).name  # the reader works on the bytes; messages name the upload
    try:
        columns = list(read_csv(name, data=data).columns)
    except DataError as exc:
        st.error(str(exc))
        return
    text_col, id_col = _pick_columns(columns, name)
    if text_col is None:
        return
    key = (hashlib.sha1(data).hexdigest(), text_col, id_col, moderator.name)
    if st.session_state.get("batch_key") != key:
        try:
            frame = read_jigsaw(name, text_column=text_col, id_column=id_col, require_labels=False,
                                data=data)
        except DataError as exc:
            st.error(str(exc))
            return
        st.session_state["batch_result"] = _score(moderator, frame)
        st.session_state["batch_key"] = key
    _show(st.session_state["batch_result"], upload.name)


def _pick_columns(columns: list[str], name: str) -> tuple[str | None, str]:
    """The text and id columns. Without a ``comment_text`` column nothing is guessed: scoring
    the first column (often the id) would look like a result and mean nothing."""
    left, right = st.columns(2)
    found = TEXT_COLUMN in columns
    text_col = left.selectbox("Text column", columns, key="batch_text_column",
                              index=columns.index(TEXT_COLUMN) if found else None,
                              placeholder="choose the column holding the comments")
    id_choices = ["(row number)"] + columns
    id_col = right.selectbox("Id column", id_choices,
                             index=id_choices.index(ID_COLUMN) if ID_COLUMN in columns else 0)
    if text_col is None:
        st.error(f"{name}: no column named '{TEXT_COLUMN}' (found {columns}); choose the text "
                 "column above.")
    return text_col, (id_col if id_col != "(row number)" else "__row_number__")


def _score(moderator: Moderator, frame: pd.DataFrame) -> pd.DataFrame:
    texts = frame[TEXT_COLUMN].tolist()
    progress = st.progress(0.0, text=f"Scoring {len(texts):,} comments…")
    parts = []
    for start in range(0, len(texts), CHUNK):
        parts.append(moderator.scores(texts[start:start + CHUNK]))
        done = min(start + CHUNK, len(texts))
        progress.progress(done / max(len(texts), 1), text=f"Scored {done:,} / {len(texts):,}")
    scores = np.vstack(parts) if parts else np.zeros((0, len(LABELS)))
    progress.empty()
    return predictions_frame(frame[ID_COLUMN].tolist(), scores, moderator.thresholds, texts=texts,
                             flags=moderator.flags(texts, scores))


def _show(result: pd.DataFrame, name: str) -> None:
    rates = label_rates(result)
    flagged = int(result[FLAGGED_COLUMN].sum())
    st.success(f"Scored {len(result):,} rows; {flagged:,} flagged (at least one label raised).")
    chart_col, table_col = st.columns([2, 3])
    with chart_col:
        st.subheader("Label rates")
        st.altair_chart(charts.label_rate_bars(rates), width="stretch")
    with table_col:
        st.subheader("Scored rows")
        picked = st.multiselect("Show rows raising", [*LABELS, "none"], key="batch_filter",
                                help="'none' shows rows that raised no label")
        mode = "all" if st.toggle("Require all selected labels", key="batch_all") else "any"
        if "none" in picked and len(picked) > 1:
            st.warning("'none' cannot be combined with labels; showing rows with no label.")
            picked = ["none"]
        shown = filter_by_labels(result, picked, mode=mode)
        st.caption(f"{len(shown):,} of {len(result):,} rows")
        # the verdict and labels come right after the comment, so every label is in view
        # before the six score columns (which may scroll on a narrow screen)
        st.dataframe(shown, hide_index=True, width="stretch", height=320, column_config={
            COMMENT_COLUMN: st.column_config.TextColumn(width="medium"),
            FLAGGED_COLUMN: st.column_config.CheckboxColumn(width="small"),
            LABELS_COLUMN: st.column_config.TextColumn(width="medium"),
            **{lab: st.column_config.NumberColumn(format="%.3f", width="small") for lab in LABELS}})
    stem = Path(name).name.removesuffix(".gz").removesuffix(".csv")
    all_col, filtered_col, scores_col = st.columns(3)
    all_col.download_button("Download results (CSV)", to_csv_bytes(result, True, True),
                            file_name=f"{stem}.results.csv", mime="text/csv",
                            help="id, comment, six probabilities, flagged, labels")
    if len(shown) != len(result):
        filtered_col.download_button("Download the filtered rows (CSV)",
                                     to_csv_bytes(shown, True, True),
                                     file_name=f"{stem}.filtered.csv", mime="text/csv")
    scores_col.download_button("Download scores only (CSV)", to_csv_bytes(result),
                               file_name=f"{stem}.predictions.csv", mime="text/csv",
                               help="id + six probabilities, byte for byte what "
                                    "`cleanspeech predict` writes")
