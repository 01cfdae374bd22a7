"""``cleanspeech explain`` on a file, end to end: posts/s and the span F1 of what it wrote.

    HF_HUB_OFFLINE=1 nice -n 10 .venv/bin/python bench/bench_explain_batch.py [--n 690] [--label after]
        [--compare runs/explain_batch/before.jsonl] [--tagger FOLDER]

Takes the first ``--n`` posts of SemEval-2021 tsd_trial (690, the whole set, by default), writes
them to a CSV and runs the CLI's batch path on it: the same reader, chunks, writer and
``Moderator.explain`` call as ``cleanspeech explain in.csv -o out.jsonl --text-column text``
(``cli.batch.run_batch`` with ``cli.explain._explain_rows``), in this process so the model load
is timed apart from the explaining. Reports posts/s, the seconds 2,000 posts would take at that
rate, this process's CPU seconds per post (the machine is shared: wall time depends on the
neighbours, so the 1-minute load average is recorded too) and the span F1 of the written spans
against the gold offsets (``cleanspeech.explain.span_metric``).

``--compare OUT.jsonl``: how many posts' spans differ from an earlier run's output, and the
largest attribution difference (a change meant to keep outputs must leave spans identical).
``--tagger FOLDER``: explain with another span-tagger folder (e.g. one member of the shipped
ensemble) to price a member. Writes ``bench/results/explain_batch[_LABEL].{json,md}`` and the
explanations under ``runs/explain_batch/``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from cleanspeech.cli.batch import RecordWriter, run_batch
from cleanspeech.cli.explain import CHUNK, _explain_rows
from cleanspeech.data.io import write_text_atomic
from cleanspeech.data.progress import ProgressLog
from cleanspeech.data.stream import ChunkReader
from cleanspeech.explain.core import default_tagger_path
from cleanspeech.explain.span_metric import read_pred_jsonl, read_tsd, span_f1
from cleanspeech.explain.tagger_ensemble import load_tagger

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results"
RUNS = ROOT / "runs" / "explain_batch"
TRIAL = ROOT.parent / "shared" / "data" / "toxic_spans" / "tsd_trial.csv"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def compare(new: Path, old: Path) -> dict:
    """Posts whose spans differ between two explain outputs, and the largest attribution gap."""
    if not old.exists():
        return {"error": f"{old}: not found"}
    a = [json.loads(line) for line in new.read_text(encoding="utf-8").splitlines()]
    b = [json.loads(line) for line in old.read_text(encoding="utf-8").splitlines()]
    if len(a) != len(b):
        return {"error": f"{len(a)} rows vs {len(b)}"}
    spans = sum(x["spans"] != y["spans"] for x, y in zip(a, b))
    labels = sum(x["labels"] != y["labels"] for x, y in zip(a, b))
    gap = 0.0
    for x, y in zip(a, b):
        for tx, ty in zip(x["tokens"], y["tokens"]):
            ax, ay = np.array(list(tx["attributions"].values())), np.array(list(ty["attributions"].values()))
            gap = max(gap, float(np.abs(ax - ay).max()))
    return {"against": str(old.relative_to(ROOT)) if old.is_relative_to(ROOT) else str(old),
            "posts_with_other_spans": int(spans), "posts_with_other_labels": int(labels),
            "max_attribution_diff": gap}


def run(n: int, model: str, label: str, tagger: str | None) -> dict:
    from cleanspeech.pipeline import Moderator

    gold = read_tsd(TRIAL).head(n)
    RUNS.mkdir(parents=True, exist_ok=True)
    src, out = RUNS / f"trial_{n}.csv", RUNS / f"{label}.jsonl"
    gold[["text"]].to_csv(src, index_label="id")
    t0, c0 = time.perf_counter(), cpu_seconds()
    mod = Moderator.load(model)
    if tagger or default_tagger_path().exists():  # as the CLI does: the clock starts with the explaining
        load_tagger(str(tagger or default_tagger_path()))
    load_s = time.perf_counter() - t0
    kwargs = {"spans": "auto", "gate_spans": False, **({"tagger": tagger} if tagger else {})}
    reader = ChunkReader(src, text_column="text", id_column="id", chunk_rows=CHUNK)
    t1, c1 = time.perf_counter(), cpu_seconds()
    with RecordWriter(out, ["id", "scores", "labels", "spans", "tokens"], jsonl_only=True) as writer:
        rows = run_batch(reader, writer, lambda ids, texts: _explain_rows(mod, ids, texts, **kwargs),
                         ProgressLog("explain", every=30.0))
    secs, cpu = time.perf_counter() - t1, cpu_seconds() - c1
    f1 = span_f1(read_pred_jsonl(out), gold["offsets"].tolist())
    return {
        "label": label, "posts": rows, "mean_chars": round(float(gold["text"].str.len().mean()), 1),
        "load_s": round(load_s, 1), "explain_s": round(secs, 1), "posts_per_s": round(rows / secs, 2),
        "ms_per_post": round(1000 * secs / rows, 1), "s_per_2000_posts": round(2000 * secs / rows, 1),
        "cpu_s_per_post": round(cpu / rows, 3), "span_f1": round(f1, 4), "output": str(out.relative_to(ROOT)),
        "load_average_1min_after": round(os.getloadavg()[0], 2), "load_s_includes": "Moderator.load and the span tagger",
        "cpu_s_total": round(cpu_seconds() - c0, 1),
    }


def to_markdown(res: dict) -> str:
    lines = [f"# `cleanspeech explain` batch throughput ({res['date']}, label `{res['label']}`)", "",
             f"Machine: {res['machine']}. Command: `{res['command']}`", "",
             f"Model `{res['model']}`, span tagger `{res['tagger']}`; the first {res['posts']} posts of tsd_trial "
             f"({res['mean_chars']} characters on average), the CLI's batch path (chunks of {res['chunk']}).", "",
             "| posts | posts/s | ms / post | s per 2,000 posts | CPU s / post | span F1 | load avg (1 min) |",
             "|---|---|---|---|---|---|---|",
             f"| {res['posts']} | {res['posts_per_s']} | {res['ms_per_post']} | {res['s_per_2000_posts']} | "
             f"{res['cpu_s_per_post']} | {res['span_f1']} | {res['load_average_1min_after']} |", "",
             f"Model and span-tagger load (not in the rate): {res['load_s']} s. Threads: torch {res['torch_threads']}."]
    if "compare" in res:
        c = res["compare"]
        lines += ["", f"Against `{c.get('against')}`: {c.get('posts_with_other_spans')} posts with other spans, "
                      f"{c.get('posts_with_other_labels')} with other labels, largest attribution difference "
                      f"{c.get('max_attribution_diff', 0):.2e}."]
    return "\n".join(lines) + "\n"


def summarize(labels: list[str]) -> None:
    """``explain_batch.{json,md}``: the runs with these labels side by side."""
    runs = [json.loads((OUT / f"explain_batch_{label}.json").read_text(encoding="utf-8")) for label in labels]
    lines = ["# `cleanspeech explain` batch throughput: runs side by side", "",
             "Each run: `bench/bench_explain_batch.py` (the CLI's batch path on the first N posts of tsd_trial); "
             "details in `explain_batch_LABEL.md`. The CPU is shared: wall-clock rates depend on the "
             "neighbours' load (last column), CPU seconds per post less so.", "",
             "| label | date | tagger | posts | posts/s | s per 2,000 posts | CPU s / post | span F1 | spans differ from | load avg |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        c = r.get("compare", {})
        diff = f"{c['posts_with_other_spans']} posts vs `{Path(c['against']).stem}`" if "posts_with_other_spans" in c else ""
        lines.append(f"| {r['label']} | {r['date']} | {r['tagger']} | {r['posts']} | {r['posts_per_s']} | "
                     f"{r['s_per_2000_posts']} | {r['cpu_s_per_post']} | {r['span_f1']} | {diff} | "
                     f"{r['load_average_1min_after']} |")
    lines += ["", "Commands:", ""] + [f"- `{r['command']}`" for r in runs]
    write_text_atomic(json.dumps({"runs": runs}, indent=2) + "\n", OUT / "explain_batch.json")
    write_text_atomic("\n".join(lines) + "\n", OUT / "explain_batch.md")
    print("\n".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=690, help="posts of tsd_trial (default: all 690)")
    ap.add_argument("--model", default="default")
    ap.add_argument("--label", default="latest", help="names the output files (results and explanations)")
    ap.add_argument("--compare", type=Path, help="an earlier run's explanations JSONL to diff against")
    ap.add_argument("--tagger", help="a span-tagger folder other than the shipped one")
    ap.add_argument("--summarize", nargs="+", metavar="LABEL",
                    help="write explain_batch.{json,md} from earlier runs' results with these labels")
    ap.add_argument("--compare-only", action="store_true",
                    help="add --compare to the results of an earlier run with this --label, explaining nothing")
    args = ap.parse_args()
    name = "explain_batch" + ("" if args.label == "latest" else f"_{args.label}")
    if args.summarize:
        summarize(args.summarize)
        return
    if args.compare_only:
        res = json.loads((OUT / f"{name}.json").read_text(encoding="utf-8"))
        res["compare"] = compare(ROOT / res["output"], args.compare)
        write_text_atomic(json.dumps(res, indent=2) + "\n", OUT / f"{name}.json")
        write_text_atomic(to_markdown(res), OUT / f"{name}.md")
        print(to_markdown(res))
        return
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    res = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "machine": f"{platform.machine()} ({platform.system()}), {os.cpu_count()} CPU cores (shared), CPU only",
           "command": "HF_HUB_OFFLINE=1 nice -n 10 .venv/bin/python bench/bench_explain_batch.py "
                      f"--n {args.n} --label {args.label}" + (f" --compare {args.compare}" if args.compare else "")
                      + (f" --tagger {args.tagger}" if args.tagger else ""),
           "model": args.model, "tagger": args.tagger or "shipped span-tagger", "chunk": CHUNK}
    res.update(run(args.n, args.model, args.label, args.tagger))
    import torch

    res["torch_threads"] = torch.get_num_threads()
    if args.compare:
        res["compare"] = compare(ROOT / res["output"], args.compare)
    OUT.mkdir(parents=True, exist_ok=True)
    write_text_atomic(json.dumps(res, indent=2) + "\n", OUT / f"{name}.json")
    write_text_atomic(to_markdown(res), OUT / f"{name}.md")
    print(to_markdown(res))


if __name__ == "__main__":
    main()
