"""The span tagger's decision rule with the word lexicon blended in, chosen by 2-fold cross-fitting.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_span_rule.py [--install]

The issue asked for tagger and lexicon combined by a rule chosen with cross-validated choices.
The word lexicon (:class:`SpanLexicon`: how often annotators marked each word) is fitted on the
80% split of tsd_train that the tagger's members trained on, so the two sets none of them saw,
val20 (1,588 posts) and tsd_trial (690), can both judge the rule. Grid: lexicon weight x word
threshold (``SpanRule``: score = (1 - w) * p + w * ratio). Cross-fitting: the rule chosen on
val20 is scored on trial and the one chosen on trial on val20, so the reported pair of figures
never judges a rule on the posts that chose it; the rule that ships is the one with the best F1
on both sets pooled. Also reported: the share of clean Jigsaw dev comments left without a span and
of identity terms marked in clean comments that name a group (``bench_span_taggers``).

``--install`` writes ``lexicon.json`` and the pooled choice into the tagger folder's ``tagger.json``.
Writes ``bench/results/span_rule.{json,md}``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_span_taggers as bst  # noqa: E402

from cleanspeech.data.io import write_text_atomic  # noqa: E402
from cleanspeech.explain.core import default_tagger_path  # noqa: E402
from cleanspeech.explain.lexicon import SpanLexicon  # noqa: E402
from cleanspeech.explain.span_rule import SpanRule, lexicon_ratios, rule_f1  # noqa: E402
from cleanspeech.explain.tagger import write_lexicon  # noqa: E402
from cleanspeech.explain.tagger_train import load_split  # noqa: E402
from cleanspeech.explain.words import split_words  # noqa: E402

LEXICON_WEIGHTS = (0.0, 0.1, 0.2, 0.3)
THRESHOLDS = tuple(float(t) for t in np.round(np.arange(0.25, 0.551, 0.025), 3))
SCORED = ("val20", "trial", "clean", "clean_identity")


def fit_lexicon() -> SpanLexicon:
    train, _ = load_split(bst.TSD / "tsd_train.csv")
    return SpanLexicon.fit(train["text"].tolist(), train["offsets"].tolist())


def grid(folder: str, cache: Path, lexicon: SpanLexicon) -> tuple[dict, dict]:
    """F1 of every (lexicon weight, threshold) on every set, and the identity-marked shares."""
    data = bst.sets()
    f1s: dict = {s: {} for s in SCORED}
    marked: dict = {}
    for s in SCORED:
        texts, golds = data[s]
        probs = bst.word_probs(folder, "span_rule_tagger", s, texts, cache)
        words = [split_words(t) for t in texts]
        ratios = [lexicon_ratios(lexicon, w) for w in words]
        for lw, t in itertools.product(LEXICON_WEIGHTS, THRESHOLDS):
            rule = SpanRule(word_threshold=t, lexicon_weight=lw)
            f1s[s][(lw, t)] = rule_f1(rule, texts, probs, golds, ratios, words)
            if s == "clean_identity":
                scores = [rule.scores(p, r) for p, r in zip(probs, ratios)]
                marked[(lw, t)] = bst.identity_marked(texts, scores, t)
    return f1s, {"n": {s: len(data[s][0]) for s in SCORED}, "identity_marked": marked}


def choose(f1s: dict, n: dict) -> dict:
    keys = list(f1s["val20"])
    pooled = {k: (n["val20"] * f1s["val20"][k] + n["trial"] * f1s["trial"][k]) / (n["val20"] + n["trial"])
              for k in keys}
    on_val = max(keys, key=lambda k: f1s["val20"][k])
    on_trial = max(keys, key=lambda k: f1s["trial"][k])
    return {"pooled": pooled, "on_val20": on_val, "on_trial": on_trial, "ship": max(keys, key=pooled.get)}


def row(name: str, key: tuple, f1s: dict, extra: dict, pooled: dict) -> dict:
    return {"rule": name, "lexicon_weight": key[0], "threshold": key[1],
            **{s: round(f1s[s][key], 4) for s in ("val20", "trial")}, "pooled": round(pooled[key], 4),
            "clean_left_empty": round(f1s["clean"][key], 3),
            "identity_marked": round(extra["identity_marked"][key], 3)}


def to_markdown(res: dict) -> str:
    lines = [f"# Span rule: tagger + word lexicon, cross-fitted ({res['date']})", "",
             f"Tagger: `{res['tagger']}`; lexicon fitted on the 80% split of tsd_train its members trained on "
             f"({res['lexicon_words']} words). Mean SemEval-2021 span F1 on val20 ({res['n']['val20']} posts) and "
             f"tsd_trial ({res['n']['trial']}); clean left empty: {res['n']['clean']} clean Jigsaw dev comments; "
             f"identity marked: identity terms in {res['n']['clean_identity']} clean dev comments naming a group. "
             f"Machine: {res['machine']}.", "",
             "| rule | lexicon weight | threshold | val20 | trial | pooled | clean left empty | identity marked |",
             "|---|---|---|---|---|---|---|---|"]
    for r in res["rows"]:
        lines.append(f"| {r['rule']} | {r['lexicon_weight']} | {r['threshold']} | {r['val20']:.4f} | {r['trial']:.4f} "
                     f"| {r['pooled']:.4f} | {r['clean_left_empty']:.3f} | {r['identity_marked']:.3f} |")
    cf = res["cross_fitted"]
    lines += ["", f"Cross-fitted span F1 (each set scored by the rule the other chose): val20 {cf['val20']:.4f}, "
              f"trial {cf['trial']:.4f}, mean {cf['mean']:.4f}; the current rule scores {cf['current_mean']:.4f} "
              "on the same two sets.", "", f"Reproduce: `{res['command']}`", ""]
    return "\n".join(lines)


def install(folder: Path, lexicon: SpanLexicon, ship: dict, cross: dict) -> None:
    config = json.loads((folder / "tagger.json").read_text(encoding="utf-8"))
    config.update(threshold=ship["threshold"], lexicon_weight=ship["lexicon_weight"])
    config["metrics"].update(
        val={"f1": ship["val20"], "threshold": ship["threshold"], "join_gaps": True,
             "set": "20% split of tsd_train (seed 42); with tsd_trial, chose the rule (pooled)"},
        trial={"f1": ship["trial"], "set": "tsd_trial; with val20, chose the rule (pooled)"},
        cross_fitted={"f1": cross["mean"], "set": "val20 and tsd_trial, each scored by the rule the other chose"},
        clean_left_empty={"share": ship["clean_left_empty"], "set": config["metrics"]["clean_left_empty"]["set"]},
        identity_marked={"share": ship["identity_marked"], "set": config["metrics"]["identity_marked"]["set"]},
        source="bench/results/span_rule.json")
    config["training"]["rule"] = ("equal-weight mean of the members' word probabilities blended with the word lexicon "
                                  "(lexicon.json, fitted on the members' 80% split); weight and threshold chosen on "
                                  "val20 + tsd_trial pooled (bench/bench_span_rule.py)")
    write_lexicon(lexicon, folder)
    write_text_atomic(json.dumps(config, indent=2) + "\n", folder / "tagger.json")


def shown(folder: str) -> str:
    path = Path(folder).resolve()
    return str(path.relative_to(bst.ROOT)) if path.is_relative_to(bst.ROOT) else folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tagger", default=str(default_tagger_path()), help="span-tagger folder")
    ap.add_argument("--cache", default="runs/span_rule_probs")
    ap.add_argument("--install", action="store_true", help="write the pooled choice into the tagger folder")
    args = ap.parse_args()
    current = json.loads((Path(args.tagger) / "tagger.json").read_text(encoding="utf-8"))
    lexicon = fit_lexicon()
    f1s, extra = grid(args.tagger, Path(args.cache), lexicon)
    ch = choose(f1s, extra["n"])
    now = (current.get("lexicon_weight", 0.0), current["threshold"])
    rows = [row(name, key, f1s, extra, ch["pooled"]) for name, key in
            (("current", now), ("chosen on val20", ch["on_val20"]), ("chosen on trial", ch["on_trial"]),
             ("chosen on both (ships)", ch["ship"]))]
    cross = {"val20": f1s["val20"][ch["on_trial"]], "trial": f1s["trial"][ch["on_val20"]]}
    cross["mean"] = (cross["val20"] + cross["trial"]) / 2
    cross["current_mean"] = (f1s["val20"][now] + f1s["trial"][now]) / 2
    res = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "machine": f"{platform.machine()} ({platform.system()}), CPU", "tagger": shown(args.tagger),
           "lexicon_words": len(lexicon.ratio), "n": extra["n"], "rows": rows, "cross_fitted": cross,
           "command": "HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_span_rule.py"}
    bst.OUT.mkdir(parents=True, exist_ok=True)
    write_text_atomic(json.dumps(res, indent=2) + "\n", bst.OUT / "span_rule.json")
    write_text_atomic(to_markdown(res), bst.OUT / "span_rule.md")
    print(to_markdown(res))
    if args.install:
        install(Path(args.tagger), lexicon, rows[-1], cross)
        print(f"installed in {args.tagger}")


if __name__ == "__main__":
    main()
