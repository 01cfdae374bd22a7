"""``cleanspeech serve`` (HTTP API, FastAPI + uvicorn) and ``cleanspeech ui`` (Streamlit page).

Both load one model through :class:`cleanspeech.pipeline.Moderator` and serve nothing else.
"""

from __future__ import annotations

import os
import subprocess

import typer

from cleanspeech.cli.app import app

MODEL_HELP = "Shipped model name (linear, default, ...) or path to a model folder."


@app.command("serve")
def serve(
    model: str = typer.Option("default", "--model", "-m", help=MODEL_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (0.0.0.0 for all)."),
    port: int = typer.Option(8000, "--port", "-p", help="TCP port."),
    workers: int = typer.Option(1, "--workers", min=1,
                                help="Worker processes; each loads its own copy of the model."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
) -> None:
    """Serve the HTTP API: POST /v1/moderate, /v1/explain, /v1/rewrite; GET /healthz, /v1/model.

    OpenAPI docs at /docs. Limits: 64 texts per moderate request (16 for explain/rewrite),
    20,000 characters per text, 2 MiB per body; broken requests get a 4xx with a message.
    """
    import uvicorn

    if workers > 1:  # each worker process builds the app from the environment
        os.environ["CLEANSPEECH_MODEL"] = model
        uvicorn.run("cleanspeech.api:app_from_env", factory=True, host=host, port=port,
                    workers=workers, log_level=log_level)
        return
    from cleanspeech.api import create_app
    from cleanspeech.pipeline import Moderator

    try:
        moderator = Moderator.load(model)
    except (FileNotFoundError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"cleanspeech serve: model {moderator.name!r} on http://{host}:{port} "
               f"(docs at /docs)", err=True)
    uvicorn.run(create_app(moderator), host=host, port=port, log_level=log_level)


@app.command("ui")
def ui(
    model: str = typer.Option("default", "--model", "-m", help=MODEL_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind."),
    port: int = typer.Option(8501, "--port", "-p", help="TCP port."),
    open_browser: bool = typer.Option(False, "--open/--no-open",
                                      help="Open a browser tab (off: headless server)."),
) -> None:
    """Start the Streamlit moderation page (single comment, batch CSV, model card and plots)."""
    from cleanspeech.models.registry import resolve_model_path
    from cleanspeech.ui import streamlit_command

    try:
        resolve_model_path(model)  # fail here, with the shipped names, not inside the page
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"cleanspeech ui: model {model!r} on http://{host}:{port}", err=True)
    env = {**os.environ, "CLEANSPEECH_MODEL": model}
    try:
        command = streamlit_command(model, host, port, headless=not open_browser)
        code = subprocess.call(command, env=env)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)
