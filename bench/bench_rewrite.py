"""Quality and speed of the civil rewriter on the ParaDetox held-out split (10%, seed 42; the
shipped lexicon is mined from the other 90% only).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_rewrite.py [--model default] [--limit N]
    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_rewrite.py --dev   # for tuning choices
    ... --dev --rewriter '{"max_partial": 0}' --out /tmp/variant     # an OfflineRewriter variant

``--dev`` never touches the held-out 10%: it splits the training 90% again (10%, seed 43), mines
a lexicon from the rest and scores the dev pairs with it (results in ``rewrite_dev.*``). Design
choices are made there; the held-out numbers are reported once they are fixed.

Reports STA / SIM / ChrF / J (definitions in cleanspeech.rewrite.metrics) for the offline
rewriter, the Duplicate and Delete baselines, and the first human paraphrase (its ChrF is against
all references, itself included, so only its STA is comparable). Writes
bench/results/rewrite.json and bench/results/rewrite.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path


from cleanspeech.data.io import write_text_atomic
from cleanspeech.models import load_model
from cleanspeech.rewrite import rewrite_texts
from cleanspeech.rewrite.edit_tagger import EditTagger, load_edit_tagger
from cleanspeech.rewrite.judge import load_judge
from cleanspeech.rewrite.lexicon import EditLexicon, mine_lexicon
from cleanspeech.rewrite.meaning import load_meaning
from cleanspeech.rewrite.offline import Level, OfflineRewriter
from cleanspeech.rewrite.metrics import delete_baseline, evaluate
from cleanspeech.rewrite.paradetox import DEFAULT_PARADETOX, read_pairs, split_pairs

OUT = Path(__file__).resolve().parent / "results"


DEV_SEED = 43


def eval_split(pairs_path: str, dev: bool) -> tuple[list, EditLexicon, str]:
    """The pairs to score, the lexicon to use, and a description of the split."""
    train, held = split_pairs(read_pairs(pairs_path))
    if not dev:
        return held, EditLexicon.load(), f"ParaDetox held-out 10% (seed 42): {len(held)} pairs"
    fit, dev_pairs = split_pairs(train, seed=DEV_SEED)
    desc = (f"ParaDetox dev: 10% (seed {DEV_SEED}) of the training 90%: {len(dev_pairs)} pairs; "
            f"lexicon mined from the other {len(fit)}")
    return dev_pairs, mine_lexicon(fit, min_count=3), desc


def rewriter_settings(spec: str | None) -> dict:
    """OfflineRewriter keyword arguments from JSON; ``levels`` as ``[[name, rate, replace], ...]``."""
    kw = json.loads(spec) if spec else {}
    if "levels" in kw:
        kw["levels"] = tuple(Level(*lv) for lv in kw["levels"])
    return kw


def run(model_name: str, pairs_path: str, limit: int | None, backend: str, dev: bool = False,
        rewriter: dict | None = None, edit_tagger: str = "auto", meaning: str | None = "auto") -> dict:
    model = load_model(model_name)
    held, lexicon, split_desc = eval_split(pairs_path, dev)
    held = held[:limit] if limit else held
    sources = [p.toxic for p in held]
    refs = [p.references for p in held]
    # models load before the clock: the speed is that of rewriting
    tagger = (load_edit_tagger() if edit_tagger == "auto" else
              None if edit_tagger is None else EditTagger.load(edit_tagger))
    encoder = load_meaning() if meaning == "auto" else None
    t0 = time.perf_counter()
    results = rewrite_texts(model, sources, backend=backend, offline=OfflineRewriter(lexicon, **(rewriter or {})),
                            edit_tagger=tagger, meaning=encoder)
    secs = time.perf_counter() - t0
    systems = {
        f"CleanSpeech ({backend})": [r.rewrite for r in results],
        "Duplicate": list(sources),
        "Delete": delete_baseline(sources, lexicon),
        "Human (neutral1)": [r[0] for r in refs],
    }
    judge = load_judge()
    scores = {name: evaluate(model, sources, outs, refs, judge=judge)[0].to_dict() for name, outs in systems.items()}
    methods: dict[str, int] = {}
    for r in results:
        key = r.method.split(" (")[0]
        methods[key] = methods.get(key, 0) + 1
    ours = scores[f"CleanSpeech ({backend})"]
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()} {platform.processor() or ''} ({platform.system()}), CPU, shared cores",
        "python": sys.version.split()[0],
        "model": model_name,
        "model_path": str(getattr(model, "path", "")),
        "split": split_desc,
        "judge": judge.meta if judge is not None else None,
        "edit_tagger": tagger_name(edit_tagger),
        "meaning": "none" if encoder is None else "all-MiniLM-L6-v2",
        "rewriter_settings": {k: [vars(lv) for lv in v] if k == "levels" else v
                              for k, v in (rewriter or {}).items()},
        "scores": scores,
        "J_gain_over_Delete": round(ours["J"] - scores["Delete"]["J"], 4),
        "methods": dict(sorted(methods.items(), key=lambda kv: -kv[1])),
        "rewrite_seconds": round(secs, 2),
        "rewrites_per_second": round(len(sources) / secs, 1),
        "examples": [r.to_dict() for r in results[:12]],
    }


def tagger_name(edit_tagger: str | None) -> str:
    """What the run used: a folder, or 'none' (``auto`` resolved to the shipped folder or none)."""
    if edit_tagger == "auto":  # the loader rewrite_texts used (cached): None where none ships
        return "shipped_models/edit-tagger" if load_edit_tagger() is not None else "none"
    return str(edit_tagger) if edit_tagger else "none"


def to_markdown(res: dict) -> str:
    part = "dev" if res["split"].startswith("ParaDetox dev") else "held-out"
    lines = [f"# Civil rewriting on ParaDetox {part} ({res['date']})", "",
             f"{res['split']}; classifier `{res['model']}`; edit tagger: {res.get('edit_tagger', 'none')}; "
             f"meaning in the choice: {res.get('meaning', 'none')}; "
             f"{res['machine']}.", "",
             "| system | STA | SIM | ChrF | J | STA (judge) | J (judge) |", "|---|---|---|---|---|---|---|"]
    for name, s in res["scores"].items():
        jd = f"{s['STA_judge']:.3f} | {s['J_judge']:.3f}" if "STA_judge" in s else "– | –"
        lines.append(f"| {name} | {s['STA']:.3f} | {s['SIM']:.3f} | {s['ChrF']:.3f} | {s['J']:.3f} | {jd} |")
    lines += ["", f"J gain over Delete: {res['J_gain_over_Delete']:+.4f}. "
              f"Rewrite speed: {res['rewrites_per_second']} sentences/s ({res['rewrite_seconds']} s).",
              "", "Winning candidate methods: " + ", ".join(f"{k} {v}" for k, v in res["methods"].items()),
              "", "Human (neutral1) ChrF/J are inflated (it is one of its own references); compare its STA only.",
              "STA is the project's classifier (the one the rewriter verifies with); STA (judge) is the",
              "independent judge of cleanspeech.rewrite.judge (MiniLM embeddings + logistic regression",
              "fitted on the Jigsaw project_split dev rows only, never consulted by the rewriter).", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="default")
    ap.add_argument("--pairs", default=str(DEFAULT_PARADETOX))
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--backend", default="offline")
    ap.add_argument("--dev", action="store_true", help="score the dev split of the training pairs")
    ap.add_argument("--edit-tagger", default="auto",
                    help="edit-tagger folder, 'auto' (the shipped one, if any) or 'none'")
    ap.add_argument("--meaning", default="auto", choices=("auto", "none"),
                    help="choose among civil candidates with sentence-embedding similarity too (auto) or not")
    ap.add_argument("--rewriter", help='OfflineRewriter settings as JSON, e.g. \'{"must_rate": 2}\'')
    ap.add_argument("--out", default=None, help="results path without extension")
    args = ap.parse_args()
    args.out = args.out or str(OUT / ("rewrite_dev" if args.dev else "rewrite"))
    res = run(args.model, args.pairs, args.limit, args.backend, args.dev, rewriter_settings(args.rewriter),
              None if args.edit_tagger == "none" else args.edit_tagger,
              None if args.meaning == "none" else "auto")
    write_text_atomic(json.dumps(res, indent=2) + "\n", f"{args.out}.json")
    write_text_atomic(to_markdown(res), f"{args.out}.md")
    print(to_markdown(res))


if __name__ == "__main__":
    main()
