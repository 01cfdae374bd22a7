"""Explanations: span F1 of every span method, faithfulness, and latency with the default model.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_explain.py [--model default] [--skip-spans]

Span quality (SemEval-2021 Task 5 F1) on the 20% validation split of tsd_train (de-duplicated,
seed 42, the split the tagger was selected on) and on tsd_trial (never used to choose anything):

* word lexicon baseline (ratios from the 80% split, threshold tuned on the 20% split);
* attribution spans of the model (words whose ``toxic`` attribution reaches a threshold tuned
  on the 20% split);
* the shipped span tagger (``cleanspeech/shipped_models/span-tagger``) at its stored threshold.

Faithfulness: on real toxic fixture comments, deleting the k top-attributed words vs k random
words (drop in the ``toxic`` logit). Latency: ``explain_texts`` on a typical (median-length)
fixture comment, one comment per call, warm. Writes bench/results/explain.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech.data.io import read_jigsaw, write_text_atomic
from cleanspeech.explain import explain_texts
from cleanspeech.explain.attributions import word_attributions
from cleanspeech.explain.core import default_tagger_path
from cleanspeech.explain.lexicon import SpanLexicon
from cleanspeech.explain.occlusion import delete_words, logit
from cleanspeech.explain.span_metric import read_tsd
from cleanspeech.explain.span_tuning import f1_at, tune_threshold
from cleanspeech.explain.tagger_ensemble import load_tagger
from cleanspeech.training.tagger import load_split
from cleanspeech.explain.words import split_words
from cleanspeech.models import load_model

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results"
TSD = ROOT.parent / "shared" / "data" / "toxic_spans"
FIXTURE = ROOT / "tests" / "fixtures" / "jigsaw_sample.csv"
ATTR_GRID = tuple(np.round(np.arange(0.0, 3.01, 0.05), 3))


def span_quality(model, train_csv: Path, trial_csv: Path, attr_limit: int | None = None) -> dict:
    train, val = load_split(train_csv)
    trial = read_tsd(trial_csv)
    sets = {"val": val, "trial": trial}
    out = {}
    lex = SpanLexicon.fit(train["text"].tolist(), train["offsets"].tolist())
    best = tune_threshold(val["text"].tolist(), lex.word_scores(val["text"].tolist()), val["offsets"].tolist())
    out["lexicon"] = {"tuned": best, **{k: f1_at(d["text"].tolist(), lex.word_scores(d["text"].tolist()),
                                                 d["offsets"].tolist(), best["threshold"], best["join_gaps"])
                                        for k, d in sets.items()}}
    sub = {k: d.head(attr_limit) if attr_limit else d for k, d in sets.items()}
    scores = {k: [(w, word_attributions(model, t, w, n_steps=1)[:, 0]) for t in d["text"] for w in [split_words(t)]]
              for k, d in sub.items()}
    best = tune_threshold(sub["val"]["text"].tolist(), scores["val"], sub["val"]["offsets"].tolist(), ATTR_GRID)
    out["attribution"] = {"tuned": best, "posts": {k: len(d) for k, d in sub.items()},
                          **{k: f1_at(d["text"].tolist(), scores[k], d["offsets"].tolist(),
                                      best["threshold"], best["join_gaps"]) for k, d in sub.items()}}
    tagger = load_tagger(str(default_tagger_path()))
    st = tagger.settings
    out["tagger"] = {"tuned": {"threshold": st.threshold, "join_gaps": st.join_gaps},
                     **{k: f1_at(d["text"].tolist(), tagger.word_scores(d["text"].tolist()), d["offsets"].tolist(),
                                 st.threshold, st.join_gaps) for k, d in sets.items()}}
    out["posts"] = {k: len(d) for k, d in sets.items()}
    return out


def gate_study(model, train_csv: Path, trial_csv: Path) -> dict:
    """Span F1 of the tagger when spans are shown only for texts the model flags.

    The tagger learned from posts that are all toxic, so on a clean comment it still marks its
    most salient words; gating on the classifier avoids highlighting clean comments. Compared:
    no gate, "any label at/over its threshold", and ``p(toxic) >= g`` for g tuned on the split;
    also the shipped rule (``civil_no_identity``: in a text no label flags, identity terms are
    never spans), on the TSD sets and on clean dev comments naming a group (``identity_marked``:
    the share of their identity terms marked).
    """
    from bench_span_taggers import clean_comments, identity_marked  # same folder: the tagger bench's

    from cleanspeech.identity import IDENTITY_TERMS

    _, val = load_split(train_csv)
    texts, _ = clean_comments(identity=True)
    sets = {"val": val, "trial": read_tsd(trial_csv), "clean_identity": pd.DataFrame({"text": texts, "offsets": [[]] * len(texts)})}
    tagger = load_tagger(str(default_tagger_path()))
    th, join = tagger.settings.threshold, tagger.settings.join_gaps
    out = {}
    for name, d in sets.items():
        texts, golds = d["text"].tolist(), d["offsets"].tolist()
        probs = tagger.word_scores(texts)  # the rule's scores: the lexicon blended in
        scores = np.asarray(model.predict_proba(texts))
        flagged = (scores >= model.thresholds[None, :]).any(axis=1)
        def f1_gated(keep, probs=probs, texts=texts, golds=golds):  # bound now, called in this loop
            gated = [(w, p if k else np.zeros_like(p)) for (w, p), k in zip(probs, keep)]
            return f1_at(texts, gated, golds, th, join)
        civil_no_id = [(w, np.where([x.text.lower() in IDENTITY_TERMS for x in w], 0.0, p) if not k else p)
                       for (w, p), k in zip(probs, flagged)]
        out[name] = {"no_gate": f1_gated(np.ones(len(texts), bool)), "any_label": f1_gated(flagged),
                     "civil_no_identity": f1_at(texts, civil_no_id, golds, th, join),
                     "share_flagged": float(flagged.mean()),
                     "p_toxic": {str(g): f1_gated(scores[:, 0] >= g) for g in (0.05, 0.1, 0.2, 0.3, 0.5)}}
        if name == "clean_identity":
            out[name]["identity_marked"] = {rule: identity_marked(texts, [p for _, p in ps], th)
                                            for rule, ps in (("no_gate", probs), ("civil_no_identity", civil_no_id))}
    return out


def faithfulness(model, texts: list[str], k: int = 3, draws: int = 10, seed: int = 0, **kw) -> dict:
    rng = np.random.default_rng(seed)
    top, rand = [], []
    t0 = time.perf_counter()
    exps = explain_texts(model, texts, spans="attribution", **kw)
    secs = time.perf_counter() - t0
    for exp in exps:
        words = split_words(exp.text)
        alnum = [i for i, w in enumerate(words) if w.is_alnum]
        if len(alnum) <= k:
            continue
        a = exp.attributions()[:, 0]
        chosen = set(sorted(alnum, key=lambda i: -a[i])[:k])
        variants = [exp.text, delete_words(exp.text, words, chosen)]
        variants += [delete_words(exp.text, words, set(rng.choice(alnum, k, replace=False))) for _ in range(draws)]
        z = logit(model.predict_proba(variants))[:, 0]
        top.append(z[0] - z[1])
        rand.append(float(np.mean(z[0] - z[2:])))
    top, rand = np.array(top), np.array(rand)
    return {"comments": len(top), "k": k, "mean_drop_top": float(top.mean()), "mean_drop_random": float(rand.mean()),
            "share_top_beats_random": float((top > rand).mean()), "ms_per_comment": 1000 * secs / len(texts),
            **{key: str(v) for key, v in kw.items()}}


def transformer_of(model):
    """The model itself if a transformer, else an ensemble's transformer member (or None)."""
    if model.model_type == "transformer":
        return model
    return next((m for m in getattr(model, "members", []) if m.model_type == "transformer"), None)


