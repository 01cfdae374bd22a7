"""Streamlit entry point: ``streamlit run app.py -- --model NAME`` (what ``cleanspeech ui`` runs).

The model comes from ``--model`` (after ``--``), else ``$CLEANSPEECH_MODEL``, else ``default``;
it is loaded once per process and cached (``st.cache_resource``) across reruns and sessions.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading

import streamlit as st

from cleanspeech.pipeline import Moderator
from cleanspeech.ui import batch, model_page, single


def model_args(argv: list[str]) -> tuple[str, str | None]:
    """``(model, backend)``: ``--model`` / ``--backend`` in ``argv``, else ``$CLEANSPEECH_MODEL``
    (default ``default``) / ``$CLEANSPEECH_BACKEND`` (default: the model's own)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--model", default=os.environ.get("CLEANSPEECH_MODEL", "default"))
    parser.add_argument("--backend", default=os.environ.get("CLEANSPEECH_BACKEND") or None)
    args = parser.parse_known_args(argv)[0]
    return args.model, args.backend


@st.cache_resource(show_spinner="Loading the model…")
def load_moderator(name: str, backend: str | None = None) -> Moderator:
    """Load once per process; explain/rewrite warm up in the background while the user types
    (``CLEANSPEECH_WARMUP=0`` turns that off)."""
    moderator = Moderator.load(name, **({"backend": backend} if backend else {}))
    if os.environ.get("CLEANSPEECH_WARMUP", "1") != "0":
        threading.Thread(target=moderator.warm_up, daemon=True).start()
    return moderator


def main() -> None:
    st.set_page_config(page_title="CleanSpeech moderation", page_icon="🧹", layout="wide")
    name, backend = model_args(sys.argv[1:])
    try:
        moderator = load_moderator(name, backend)
    except (FileNotFoundError, ValueError, ImportError) as exc:
        st.error(f"Could not load model {name!r}: {exc}")
        st.stop()
    st.title("CleanSpeech moderation")
    st.caption(f"Model **{moderator.name}** ({moderator.model.model_type}) · six labels scored "
               "against tuned thresholds · English comments only")
    tab_single, tab_batch, tab_model = st.tabs(["Single comment", "Batch (CSV)", "Model"])
    with tab_single:
        single.render(moderator)
    with tab_batch:
        batch.render(moderator)
    with tab_model:
        model_page.render(moderator)


main()
