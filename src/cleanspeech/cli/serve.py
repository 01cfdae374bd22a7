"""``cleanspeech serve`` (HTTP API, FastAPI + uvicorn) and ``cleanspeech ui`` (Streamlit page).

Both load one model through :class:`cleanspeech.pipeline.Moderator` and serve nothing else.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Sequence
from typing import Optional

import typer

from cleanspeech.cli.app import app
from cleanspeech.cli.common import BACKEND_HELP, MODEL_HELP, err_console, friendly_errors


@app.command("serve")
def serve(
    model: str = typer.Option("default", "--model", "-m", metavar="MODEL", help=MODEL_HELP),
    host: str = typer.Option("127.0.0.1", "--host", metavar="HOST", help="Interface to bind (0.0.0.0 for all)."),
    port: int = typer.Option(8000, "--port", "-p", metavar="PORT", help="TCP port."),
    backend: Optional[str] = typer.Option(None, "--backend", metavar="onnx|torch", help=BACKEND_HELP),
    rewrite_backends: str = typer.Option(
        "offline", "--rewrite-backends", metavar="LIST",
        help="Comma-separated rewrite backends /v1/rewrite accepts, first = default "
             "(offline, auto, gemini, openai; LLM ones call the network)."),
    workers: int = typer.Option(1, "--workers", min=1, metavar="N",
                                help="Worker processes; each loads its own copy of the model."),
    log_level: str = typer.Option("info", "--log-level", metavar="LEVEL", help="uvicorn log level."),
    warmup: bool = typer.Option(True, "--warmup/--no-warmup",
                                help="Load explain/rewrite resources in the background at start."),
) -> None:
    """Serve the HTTP API: POST /v1/moderate, /v1/explain, /v1/rewrite; GET /healthz, /v1/model.

    OpenAPI docs at /docs. Limits per request: moderate 64 texts of 20,000 characters, explain
    16 of 5,000, rewrite 16 of 1,000; 2 MiB per body. Broken requests get a 4xx with a message.
    """
    import uvicorn

    from cleanspeech.server import create_app
    from cleanspeech.cli.common import load_moderator

    backends = tuple(b.strip() for b in rewrite_backends.split(",") if b.strip()) or ("offline",)
    if workers > 1:  # each worker process builds the app from the environment
        os.environ.update({"CLEANSPEECH_MODEL": model, "CLEANSPEECH_BACKEND": backend or "",
                           "CLEANSPEECH_REWRITE_BACKENDS": ",".join(backends),
                           "CLEANSPEECH_WARMUP": "1" if warmup else "0"})
        uvicorn.run("cleanspeech.server:app_from_env", factory=True, host=host, port=port,
                    workers=workers, log_level=log_level)
        return
    with friendly_errors():
        moderator = load_moderator(model, backend)
    err_console.print(f"cleanspeech serve: model {moderator.name!r} on http://{host}:{port} "
                      "(OpenAPI docs at /docs)")
    app_ = create_app(moderator, rewrite_backends=backends, warmup=warmup)
    uvicorn.run(app_, host=host, port=port, log_level=log_level)


@app.command("ui")
def ui(
    model: str = typer.Option("default", "--model", "-m", metavar="MODEL", help=MODEL_HELP),
    host: str = typer.Option("127.0.0.1", "--host", metavar="HOST", help="Interface to bind."),
    port: int = typer.Option(8501, "--port", "-p", metavar="PORT", help="TCP port."),
    backend: Optional[str] = typer.Option(None, "--backend", metavar="onnx|torch", help=BACKEND_HELP),
    open_browser: bool = typer.Option(False, "--open/--no-open",
                                      help="Open a browser tab (default: headless server)."),
) -> None:
    """Start the Streamlit moderation page (single comment, batch CSV, model card and plots).

    The model is loaded once when the page first opens and cached for every session.
    """
    from cleanspeech.models.registry import resolve_model_path
    from cleanspeech.ui import streamlit_command

    with friendly_errors():
        resolve_model_path(model)  # fail here, naming the shipped models, not inside the page
    err_console.print(f"cleanspeech ui: model {model!r} on http://{host}:{port}")
    command = streamlit_command(model, host, port, headless=not open_browser, backend=backend)
    code = run_forwarding_signals(command, env={**os.environ, "CLEANSPEECH_MODEL": model})
    raise typer.Exit(0 if code in (-signal.SIGINT, -signal.SIGTERM) else code)


def run_forwarding_signals(command: Sequence[str], env: dict[str, str] | None = None) -> int:
    """Run ``command`` as a child, pass SIGTERM / SIGINT on to it, and wait until it has exited.

    Without this, ``kill <cleanspeech ui>`` (a service manager stopping it) ends this process and
    leaves the Streamlit server running with its port. Returns the child's exit status
    (negative: killed by that signal).
    """
    # The handlers go in before the child starts: a signal that arrived between the two used to
    # end this process the default way and leave the child running (a flaky test under load).
    child: subprocess.Popen | None = None
    pending: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        if child is None:
            pending.append(signum)  # passed on as soon as the child exists
        elif child.poll() is None:
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        child = subprocess.Popen(list(command), env=env)
        for signum in pending:
            child.send_signal(signum)
        return child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if child is not None and child.poll() is None:  # this process is being torn down some other way
            child.kill()
            child.wait()
