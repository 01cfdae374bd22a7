"""Streamlit page over :class:`cleanspeech.pipeline.Moderator`: single comment, batch, model.

Run it with ``cleanspeech ui --model linear`` (or the command :func:`streamlit_command` builds).
"""

from __future__ import annotations

import sys
from pathlib import Path

APP_PATH = Path(__file__).with_name("app.py")


def streamlit_command(model: str, host: str = "127.0.0.1", port: int = 8501,
                      headless: bool = True, backend: str | None = None) -> list[str]:
    """The ``streamlit run`` command line that ``cleanspeech ui`` (and the browser test) runs."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP_PATH),
        "--server.address", host, "--server.port", str(port),
        "--server.headless", "true" if headless else "false",
        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
        "--", "--model", model, *(["--backend", backend] if backend else []),
    ]


__all__ = ["APP_PATH", "streamlit_command"]
