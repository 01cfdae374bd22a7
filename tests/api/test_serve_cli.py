"""``cleanspeech serve`` as a real uvicorn process (the issue's acceptance check) and the
``serve`` / ``ui`` command options."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from api_support import served_model_name
from typer.testing import CliRunner

from cleanspeech.cli import app

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model = served_model_name(tmp_path_factory.mktemp("served"))
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from cleanspeech.cli import app; app()", "serve",
         "--model", model, "--port", str(port), "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"serve exited {proc.returncode}: {proc.stdout.read()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("cleanspeech serve did not become healthy in 60 s")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_acceptance_two_comments_bad_body_and_health(server: str) -> None:
    pair = ["You are a disgusting idiot.", "Thanks for the helpful edit!"]
    results = httpx.post(f"{server}/v1/moderate", json={"texts": pair}, timeout=30).json()["results"]
    assert {"toxic", "insult"} <= set(results[0]["labels"])
    assert results[1]["labels"] == []
    refused = httpx.post(f"{server}/v1/moderate", json={"texts": 5}, timeout=30)
    assert refused.status_code == 422 and "texts" in refused.json()["detail"]
    garbage = httpx.post(f"{server}/v1/moderate", content=b"\x00{", timeout=30,
                         headers={"content-type": "application/json"})
    assert 400 <= garbage.status_code < 500
    assert httpx.get(f"{server}/healthz", timeout=5).json()["status"] == "ok"
    info = httpx.get(f"{server}/v1/model", timeout=5).json()
    assert info["labels"][0] == "toxic" and set(info["thresholds"]) == set(info["labels"])


def test_serve_and_ui_help_name_their_options() -> None:
    runner = CliRunner()
    serve_help = runner.invoke(app, ["serve", "--help"], terminal_width=200).output
    for option in ("--model", "--host", "--port", "--rewrite-backends"):
        assert option in serve_help
    ui_help = runner.invoke(app, ["ui", "--help"], terminal_width=200).output
    assert "--model" in ui_help and "--port" in ui_help


def test_unknown_model_fails_fast_with_exit_2() -> None:
    runner = CliRunner()
    for command in ("serve", "ui"):
        result = runner.invoke(app, [command, "--model", "no-such-model"])
        assert result.exit_code == 2
        assert "no-such-model" in result.output


def test_ui_command_line_passes_model_and_headless_flags() -> None:
    from cleanspeech.ui import APP_PATH, streamlit_command

    cmd = streamlit_command("linear", "0.0.0.0", 9999, backend="onnx")
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4] == str(APP_PATH)
    assert cmd[cmd.index("--server.port") + 1] == "9999"
    assert cmd[cmd.index("--server.headless") + 1] == "true"
    assert cmd[cmd.index("--") + 1:] == ["--model", "linear", "--backend", "onnx"]


def test_load_bench_smoke_against_the_server(server: str, tmp_path, monkeypatch) -> None:
    """bench/load.py end to end for ~1.5 s: zero errors, report files written."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "load.py"
    spec = importlib.util.spec_from_file_location("bench_load", path)
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_load", bench)  # dataclasses look the module up
    spec.loader.exec_module(bench)
    out_json, out_md = tmp_path / "load.json", tmp_path / "load.md"
    code = bench.main(["--url", server, "--clients", "2", "--batch", "4", "--duration", "1.5",
                       "--warmup", "0.2", "--json", str(out_json), "--markdown", str(out_md)])
    import json

    report = json.loads(out_json.read_text())
    assert code == 0 and report["results"]["errors"] == 0
    assert report["results"]["requests_ok"] > 0 and report["results"]["healthy_after"]
    assert "| requests ok |" in out_md.read_text()
