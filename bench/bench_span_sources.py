"""Toxic-span F1 per source on held-out posts, and the span decision rule chosen by cross-validation.

    HF_HUB_OFFLINE=1 OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/bench_span_sources.py \\
        --tagger runs/explain33/span-tagger --cache runs/explain33/cache_new.json \\
        [--baseline runs/explain33/old-span-tagger --baseline-cache runs/explain33/cache_old.json] \\
        [--install src/cleanspeech/shipped_models/span-tagger]

Held-out posts (:func:`cleanspeech.training.span_sources.span_sources`; no tagger trained on any):
``val20`` (20% of SemEval tsd_train), ``trial`` (tsd_trial), ``acl_new`` (20% of the ACL-2022
posts that are in neither TSD file: Civil Comments, the site of the SemEval test) and
``hatexplain`` (600 posts of HateXplain's official test split: Twitter and Gab).

Every post is explained as ``cleanspeech explain`` does with the ``default`` model: the tagger's
word probabilities, the classifier's scores and its word attributions (occlusion budgeted by
the tagger's ranking, :mod:`cleanspeech.explain.attributions`), computed once and cached.
The decision rule (word threshold, lexicon and attribution weights) and the post-level
"no span" rule (:class:`~cleanspeech.explain.span_rule.EmptyRule`, a logistic model over
:func:`~cleanspeech.explain.span_rule.post_features` and its threshold) are then chosen on some
posts and scored on others:

* ``loso``: leave one source out: chosen on the other three, scored on it;
* ``cv5``: five folds over all posts (stratified on source): chosen on four, scored on the fifth;
* ``final``: chosen on all four sources (what ``--install`` writes), scored in-sample (optimistic).

The baseline (``--baseline``: the previously shipped tagger folder with its own rules, no post
rule) is scored on the same posts (``--baseline-sets``), with the same scores and attributions.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech.data.io import write_text_atomic
from cleanspeech.explain.span_metric import post_f1
from cleanspeech.explain.span_rule import (
    EMPTY_FEATURES, EmptyRule, SpanRule, attribution_scores, fit_empty_model, lexicon_ratios, post_features,
)
from cleanspeech.explain.words import spans_to_offsets, split_words

DATA = "/work/shared/data"
SETS = ("val20", "trial", "acl_new", "hatexplain")
HATEXPLAIN_POSTS = 600
WORD_GRID = tuple(np.round(np.arange(0.25, 0.601, 0.025), 3))
LEXICON_WEIGHTS = (0.0, 0.1, 0.2)
ATTRIBUTION_WEIGHTS = (0.0, 0.1, 0.2, 0.3)
EMPTY_GRID = (None, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)


NOTES = [
    "Notes:", "",
    "- `acl_new` is the set no choice of the previous tagger ever saw, from the site of the SemEval "
    "test; the baseline's `trial` figure is in-sample (its rules were chosen on val20 + trial).",
    "- The ACL-2022 gold is our aggregation of the annotators (`span_sources.min_votes`); 21% of "
    "those posts have no gold span, against 6% of TSD posts, and both taggers score far lower on "
    "them (0.54).",
    "- The post-level \"no span\" rule (`EmptyRule`) is fitted and its threshold chosen on every "
    "training split (or none, when no threshold helps there); the final choice takes none "
    "(`post_rule` null), and where a split took one, the held-out F1 fell (compare the columns "
    "without it). Gold-empty posts are not separable from the others by these features (the "
    "tagger's top probability averages 0.72 on gold-empty ACL posts, 0.83 on the others). With "
    "HateXplain in the pool a rule is chosen, and lowers every Civil Comments source out of fold.",
    "- Baseline probabilities: the previous ensemble (0.4 x MiniLM member + 0.6 x mpnet member) "
    "on the same posts; scores and attributions are shared (attributions occlude the 6 words "
    "the new tagger ranks highest).",
    "",
]


def held_out_posts() -> pd.DataFrame:
    from cleanspeech.training.span_sources import span_sources

    src = span_sources(DATA)
    parts = [src["tsd"][1].assign(set="val20"), src["tsd_trial"][1].assign(set="trial"),
             src["acl_new"][1].assign(set="acl_new"),
             src["hatexplain"][1].sample(n=HATEXPLAIN_POSTS, random_state=42).assign(set="hatexplain")]
    return pd.concat(parts, ignore_index=True)


def explain_inputs(tagger_dir: str, posts: pd.DataFrame, cache: Path, log=print) -> dict:
    """Per post: word probabilities, scores, relative attributions and lexicon ratios (cached)."""
    if cache.exists():
        return json.loads(cache.read_text())
    from cleanspeech.explain.attributions import word_attributions_many
    from cleanspeech.explain.tagger_ensemble import load_tagger
    from cleanspeech.labels import labels_over
    from cleanspeech.pipeline import Moderator

    mod = Moderator.load("default")
    tagger = load_tagger(tagger_dir)
    texts = posts["text"].tolist()
    out = {"probs": [], "scores": [], "attr": [], "ratios": [], "labelled": [], "secs": {}}
    t0 = time.time()
    for b in range(0, len(texts), 64):
        chunk = texts[b:b + 64]
        t = time.time()
        scores = np.asarray(mod.scores(chunk), dtype=float)
        t_scores = time.time() - t
        t = time.time()
        tagged = tagger.word_probs(chunk)
        t_tagger = time.time() - t
        t = time.time()
        attrs = word_attributions_many(mod.model, chunk, [w for w, _ in tagged], scores=scores,
                                       priority=[p for _, p in tagged])
        t_attr = time.time() - t
        for k, v in (("scores", t_scores), ("tagger", t_tagger), ("attributions", t_attr)):
            out["secs"][k] = out["secs"].get(k, 0.0) + v
        labelled = [bool(x) for x in labels_over(scores, mod.model.thresholds)]
        for (words, p), s, a, lab in zip(tagged, scores, attrs, labelled):
            out["probs"].append([round(float(x), 5) for x in p])
            out["scores"].append([float(x) for x in s])
            out["attr"].append([round(float(x), 5) for x in attribution_scores(a)])
            r = lexicon_ratios(tagger.lexicon, words)
            out["ratios"].append(None if r is None else [float(x) for x in r])
            out["labelled"].append(lab)
        log(f"  {b + len(chunk)}/{len(texts)} posts ({time.time() - t0:.0f}s)")
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(out))
    return out


def rule_grid() -> list[SpanRule]:
    return [SpanRule(float(w), 0.0, float(lw), True, float(aw))
            for lw, aw, w in itertools.product(LEXICON_WEIGHTS, ATTRIBUTION_WEIGHTS, WORD_GRID)]


def per_post_f1(posts: pd.DataFrame, inputs: dict, rules: list[SpanRule]) -> np.ndarray:
    """``(n_rules, n_posts)`` span F1 of each rule on each post (attributions only where the
    classifier raised a label, as ``explain`` does)."""
    out = np.zeros((len(rules), len(posts)))
    for j, (text, gold) in enumerate(zip(posts["text"], posts["offsets"])):
        words = split_words(text)
        probs = np.asarray(inputs["probs"][j])
        ratios = None if inputs["ratios"][j] is None else np.asarray(inputs["ratios"][j])
        attr = np.asarray(inputs["attr"][j]) if inputs["labelled"][j] else None
        for r, rule in enumerate(rules):
            if rule.lexicon_weight and ratios is None:
                out[r, j] = -1
                continue
            a = attr if rule.attribution_weight else None
            out[r, j] = post_f1(spans_to_offsets(rule.spans(text, words, probs, ratios, a)), gold)
    return out


def features(posts: pd.DataFrame, inputs: dict) -> np.ndarray:
    rows = []
    for j, text in enumerate(posts["text"]):
        ratios = None if inputs["ratios"][j] is None else np.asarray(inputs["ratios"][j])
        rows.append(post_features(split_words(text), np.asarray(inputs["probs"][j]),
                                  np.asarray(inputs["scores"][j]), ratios))
    return np.asarray(rows)


def choose(f1: np.ndarray, feats: np.ndarray, empty_gold: np.ndarray, idx: np.ndarray, weights: np.ndarray
           ) -> tuple[int, EmptyRule | None]:
    """The rule (index) and post rule with the best weighted mean F1 on posts ``idx``."""
    r = int(np.argmax((f1[:, idx] * weights[idx]).sum(axis=1)))
    coef, intercept = fit_empty_model(feats[idx], empty_gold[idx])
    p = 1 / (1 + np.exp(-(feats[idx] @ np.asarray(coef) + intercept)))
    best, best_score = None, -1.0
    for t in EMPTY_GRID:
        pred_empty = np.zeros(len(idx), bool) if t is None else p >= t
        score = (np.where(pred_empty, empty_gold[idx], f1[r, idx]) * weights[idx]).sum()
        if score > best_score + 1e-12:
            best, best_score = t, score
    return r, None if best is None else EmptyRule(coef, intercept, float(best))


def apply(f1_row: np.ndarray, feats: np.ndarray, empty_gold: np.ndarray, rule: EmptyRule | None) -> np.ndarray:
    """Per-post F1 with the post rule applied (a post with no span predicted stays as it is)."""
    if rule is None:
        return f1_row
    return np.where(rule.p_empty(feats) >= rule.threshold, empty_gold, f1_row)


def source_weights(sets: np.ndarray) -> np.ndarray:
    """Each source counts equally when choosing (not each post): 600 HateXplain posts weigh as
    much as 1,588 val20 posts."""
    w = np.zeros(len(sets))
    for s in SETS:
        w[sets == s] = 1.0 / max((sets == s).sum(), 1)
    return w


def evaluate(posts: pd.DataFrame, inputs: dict, pool: tuple[str, ...] = SETS) -> dict:
    """Per-source F1 of rules chosen on the sources in ``pool`` (see the module docstring)."""
    rules = rule_grid()
    f1 = per_post_f1(posts, inputs, rules)
    f1[f1 < 0] = -1e9
    feats = features(posts, inputs)
    empty_gold = np.array([len(g) == 0 for g in posts["offsets"]], dtype=float)
    sets = posts["set"].to_numpy()
    w = source_weights(sets)
    in_pool = np.isin(sets, pool)
    res: dict = {"pool": list(pool), "posts": {s: int((sets == s).sum()) for s in SETS},
                 "empty_share": {s: round(float(empty_gold[sets == s].mean()), 3) for s in SETS}}
    # leave one source out: chosen on the pool's other sources
    loso = {}
    for s in SETS:
        tr, te = np.flatnonzero(in_pool & (sets != s)), np.flatnonzero(sets == s)
        r, er = choose(f1, feats, empty_gold, tr, w)
        loso[s] = {"f1": float(apply(f1[r, te], feats[te], empty_gold[te], er).mean()),
                   "f1_no_post_rule": float(f1[r, te].mean()), "rule": rules[r].to_dict(),
                   "post_rule": None if er is None else er.to_dict()}
    res["loso"] = loso
    # five folds, stratified on source: chosen on the pool's posts of four folds
    from sklearn.model_selection import StratifiedKFold

    folds = np.zeros(len(posts), dtype=int)
    for k, (_, te) in enumerate(StratifiedKFold(5, shuffle=True, random_state=42).split(posts, sets)):
        folds[te] = k
    oof = np.zeros(len(posts))
    oof_plain = np.zeros(len(posts))
    for k in range(5):
        tr, te = np.flatnonzero(in_pool & (folds != k)), np.flatnonzero(folds == k)
        r, er = choose(f1, feats, empty_gold, tr, w)
        oof[te] = apply(f1[r, te], feats[te], empty_gold[te], er)
        oof_plain[te] = f1[r, te]
    res["cv5"] = {s: {"f1": float(oof[sets == s].mean()), "f1_no_post_rule": float(oof_plain[sets == s].mean())}
                  for s in SETS}
    r, er = choose(f1, feats, empty_gold, np.flatnonzero(in_pool), w)
    fin = apply(f1[r], feats, empty_gold, er)
    res["final"] = {"rule": rules[r].to_dict(), "post_rule": None if er is None else er.to_dict(),
                    "f1": {s: float(fin[sets == s].mean()) for s in SETS}}
    if er is not None:
        res["final"]["emptied"] = {s: round(float((er.p_empty(feats[sets == s]) >= er.threshold).mean()), 3)
                                   for s in SETS}
    return res


def baseline(posts: pd.DataFrame, inputs: dict, tagger_dir: str, cache: Path, sets: list[str]) -> dict:
    """F1 per source of another tagger folder with its own rules (its ``attribution_rule`` where
    the classifier raised a label), on the posts of ``sets``. Its word probabilities are computed
    (and cached: ``{post index: probabilities}``); the scores and attributions are ``inputs``'."""
    from cleanspeech.explain.tagger import read_lexicon

    idx = [j for j, s in enumerate(posts["set"]) if s in sets]
    if cache.exists():
        probs = json.loads(cache.read_text())
    else:
        from cleanspeech.explain.tagger_ensemble import load_tagger

        tagger = load_tagger(tagger_dir)
        got = tagger.word_probs(posts["text"].iloc[idx].tolist())
        probs = {str(j): [round(float(x), 5) for x in p] for j, (_, p) in zip(idx, got)}
        cache.write_text(json.dumps(probs))
    config = json.loads((Path(tagger_dir) / "tagger.json").read_text())
    lexicon = read_lexicon(Path(tagger_dir))
    rule = SpanRule(config["threshold"], config.get("post_threshold", 0.0), config.get("lexicon_weight", 0.0),
                    config.get("join_gaps", True))
    arule = SpanRule.from_dict(config["attribution_rule"]) if config.get("attribution_rule") else rule
    f1 = {}
    for j in idx:
        text, gold = posts["text"].iloc[j], posts["offsets"].iloc[j]
        words = split_words(text)
        labelled = inputs["labelled"][j]
        use = arule if labelled else rule
        attr = np.asarray(inputs["attr"][j]) if labelled else None
        pred = use.spans(text, words, np.asarray(probs[str(j)]), lexicon_ratios(lexicon, words), attr)
        f1.setdefault(posts["set"].iloc[j], []).append(post_f1(spans_to_offsets(pred), gold))
    return {s: float(np.mean(v)) for s, v in f1.items()}


