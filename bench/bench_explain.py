"""Explanations: span F1 of every span method, faithfulness, and latency with the default model.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_explain.py [--model default] [--skip-spans]

Span quality (SemEval-2021 Task 5 F1) on the 20% validation split of tsd_train (de-duplicated,
seed 42, the split the tagger was selected on) and on tsd_trial (never used to choose anything):

* word lexicon baseline (ratios from the 80% split, threshold tuned on the 20% split);
* attribution spans of the model (words whose ``toxic`` attribution reaches a threshold tuned
  on the 20% split);
* the shipped span tagger (``models/span-tagger``) at its stored threshold.

Faithfulness: on real toxic fixture comments, deleting the k top-attributed words vs k random
words (drop in the ``toxic`` logit). Latency: ``explain_texts`` on a typical (median-length)
fixture comment, one comment per call, warm. Writes bench/results/explain.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from cleanspeech.data.io import read_jigsaw, write_text_atomic
from cleanspeech.explain import explain_texts
from cleanspeech.explain.attributions import word_attributions
from cleanspeech.explain.core import default_tagger_path
from cleanspeech.explain.lexicon import SpanLexicon
from cleanspeech.explain.occlusion import delete_words, logit
from cleanspeech.explain.span_metric import read_tsd
from cleanspeech.explain.span_tuning import f1_at, tune_threshold
from cleanspeech.explain.tagger import load_tagger
from cleanspeech.explain.tagger_train import load_split
from cleanspeech.explain.words import split_words
from cleanspeech.models import load_model

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results"
TSD = ROOT.parent / "shared" / "data" / "toxic_spans"
FIXTURE = ROOT / "tests" / "fixtures" / "jigsaw_sample.csv"
ATTR_GRID = tuple(np.round(np.arange(0.0, 3.01, 0.05), 3))


def span_quality(model, train_csv: Path, trial_csv: Path) -> dict:
    train, val = load_split(train_csv)
    trial = read_tsd(trial_csv)
    sets = {"val": val, "trial": trial}
    out = {}
    lex = SpanLexicon.fit(train["text"].tolist(), train["offsets"].tolist())
    best = tune_threshold(val["text"].tolist(), lex.word_scores(val["text"].tolist()), val["offsets"].tolist())
    out["lexicon"] = {"tuned": best, **{k: f1_at(d["text"].tolist(), lex.word_scores(d["text"].tolist()),
                                                 d["offsets"].tolist(), best["threshold"], best["join_gaps"])
                                        for k, d in sets.items()}}
    scores = {k: [(w, word_attributions(model, t, w)[:, 0]) for t in d["text"] for w in [split_words(t)]]
              for k, d in sets.items()}
    best = tune_threshold(val["text"].tolist(), scores["val"], val["offsets"].tolist(), ATTR_GRID)
    out["attribution"] = {"tuned": best, **{k: f1_at(d["text"].tolist(), scores[k], d["offsets"].tolist(),
                                                     best["threshold"], best["join_gaps"])
                                            for k, d in sets.items()}}
    tagger = load_tagger(str(default_tagger_path()))
    st = tagger.settings
    out["tagger"] = {"tuned": {"threshold": st.threshold, "join_gaps": st.join_gaps},
                     **{k: f1_at(d["text"].tolist(), tagger.word_probs(d["text"].tolist()), d["offsets"].tolist(),
                                 st.threshold, st.join_gaps) for k, d in sets.items()}}
    out["posts"] = {k: len(d) for k, d in sets.items()}
    return out


def faithfulness(model, texts: list[str], k: int = 3, draws: int = 10, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    top, rand = [], []
    for exp in explain_texts(model, texts, spans="attribution"):
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
            "share_top_beats_random": float((top > rand).mean())}


def latency(model, texts: list[str], repeats: int = 30) -> dict:
    lengths = np.array([len(t) for t in texts])
    typical = texts[int(np.argsort(lengths)[len(lengths) // 2])]
    explain_texts(model, [typical])  # warm (loads the tagger)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        explain_texts(model, [typical])
        times.append(time.perf_counter() - t0)
    return {"chars": len(typical), "words": len(split_words(typical)), "median_ms": 1000 * float(np.median(times)),
            "p90_ms": 1000 * float(np.percentile(times, 90)), "repeats": repeats}


def to_markdown(res: dict) -> str:
    lines = [f"# Explanations benchmark ({res['date']}, model `{res['model']}` [{res['model_type']}])", "",
             f"Machine: {res['machine']}. Command: `{res['command']}`", ""]
    if "spans" in res:
        s = res["spans"]
        lines += ["## Toxic spans (SemEval-2021 Task 5 F1)", "",
                  f"| method | val split of tsd_train ({s['posts']['val']}) | tsd_trial ({s['posts']['trial']}) | setting |",
                  "|---|---|---|---|"]
        for name in ("lexicon", "attribution", "tagger"):
            m = s[name]
            lines.append(f"| {name} | {m['val']:.4f} | {m['trial']:.4f} | threshold {m['tuned']['threshold']}, "
                         f"join gaps {m['tuned']['join_gaps']} |")
        lines.append("")
    f, lat = res["faithfulness"], res["latency"]
    lines += ["## Faithfulness (deletion)", "",
              f"{f['comments']} real toxic fixture comments, k={f['k']}: deleting the top-attributed words drops "
              f"the toxic logit by {f['mean_drop_top']:.3f} on average vs {f['mean_drop_random']:.3f} for random "
              f"words; top beats random on {100 * f['share_top_beats_random']:.0f}% of comments.", "",
              "## Latency", "",
              f"Typical comment ({lat['chars']} chars, {lat['words']} words), attributions + tagger spans: "
              f"median {lat['median_ms']:.1f} ms, p90 {lat['p90_ms']:.1f} ms ({lat['repeats']} runs, warm).", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="default")
    ap.add_argument("--skip-spans", action="store_true")
    args = ap.parse_args()
    model = load_model(args.model)
    df = read_jigsaw(FIXTURE)
    toxic = df[(df["toxic"] == 1) & df["comment_text"].str.len().between(30, 600)]["comment_text"].tolist()
    res = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "model": args.model,
           "model_type": model.model_type,
           "machine": f"{platform.processor() or platform.machine()}, {platform.system()}, 2 shared CPU cores",
           "command": "HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_explain.py" + (
               f" --model {args.model}" if args.model != "default" else "")}
    res["latency"] = latency(model, df["comment_text"].tolist())
    res["faithfulness"] = faithfulness(model, toxic[:100])
    if not args.skip_spans:
        res["spans"] = span_quality(model, TSD / "tsd_train.csv", TSD / "tsd_trial.csv")
    OUT.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.model == "default" else f"_{Path(args.model).name}"
    write_text_atomic(json.dumps(res, indent=2) + "\n", OUT / f"explain{suffix}.json")
    write_text_atomic(to_markdown(res), OUT / f"explain{suffix}.md")
    print(to_markdown(res))


if __name__ == "__main__":
    main()
