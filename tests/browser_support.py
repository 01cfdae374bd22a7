"""What the browser tests share: where Debian's Chromium is, the flags it needs on a closed
machine, and a free port for the server under test."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
STEP_TIMEOUT_MS = 60_000  # generous: the CI machine may be shared and loaded


def chromium_path() -> str | None:
    """``$CLEANSPEECH_CHROMIUM``, else chromium / chromium-browser on PATH, else None."""
    env = os.environ.get("CLEANSPEECH_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