def ig_sweep(model, texts: list[str]) -> list[dict]:
    """Deletion faithfulness and cost of IG steps (and occlusion) for the transformer."""
    tr = transformer_of(model)
    if tr is None:
        return []
    rows = [{"member": "transformer", **faithfulness(tr, texts, n_steps=s)} for s in (1, 2, 4, 8)]
    rows.append({"member": "transformer", **faithfulness(tr, texts, method="occlusion")})
    if tr is not model:
        rows += [{"member": "ensemble", **faithfulness(model, texts, n_steps=s)} for s in (1, 4)]
    return rows


def latency(model, texts: list[str], repeats: int = 20, **kw) -> dict:
    lengths = np.array([len(t) for t in texts])
    typical = texts[int(np.argsort(lengths)[len(lengths) // 2])]
    explain_texts(model, [typical], **kw)  # warm (loads the tagger)
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        explain_texts(model, [typical], **kw)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    parts = {}
    tagger = load_tagger(str(default_tagger_path()))
    words = split_words(typical)
    for name, fn in (("scores", lambda: model.predict_proba([typical])),
                     ("attributions", lambda: word_attributions(model, typical, words, n_steps=kw.get("n_steps"))),
                     ("tagger_spans", lambda: tagger.predict_spans([typical]))):
        t0 = time.perf_counter()
        for _ in range(5):
            fn()
        parts[name] = 200 * (time.perf_counter() - t0)
    return {"chars": len(typical), "words": len(words), "median_ms": 1000 * float(np.median(times)),
            "p90_ms": 1000 * float(np.percentile(times, 90)), "repeats": repeats,
            "cpu_median_ms": 1000 * float(np.median(cpu)), "parts_ms": {k: round(v, 1) for k, v in parts.items()}, "load_average": os.getloadavg()[0],
            **{key: str(v) for key, v in kw.items()}}


def to_markdown(res: dict) -> str:
    lines = [f"# Explanations benchmark ({res['date']}, model `{res['model']}` [{res['model_type']}])", "",
             f"Machine: {res['machine']}. Command: `{res['command']}`", ""]
    if "spans" in res:
        s = res["spans"]
        lines += ["## Toxic spans (SemEval-2021 Task 5 F1)", "",
                  f"(from the run of {res.get('spans_from', res['date'])})", "",
                  f"| method | val split of tsd_train ({s['posts']['val']}) | tsd_trial ({s['posts']['trial']}) | setting |",
                  "|---|---|---|---|"]
        for name in ("lexicon", "attribution", "tagger"):
            m = s[name]
            if "posts" in m and m["posts"] != s["posts"]:
                name += f" (first {m['posts']['val']} / {m['posts']['trial']} posts, IG n_steps=1)"
            lines.append(f"| {name} | {m['val']:.4f} | {m['trial']:.4f} | threshold {m['tuned']['threshold']}, "
                         f"join gaps {m['tuned']['join_gaps']} |")
        lines.append("")
    f, lat = res["faithfulness"], res["latency"]
    lines += ["## Faithfulness (deletion)", "",
              f"{f['comments']} real toxic fixture comments, k={f['k']}: deleting the top-attributed words drops "
              f"the toxic logit by {f['mean_drop_top']:.3f} on average vs {f['mean_drop_random']:.3f} for random "
              f"words; top beats random on {100 * f['share_top_beats_random']:.0f}% of comments.", "",
              ]
    if res.get("ig_sweep"):
        lines += [f"(from the run of {res.get('ig_sweep_from', res['date'])}) "
                  "Transformer attribution methods (IG steps; `n_steps=1` is gradient x input), deletion on "
                  f"{res['ig_sweep'][0]['comments']} comments:", "",
                  "| scored model | method | drop top-3 | drop random-3 | top beats random | ms / comment |",
                  "|---|---|---|---|---|---|"]
        for r in res["ig_sweep"]:
            how = "occlusion" if r.get("method") == "occlusion" else f"IG n_steps={r.get('n_steps')}"
            lines.append(f"| {r['member']} | {how} | {r['mean_drop_top']:.3f} | {r['mean_drop_random']:.3f} | "
                         f"{100 * r['share_top_beats_random']:.0f}% | {r['ms_per_comment']:.0f} |")
        lines.append("")
    lines += ["## Latency", ""]
    for key in ("latency", "latency_ig1", "latency_routed"):
        if key in res:
            lat = res[key]
            which = ("a typical comment of those the cascade routes to the transformer"
                     if key == "latency_routed" else "a typical comment")
            lines.append(f"- `explain_texts` ({lat.get('n_steps', 'default steps')}) on {which} "
                         f"({lat['chars']} chars, {lat['words']} words), attributions + tagger spans: median "
                         f"{lat['median_ms']:.1f} ms, p90 {lat['p90_ms']:.1f} ms ({lat['repeats']} runs, warm); parts "
                         f"{lat['parts_ms']}; 1-min load average {lat['load_average']:.1f} on 2 cores "
                         f"(shared with other jobs); CPU time of this process per explanation (torch on one "
                         f"thread): median {lat.get('cpu_median_ms', float('nan')):.1f} ms.")
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="default")
    ap.add_argument("--skip-spans", action="store_true")
    ap.add_argument("--faith-comments", type=int, default=100)
    ap.add_argument("--gate-only", action="store_true", help="only the span-gating study")
    ap.add_argument("--skip-sweep", action="store_true", help="keep the IG sweep of the last run")
    ap.add_argument("--latency-only", action="store_true", help="keep faithfulness of the last run too")
    ap.add_argument("--attr-limit", type=int, default=None, help="posts per set for attribution spans")
    ap.add_argument("--sweep-comments", type=int, default=20)
    args = ap.parse_args()
    model = load_model(args.model)
    df = read_jigsaw(FIXTURE)
    toxic = df[(df["toxic"] == 1) & df["comment_text"].str.len().between(30, 600)]["comment_text"].tolist()
    res = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "model": args.model,
           "model_type": model.model_type,
           "machine": f"{platform.processor() or platform.machine()}, {platform.system()}, 2 shared CPU cores",
           "command": "HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_explain.py --attr-limit 300" + (
               f" --model {args.model}" if args.model != "default" else "") + (
               " (then --skip-spans --skip-sweep for latency and faithfulness at the final defaults)"
               if args.skip_spans or args.skip_sweep else "")}
    if args.gate_only:
        gate = gate_study(model, TSD / "tsd_train.csv", TSD / "tsd_trial.csv")
        write_text_atomic(json.dumps({**res, "gate": gate}, indent=2) + "\n", OUT / "explain_gate.json")
        print(json.dumps(gate, indent=1))
        return
    res["latency"] = latency(model, df["comment_text"].tolist())
    if transformer_of(model) is not None:
        res["latency_ig1"] = latency(model, df["comment_text"].tolist(), n_steps=1)
    if hasattr(model, "route"):  # a cascade: the comments it sends to the transformer cost most
        texts = df["comment_text"].tolist()
        routed = model.route(model.fast.predict_proba(texts), model.forced(texts))
        res["latency_routed"] = latency(model, [t for t, r in zip(texts, routed) if r])
    last = OUT / ("explain.json" if args.model == "default" else f"explain_{Path(args.model).name}.json")
    last = json.loads(last.read_text(encoding="utf-8")) if last.exists() else {}
    if args.latency_only and "faithfulness" in last:
        res["faithfulness"] = last["faithfulness"]
    else:
        res["faithfulness"] = faithfulness(model, toxic[:args.faith_comments])
    suffix = "" if args.model == "default" else f"_{Path(args.model).name}"
    previous = OUT / f"explain{suffix}.json"
    previous = json.loads(previous.read_text(encoding="utf-8")) if previous.exists() else {}
    if args.skip_sweep and "ig_sweep" in previous:
        res["ig_sweep"], res["ig_sweep_from"] = previous["ig_sweep"], previous.get("ig_sweep_from", previous["date"])
    else:
        res["ig_sweep"] = ig_sweep(model, toxic[:args.sweep_comments])
    if not args.skip_spans:
        res["spans"] = span_quality(model, TSD / "tsd_train.csv", TSD / "tsd_trial.csv", args.attr_limit)
    elif "spans" in previous:
        res["spans"], res["spans_from"] = previous["spans"], previous.get("spans_from", previous["date"])
    OUT.mkdir(parents=True, exist_ok=True)
    write_text_atomic(json.dumps(res, indent=2) + "\n", OUT / f"explain{suffix}.json")
    write_text_atomic(to_markdown(res), OUT / f"explain{suffix}.md")
    print(to_markdown(res))


if __name__ == "__main__":
    main()
