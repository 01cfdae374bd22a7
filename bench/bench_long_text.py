"""A 1 MB comment (training comments joined) scored with the shipped ``default`` model.

Times, on the same text: tokenising it once; the transformer member alone under its window
budget (``LONG_TEXT_POLICY``), with the budget spread evenly (no scorer, the shipped default)
and with the linear member as ``window_scorer`` (its max probability per window text, as the
cascade does); the linear member alone; the whole ``default`` ensemble. Also how many windows the
comment has and how many were scored.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_long_text.py

Writes ``bench/results/long_text.{json,md}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time

from bench_backends import RESULTS, cpu_name

from cleanspeech.data import project_split
from cleanspeech.data.io import read_jigsaw, write_text_atomic
from cleanspeech.models.cascade import fast_window_scorer
from cleanspeech.models.registry import load_model
from cleanspeech.models.windows import encode, window_ranges


def long_comment(train_csv: str, n_chars: int) -> str:
    """Training comments (project_split train, in order) joined by newlines, cut to ``n_chars``."""
    parts, total = [], 0
    for text in project_split(read_jigsaw(train_csv, require_labels=True)).train["comment_text"]:
        parts.append(text)
        total += len(text) + 1
        if total >= n_chars:
            break
    return "\n".join(parts)[:n_chars]


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, round(time.perf_counter() - t0, 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="default")
    ap.add_argument("--chars", type=int, default=1_000_000)
    ap.add_argument("--train", default="../shared/data/jigsaw/train.csv.gz")
    args = ap.parse_args()
    text = long_comment(args.train, args.chars)
    model = load_model(args.model, backend="onnx")
    kinds = {m.model_type: m for m in model.members}
    tr, lin = kinds["transformer"], kinds["linear"]
    tr.predict_proba(["warm up"])
    encs, t_tok = timed(lambda: encode(tr.tokenizer, [text]))
    n_windows = len(window_ranges(len(encs[0].ids), tr.max_length, tr.overlap))
    wins, _ = tr.windows([text])
    _, t_spread = timed(lambda: tr.predict_proba([text]))
    tr.window_scorer = fast_window_scorer(lin)
    _, t_scored = timed(lambda: tr.predict_proba([text]))
    tr.window_scorer = None
    _, t_linear = timed(lambda: lin.predict_proba([text]))
    _, t_default = timed(lambda: model.predict_proba([text]))
    res = {"model": args.model, "chars": len(text), "tokens": len(encs[0].ids), "windows": n_windows,
           "windows_scored": len(wins), "max_windows": tr.max_windows,
           "seconds": {"tokenise_once": t_tok, "transformer_spread": t_spread,
                       "transformer_with_linear_window_scorer": t_scored, "linear": t_linear,
                       "default_ensemble": t_default},
           "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "machine": {"cpu": cpu_name(), "cpus": os.cpu_count(), "loadavg_1min_end": os.getloadavg()[0]}}
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_text_atomic(json.dumps(res, indent=2) + "\n", RESULTS / "long_text.json")
    write_text_atomic(markdown(res), RESULTS / "long_text.md")
    print(markdown(res))


def markdown(r: dict) -> str:
    rows = "\n".join(f"| {k.replace('_', ' ')} | {v:.2f} |" for k, v in r["seconds"].items())
    return f"""# A 1 MB comment

`{r['model']}` (ONNX backend), one comment of {r['chars']:,} characters ({r['tokens']:,} tokens,
{r['windows']:,} windows; {r['windows_scored']} scored under `max_windows={r['max_windows']}`), built from
project_split training comments. {r['date']}, CPU {r['machine']['cpu']} x {r['machine']['cpus']}
(shared: 1-min load {r['machine']['loadavg_1min_end']:.1f} at the end).
Command: `HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_long_text.py`

| step | seconds |
|---|---|
{rows}
"""


if __name__ == "__main__":
    main()
