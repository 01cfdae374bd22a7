"""Load test of the HTTP API: N concurrent clients against ``cleanspeech serve`` on 127.0.0.1.

Starts the server the way users do (``cleanspeech serve --model M --port P``), waits for
``/healthz``, then runs ``--clients`` asyncio clients (httpx) that each POST batches of real
comments from ``--data`` back to back for ``--duration`` seconds (after ``--warmup`` seconds not
counted). A request counts as an error unless it answers 200 with one result per text.
Reports throughput (requests/s, texts/s), latency p50/p90/p99/max and the error count, and
checks the server is still healthy afterwards. Exit status 1 when any request failed.

    python bench/load.py --model default --clients 8 --duration 30 --batch 8 \
        --json bench/results/load_linear.json --markdown bench/results/load_linear.md
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / "tests" / "fixtures" / "jigsaw_sample.csv"


@dataclass
class Tally:
    """What the clients saw during the measured window."""

    latencies_ms: list[float] = field(default_factory=list)
    texts: int = 0
    errors: int = 0
    error_examples: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_examples) < 5:
            self.error_examples.append(what[:300])


def load_texts(path: Path, limit: int = 2000) -> list[str]:
    from cleanspeech.data.io import read_texts

    texts = [t for t in read_texts(path)[1] if t.strip()][:limit]
    if not texts:
        raise SystemExit(f"{path}: no comments to send")
    return texts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(model: str, port: int, workers: int, warmup: bool) -> subprocess.Popen:
    cmd = [sys.executable, "-c", "from cleanspeech.cli import app; app()", "serve",
           "--model", model, "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--log-level", "warning",
           "--warmup" if warmup else "--no-warmup"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"})


def wait_healthy(base: str, proc: subprocess.Popen | None, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}:\n{proc.stdout.read()}")
        try:
            response = httpx.get(f"{base}/healthz", timeout=2)
            if response.status_code == 200:
                return response.json()
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{base}/healthz did not answer within {timeout:.0f} s")


async def client(http: httpx.AsyncClient, url: str, batches: list[list[str]], offset: int,
                 warm_until: float, stop_at: float, tally: Tally) -> None:
    i = offset
    while (now := time.perf_counter()) < stop_at:
        batch = batches[i % len(batches)]
        i += 1
        started = time.perf_counter()
        try:
            response = await http.post(url, json={"texts": batch})
            ok = response.status_code == 200 and len(response.json()["results"]) == len(batch)
            problem = "" if ok else f"HTTP {response.status_code}: {response.text}"
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            problem = f"{type(exc).__name__}: {exc}"
        elapsed_ms = (time.perf_counter() - started) * 1000
        if now < warm_until:
            continue  # warm-up: not counted
        if problem:
            tally.error(problem)
        else:
            tally.latencies_ms.append(elapsed_ms)
            tally.texts += len(batch)


async def run_load(base: str, endpoint: str, texts: list[str], clients: int, batch: int,
                   duration: float, warmup: float) -> tuple[Tally, float]:
    batches = [texts[i:i + batch] for i in range(0, len(texts) - batch + 1, batch)] or [texts]
    tally = Tally()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        start = time.perf_counter()
        warm_until, stop_at = start + warmup, start + warmup + duration
        await asyncio.gather(*(client(http, f"{base}/v1/{endpoint}", batches,
                                      k * 7, warm_until, stop_at, tally) for k in range(clients)))
        measured = time.perf_counter() - warm_until
    return tally, measured


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cpu_count": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def git_commit() -> str:
    try:
        return subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                                       text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def summarize(tally: Tally, measured_s: float, config: dict, model: dict, healthy: bool) -> dict:
    lat = np.asarray(tally.latencies_ms) if tally.latencies_ms else np.zeros(1)
    requests = len(tally.latencies_ms)
    return {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": config.pop("machine"),
        "config": config,
        "model": model,
        "results": {
            "measured_seconds": round(measured_s, 2),
            "requests_ok": requests,
            "texts_ok": tally.texts,
            "errors": tally.errors,
            "throughput_requests_per_s": round(requests / measured_s, 2),
            "throughput_texts_per_s": round(tally.texts / measured_s, 1),
            "latency_ms": {q: round(float(np.percentile(lat, p)), 1)
                           for q, p in (("p50", 50), ("p90", 90), ("p99", 99), ("max", 100))},
            "latency_ms_mean": round(float(lat.mean()), 1),
            "healthy_after": healthy,
            "error_examples": tally.error_examples,
        },
    }


def markdown(report: dict) -> str:
    c, r, m = report["config"], report["results"], report["machine"]
    lat = r["latency_ms"]
    return "\n".join([
        f"# HTTP API load test: `/v1/{c['endpoint']}`",
        "",
        f"- Date: {report['date']} · commit `{report['git_commit']}`",
        f"- Machine: {m['cpu']} · {m['cpu_count']} CPUs · {m['platform']} · Python {m['python']}"
        f" · load average at start {m['load_average_at_start']} (machine shared with other jobs)",
        f"- Model: `{report['model'].get('name')}` ({report['model'].get('model_type')}) · server "
        f"`cleanspeech serve --workers {c['workers']}` on 127.0.0.1",
        f"- Load: {c['clients']} concurrent clients, {c['batch']} texts per request, "
        f"{c['duration_s']} s measured after {c['warmup_s']} s warm-up; texts from `{c['data']}`",
        f"- Command: `{c['command']}`",
        "",
        "| requests ok | texts ok | errors | req/s | texts/s | p50 ms | p90 ms | p99 ms | max ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {r['requests_ok']} | {r['texts_ok']} | {r['errors']} | "
        f"{r['throughput_requests_per_s']} | {r['throughput_texts_per_s']} | {lat['p50']} | "
        f"{lat['p90']} | {lat['p99']} | {lat['max']} |",
        "",
        f"Server healthy after the run: {'yes' if r['healthy_after'] else 'NO'}.",
        "",
    ])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="default", help="model name or folder to serve")
    p.add_argument("--url", help="load an already running server instead of starting one")
    p.add_argument("--endpoint", default="moderate", choices=["moderate", "explain", "rewrite"])
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--batch", type=int, default=8, help="texts per request")
    p.add_argument("--duration", type=float, default=30.0, help="measured seconds")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="CSV with comment_text")
    p.add_argument("--json", type=Path, help="write the report as JSON here")
    p.add_argument("--markdown", type=Path, help="write the report as Markdown here")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    texts = load_texts(args.data)
    proc = None
    base = args.url.rstrip("/") if args.url else None
    if base is None:
        port = free_port()
        # /v1/moderate needs no explain/rewrite warm-up (it would compete with the measurement)
        proc = start_server(args.model, port, args.workers, warmup=args.endpoint != "moderate")
        base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        model = httpx.get(f"{base}/v1/model", timeout=10).json()
        config = {"endpoint": args.endpoint, "clients": args.clients, "batch": args.batch,
                  "duration_s": args.duration, "warmup_s": args.warmup, "workers": args.workers,
                  "data": os.path.relpath(args.data, REPO), "machine": machine(),
                  "command": "python bench/load.py " + " ".join(argv or sys.argv[1:])}
        tally, measured = asyncio.run(run_load(base, args.endpoint, texts, args.clients,
                                               args.batch, args.duration, args.warmup))
        healthy = httpx.get(f"{base}/healthz", timeout=10).status_code == 200
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=15)
    report = summarize(tally, measured, config,
                       {k: model.get(k) for k in ("name", "model_type", "path")}, healthy)
    text = markdown(report)
    print(text)
    from cleanspeech.data.io import write_text_atomic

    if args.json:
        write_text_atomic(json.dumps(report, indent=2) + "\n", args.json)
    if args.markdown:
        write_text_atomic(text, args.markdown)
    return 1 if tally.errors or not healthy else 0


if __name__ == "__main__":
    sys.exit(main())
