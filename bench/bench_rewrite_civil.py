"""What rewriting costs civil text: the share of civil comments the rewriter changes.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_rewrite_civil.py --n 300
    ... --options '{"lexicon_drop": 0}' --out /tmp/civil_drop0   # a rewrite_texts variant

Two civil sets, both dev parts no choice of the rewriter was scored on before:
- ParaDetox references: the first human civil paraphrase of each ParaDetox dev pair (the dev
  split of ``bench_rewrite.py --dev``: 10%, seed 43, of the training 90%). The held-out 10%
  is never read.
- Jigsaw: comments of the project split's dev part with no label set.

A civil comment should come back as it is; every changed one is a cost that a variant which
rewrites more (lexicon triggers: ``lexicon_drop``; borderline inputs) must be weighed against.
The shipped rewriter runs as a user gets it (the shipped lexicon, edit tagger, generator and meaning encoder).
Writes ``--out``.json and .md (default bench/results/rewrite_civil).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_rewrite import DEV_SEED, code_version, count_methods  # noqa: E402

from cleanspeech.data import project_split, read_jigsaw  # noqa: E402
from cleanspeech.data.io import write_text_atomic  # noqa: E402
from cleanspeech.labels import LABELS  # noqa: E402
from cleanspeech.models import load_model  # noqa: E402
from cleanspeech.rewrite import rewrite_texts  # noqa: E402
from cleanspeech.rewrite.paradetox import DEFAULT_PARADETOX, read_pairs, split_pairs  # noqa: E402

OUT = Path(__file__).resolve().parent / "results"
JIGSAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "jigsaw" / "train.csv.gz"


def civil_sets(n: int, pairs_path: str = str(DEFAULT_PARADETOX), jigsaw: Path = JIGSAW) -> dict[str, list[str]]:
    """``{name: texts}``: ``n`` first references of ParaDetox dev pairs and ``n`` label-free
    Jigsaw dev comments (a seeded sample, short ones as ParaDetox's: at most 300 characters)."""
    train, _ = split_pairs(read_pairs(pairs_path))
    _, dev = split_pairs(train, seed=DEV_SEED)
    refs = [p.references[0] for p in dev if p.references][:n]
    df = project_split(read_jigsaw(jigsaw, require_labels=True)).dev
    clean = df[(df[list(LABELS)].sum(axis=1) == 0) & (df["comment_text"].str.len() <= 300)]
    jig = clean.sample(n=min(n, len(clean)), random_state=0)["comment_text"].tolist()
    return {"ParaDetox dev references": refs, "Jigsaw dev, no label": jig}


def run(model_name: str, n: int, options: dict | None) -> dict:
    model = load_model(model_name)
    out: dict = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                 "command": "bench/bench_rewrite_civil.py " + " ".join(sys.argv[1:]), "code": code_version(),
                 "model": model_name, "options": options or {}, "sets": {}}
    for name, texts in civil_sets(n).items():
        res = rewrite_texts(model, texts, **(options or {}))
        changed = [i for i, r in enumerate(res) if r.rewrite != r.original]
        out["sets"][name] = {
            "n": len(texts), "changed": len(changed), "share_changed": round(len(changed) / max(len(texts), 1), 4),
            "toxicity_median": round(float(np.median([r.toxicity_before for r in res])), 4),
            "methods": count_methods([res[i] for i in changed]),
            "examples": [{"input": res[i].original, "rewrite": res[i].rewrite, "method": res[i].method,
                          "toxicity_before": round(res[i].toxicity_before, 3)} for i in changed[:15]],
        }
    return out


def to_markdown(res: dict) -> str:
    lines = [f"# What rewriting costs civil text ({res['date']})", "",
             f"Command: `HF_HUB_OFFLINE=1 .venv/bin/python {res['command']}` (code: {res['code']}); "
             f"classifier `{res['model']}`; options {json.dumps(res['options'])}.", "",
             "| civil set | n | changed | share changed | changed by |", "|---|---|---|---|---|"]
    for name, s in res["sets"].items():
        by = ", ".join(f"{k} {v}" for k, v in s["methods"].items()) or "–"
        lines.append(f"| {name} | {s['n']} | {s['changed']} | {s['share_changed']:.3f} | {by} |")
    for name, s in res["sets"].items():
        if s["examples"]:
            lines += ["", f"## Changed: {name} (first {len(s['examples'])})", "", "| input | rewrite | toxicity |",
                      "|---|---|---|"]
            lines += [f"| {e['input']} | {e['rewrite']} | {e['toxicity_before']} |".replace("\n", " ")
                      for e in s["examples"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="default")
    ap.add_argument("--n", type=int, default=300, help="texts per civil set")
    ap.add_argument("--options", default=None, help='rewrite_texts settings as JSON, e.g. \'{"lexicon_drop": 0}\'')
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--out", default=str(OUT / "rewrite_civil"), help="results path without extension")
    args = ap.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    res = run(args.model, args.n, json.loads(args.options) if args.options else None)
    write_text_atomic(json.dumps(res, indent=2) + "\n", f"{args.out}.json")
    write_text_atomic(to_markdown(res), f"{args.out}.md")
    print(to_markdown(res))


if __name__ == "__main__":
    main()