def install(folder: Path, res: dict) -> None:
    config = json.loads((folder / "tagger.json").read_text())
    final = res["final"]
    rule = final["rule"]
    config["attribution_rule"] = rule
    # without attributions (a comment with no label) the same rule without them
    config.update(threshold=rule["word_threshold"], post_threshold=rule["post_threshold"],
                  lexicon_weight=rule["lexicon_weight"], join_gaps=rule["join_gaps"])
    config["empty_rule"] = final["post_rule"] or {}
    config.setdefault("metrics", {})["sources"] = {
        "cv5": {s: round(v["f1"], 4) for s, v in res["cv5"].items()},
        "loso": {s: round(v["f1"], 4) for s, v in res["loso"].items()},
        "source": "bench/results/span_sources.json"}
    write_text_atomic(json.dumps(config, indent=2) + "\n", folder / "tagger.json")


def to_markdown(res: dict) -> str:
    def f(x):
        return "" if x is None else f"{x:.4f}"
    lines = [f"# Toxic-span F1 per source, held-out posts ({res['date']})", "",
             "Command:", "", f"    {res['command']}", "",
             f"Tagger: `{res['tagger']}`. Rules chosen on: {', '.join(res['pool'])} (each source "
             f"weighted equally). Machine: {res['machine']}.", "",
             "Mean SemEval-2021 span F1 through the `explain` rule (tagger word probabilities, the "
             "`default` model's scores and attributions). `loso`: rule and post rule chosen on the "
             "pool's other sources; `cv5`: five folds, chosen on the pool's posts of four; `final`: "
             "chosen on the whole pool (in-sample there); `baseline`: the previously shipped tagger "
             "folder and its own rules.", "",
             "| source | posts | gold empty | baseline | loso | loso, no post rule | cv5 | cv5, no post rule | final |",
             "|---|---|---|---|---|---|---|---|---|"]
    for s in SETS:
        lines.append(f"| {s} | {res['posts'][s]} | {res['empty_share'][s]:.3f} | "
                     f"{f(res.get('baseline', {}).get(s))} | {f(res['loso'][s]['f1'])} | "
                     f"{f(res['loso'][s]['f1_no_post_rule'])} | {f(res['cv5'][s]['f1'])} | "
                     f"{f(res['cv5'][s]['f1_no_post_rule'])} | {f(res['final']['f1'][s])} |")
    lines += ["", f"Final rule: `{json.dumps(res['final']['rule'])}`", "",
              f"Post rule (no span when P(empty) >= threshold; features {list(EMPTY_FEATURES)}): "
              f"`{json.dumps(res['final']['post_rule'])}`", ""]
    if "emptied" in res["final"]:
        lines += [f"Share of posts the post rule empties: `{json.dumps(res['final']['emptied'])}`", ""]
    return "\n".join(lines + NOTES)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tagger", required=True)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--baseline")
    ap.add_argument("--baseline-cache")
    ap.add_argument("--baseline-sets", default="trial,acl_new", help="held-out sets the baseline is scored on")
    ap.add_argument("--install")
    ap.add_argument("--inputs-only", action="store_true", help="compute and cache the inputs, then stop")
    ap.add_argument("--out", default="bench/results/span_sources")
    ap.add_argument("--pool", default=",".join(SETS), help="sources the rules are chosen on")
    args = ap.parse_args()
    posts = held_out_posts()
    if args.inputs_only:
        explain_inputs(args.tagger, posts, Path(args.cache))
        return
    inputs = explain_inputs(args.tagger, posts, Path(args.cache))
    res = evaluate(posts, inputs, tuple(args.pool.split(",")))
    if args.baseline:
        res["baseline"] = baseline(posts, inputs, args.baseline, Path(args.baseline_cache),
                                   args.baseline_sets.split(","))
    res.update(date=datetime.now(timezone.utc).strftime("%Y-%m-%d"), tagger=args.tagger,
               machine=f"{platform.machine()}, {os.cpu_count()} CPUs",
               command="HF_HUB_OFFLINE=1 OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/bench_span_sources.py "
                       + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items()
                                  if v and k != "out"),
               secs=inputs.get("secs"))
    write_text_atomic(json.dumps(res, indent=1) + "\n", Path(args.out + ".json"))
    write_text_atomic(to_markdown(res), Path(args.out + ".md"))
    print(to_markdown(res))
    if args.install:
        install(Path(args.install), res)


if __name__ == "__main__":
    main()
