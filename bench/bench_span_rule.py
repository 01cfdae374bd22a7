"""The span tagger's decision rules (word lexicon, classifier attributions) chosen by 2-fold cross-fitting.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_span_rule.py [--explain-check] [--install]

The issue asked for tagger and lexicon combined by a rule chosen with cross-validated choices.
The word lexicon (:class:`SpanLexicon`: how often annotators marked each word) is fitted on the
80% split of tsd_train that the tagger's members trained on, so the two sets none of them saw,
val20 (1,588 posts) and tsd_trial (690), can both judge the rule. Grid: lexicon weight x word
threshold (``SpanRule``: score = (1 - w) * p + w * ratio). Cross-fitting: the rule chosen on
val20 is scored on trial and the one chosen on trial on val20, so the reported pair of figures
never judges a rule on the posts that chose it; the rule that ships is the one with the best F1
on both sets pooled. Also reported: the share of clean Jigsaw dev comments left without a span and
of identity terms marked in clean comments that name a group (``bench_span_taggers``).

Two rules are chosen: the tagger's own (tagger + lexicon), for callers without a classifier, and
the one ``explain`` applies to comments the classifier flags, which also blends in its word
attributions (``span_rule.attribution_scores``, from ``--model``: ``explain`` computes them
anyway, so they cost nothing there; ``--everywhere`` scores the variant that blends them into
every comment). Attributions of the ~2,900 posts take about 30 minutes on 2 CPU cores; they and
the tagger's probabilities are cached in ``--cache``, keyed by a checksum of the model's and the
tagger's files.

``--install`` writes ``lexicon.json`` and both choices into the tagger folder's ``tagger.json``.
Writes ``bench/results/span_rule.{json,md}`` (``span_rule_everywhere.*`` with ``--everywhere``,
``span_rule_MODEL.*`` for another ``--model``: how the shipped rule fares on its attributions).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_span_taggers as bst  # noqa: E402

from cleanspeech.data.io import write_text_atomic  # noqa: E402
from cleanspeech.explain.core import default_tagger_path  # noqa: E402
from cleanspeech.explain.lexicon import SpanLexicon  # noqa: E402
from cleanspeech.explain.span_metric import span_f1  # noqa: E402
from cleanspeech.explain.span_rule import SpanRule, attribution_scores, lexicon_ratios  # noqa: E402
from cleanspeech.explain.tagger import write_lexicon  # noqa: E402
from cleanspeech.training.tagger import load_split  # noqa: E402
from cleanspeech.explain.words import spans_to_offsets, split_words  # noqa: E402
from cleanspeech.models import load_model  # noqa: E402

LEXICON_WEIGHTS = (0.0, 0.1, 0.2, 0.3)
ATTRIBUTION_WEIGHTS = (0.1, 0.2, 0.3)
THRESHOLDS = tuple(float(t) for t in np.round(np.arange(0.25, 0.551, 0.025), 3))
SCORED = ("val20", "trial", "clean", "clean_identity")


def files_key(folder: str | Path, pattern: str = "*.safetensors") -> str:
    """A short checksum of the weight files under ``folder``: cached results of other weights are
    never reused."""
    digest = hashlib.sha1()
    for path in sorted(p for p in Path(folder).rglob(pattern) if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def fit_lexicon() -> SpanLexicon:
    train, _ = load_split(bst.TSD / "tsd_train.csv")
    return SpanLexicon.fit(train["text"].tolist(), train["offsets"].tolist())


def attributions(model: Any, model_key: str, set_name: str, texts: list[str], cache: Path,
                 everywhere: bool = False) -> list[np.ndarray | None]:
    """Per text, the classifier's :func:`attribution_scores` as ``explain`` computes them, or None
    where the classifier flags no label: attributions explain a toxic decision, so a comment it
    finds civil keeps the tagger's own rule. Raw attributions and scores are cached under
    ``model_key`` (the model's name and files' checksum)."""
    path = cache / f"attr_{model_key}_{set_name}.npz"
    if path.exists():
        data = np.load(path)
        raw, scores = [data[str(i)] for i in range(len(texts))], data["scores"]
    else:
        from cleanspeech.explain.attributions import word_attributions

        scores = np.asarray(model.predict_proba(texts))
        raw = [word_attributions(model, t, split_words(t), scores=scores[i]) for i, t in enumerate(texts)]
        cache.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, scores=scores, **{str(i): a for i, a in enumerate(raw)})
    flagged = (scores >= np.asarray(model.thresholds)[None, :]).any(axis=1) | everywhere
    return [attribution_scores(a) if f else None for a, f in zip(raw, flagged)]


def grid(folder: str, cache: Path, lexicon: SpanLexicon, model_name: str | None, own: SpanRule,
         everywhere: bool = False) -> tuple[dict, dict]:
    """F1 of every rule of the grid on every set, and the identity-marked shares. Rules are keyed
    ``(attribution weight, lexicon weight, threshold)``; attribution weights > 0 only with
    ``model_name``, and such a rule decides only the posts the classifier flags (``own``, the
    tagger's own rule, the rest)."""
    data = bst.sets()
    f1s: dict = {s: {} for s in SCORED}
    marked: dict = {}
    attr_weights = (0.0,) + (ATTRIBUTION_WEIGHTS if model_name else ())
    tagger_key = files_key(folder)
    model = load_model(model_name) if model_name else None
    model_key = f"{model_name}_{files_key(model.path, '*')}" if model else ""
    for s in SCORED:
        texts, golds = data[s]
        probs = bst.word_probs(folder, f"tagger_{tagger_key}", s, texts, cache)
        words = [split_words(t) for t in texts]
        ratios = [lexicon_ratios(lexicon, w) for w in words]
        attrs = attributions(model, model_key, s, texts, cache, everywhere) if model else [None] * len(texts)
        for aw, lw, t in itertools.product(attr_weights, LEXICON_WEIGHTS, THRESHOLDS):
            rule = SpanRule(word_threshold=t, lexicon_weight=lw, attribution_weight=aw)
            rules = [rule if not aw or a is not None else own for a in attrs]
            preds = [spans_to_offsets(r.spans(text, w, p, q, a))
                     for r, text, w, p, q, a in zip(rules, texts, words, probs, ratios, attrs)]
            f1s[s][(aw, lw, t)] = span_f1(preds, golds)
            if s == "clean_identity":  # scores shifted by each post's threshold, so 0 decides for all
                shifted = [r.scores(p, q, a) - r.word_threshold for r, p, q, a in zip(rules, probs, ratios, attrs)]
                marked[(aw, lw, t)] = bst.identity_marked(texts, shifted, 0.0)
    return f1s, {"n": {s: len(data[s][0]) for s in SCORED}, "identity_marked": marked}


def choose(f1s: dict, n: dict, keys: list[tuple]) -> dict:
    """Among ``keys``: the rule chosen on each set, the pooled choice, and cross-fitted F1."""
    pooled = {k: (n["val20"] * f1s["val20"][k] + n["trial"] * f1s["trial"][k]) / (n["val20"] + n["trial"])
              for k in f1s["val20"]}
    on_val = max(keys, key=lambda k: f1s["val20"][k])
    on_trial = max(keys, key=lambda k: f1s["trial"][k])
    cross = {"val20": f1s["val20"][on_trial], "trial": f1s["trial"][on_val]}
    cross["mean"] = (cross["val20"] + cross["trial"]) / 2
    return {"pooled": pooled, "on_val20": on_val, "on_trial": on_trial, "ship": max(keys, key=pooled.get),
            "cross_fitted": cross}


def row(name: str, key: tuple, f1s: dict, extra: dict, pooled: dict) -> dict:
    return {"rule": name, "attribution_weight": key[0], "lexicon_weight": key[1], "threshold": key[2],
            **{s: round(f1s[s][key], 4) for s in ("val20", "trial")}, "pooled": round(pooled[key], 4),
            "clean_left_empty": round(f1s["clean"][key], 3),
            "identity_marked": round(extra["identity_marked"][key], 3)}


def to_markdown(res: dict) -> str:
    lines = [f"# Span rule: tagger + word lexicon (+ classifier attributions), cross-fitted ({res['date']})", "",
             f"Tagger: `{res['tagger']}`; lexicon fitted on the 80% split of tsd_train its members trained on "
             f"({res['lexicon_words']} words); attributions: `{res['model']}` (as `explain` computes them). "
             f"Mean SemEval-2021 span F1 on val20 ({res['n']['val20']} posts) and "
             f"tsd_trial ({res['n']['trial']}); clean left empty: {res['n']['clean']} clean Jigsaw dev comments; "
             f"identity marked: identity terms in {res['n']['clean_identity']} clean dev comments naming a group. "
             f"Machine: {res['machine']}.", ""]
    for part in res["parts"]:
        cf = part["cross_fitted"]
        lines += [f"## {part['title']}", "",
                  "| rule | attribution weight | lexicon weight | threshold | val20 | trial | pooled | clean left empty "
                  "| identity marked |", "|---|---|---|---|---|---|---|---|---|"]
        for r in part["rows"]:
            lines.append(f"| {r['rule']} | {r['attribution_weight']} | {r['lexicon_weight']} | {r['threshold']} "
                         f"| {r['val20']:.4f} | {r['trial']:.4f} | {r['pooled']:.4f} | {r['clean_left_empty']:.3f} "
                         f"| {r['identity_marked']:.3f} |")
        lines += ["", f"Cross-fitted span F1 (each set scored by the rule the other chose): val20 {cf['val20']:.4f}, "
                  f"trial {cf['trial']:.4f}, mean **{cf['mean']:.4f}**.", ""]
    if "explain_end_to_end" in res:
        e = res["explain_end_to_end"]
        lines += [f"`explain_texts` end to end on {e['set']} with the folder's rules at run time "
                  f"(identity terms dropped from comments the classifier finds civil): span F1 **{e['f1']:.4f}**.", ""]
    lines += [f"Reproduce: `{res['command']}`", ""]
    return "\n".join(lines)


def settings_of(r: dict) -> dict:
    return {"word_threshold": r["threshold"], "post_threshold": 0.0, "lexicon_weight": r["lexicon_weight"],
            "join_gaps": True, "attribution_weight": r["attribution_weight"]}


def install(folder: Path, lexicon: SpanLexicon, res: dict) -> None:
    """The tagger's own rule and ``explain``'s (with attributions) into ``tagger.json``."""
    own, with_attr = (p["rows"][-1] for p in res["parts"])
    config = json.loads((folder / "tagger.json").read_text(encoding="utf-8"))
    config.update(threshold=own["threshold"], lexicon_weight=own["lexicon_weight"],
                  attribution_rule=settings_of(with_attr) if with_attr["attribution_weight"] else {})
    metrics = config["metrics"]
    metrics.update(
        val={"f1": own["val20"], "threshold": own["threshold"], "join_gaps": True,
             "set": "20% split of tsd_train (seed 42); with tsd_trial, chose the rule (pooled)"},
        trial={"f1": own["trial"], "set": "tsd_trial; with val20, chose the rule (pooled)"},
        cross_fitted={"f1": res["parts"][0]["cross_fitted"]["mean"],
                      "set": "val20 and tsd_trial, each scored by the rule the other chose"},
        clean_left_empty={"share": own["clean_left_empty"], "set": metrics["clean_left_empty"]["set"]},
        identity_marked={"share": own["identity_marked"], "set": metrics["identity_marked"]["set"]},
        with_attributions={"val20": with_attr["val20"], "trial": with_attr["trial"],
                           "cross_fitted": res["parts"][1]["cross_fitted"]["mean"],
                           "clean_left_empty": with_attr["clean_left_empty"],
                           "identity_marked": with_attr["identity_marked"], "model": res["model"]},
        source="bench/results/span_rule.json")
    config["training"]["rule"] = ("mean of the members' word probabilities (``weights``) blended with the word lexicon "
                                  "(lexicon.json, fitted on the members' 80% split); in explain, also with the "
                                  "classifier's word attributions (attribution_rule); weights and thresholds chosen "
                                  "on val20 + tsd_trial pooled (bench/bench_span_rule.py)")
    write_lexicon(lexicon, folder)
    write_text_atomic(json.dumps(config, indent=2) + "\n", folder / "tagger.json")


def explain_f1(model_name: str, set_name: str = "trial") -> dict:
    """Span F1 of what ``explain_texts`` returns on a TSD set (the shipped rules end to end, with
    its drop of identity terms from comments the classifier finds civil)."""
    from cleanspeech.explain import explain_texts

    texts, golds = bst.sets()[set_name]
    exps = explain_texts(load_model(model_name), texts)
    return {"set": set_name, "f1": span_f1([spans_to_offsets(e.spans) for e in exps], golds)}


def shown(folder: str) -> str:
    path = Path(folder).resolve()
    return str(path.relative_to(bst.ROOT)) if path.is_relative_to(bst.ROOT) else folder


def part(title: str, keys: list[tuple], current: tuple, f1s: dict, extra: dict) -> dict:
    ch = choose(f1s, extra["n"], keys)
    named = (("current", current), ("chosen on val20", ch["on_val20"]), ("chosen on trial", ch["on_trial"]),
             ("chosen on both (ships)", ch["ship"]))
    return {"title": title, "rows": [row(name, key, f1s, extra, ch["pooled"]) for name, key in named],
            "cross_fitted": ch["cross_fitted"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tagger", default=str(default_tagger_path()), help="span-tagger folder")
    ap.add_argument("--model", default="default", help="the classifier whose attributions explain uses")
    ap.add_argument("--cache", default="runs/span_rule_probs")
    ap.add_argument("--install", action="store_true", help="write the pooled choices into the tagger folder")
    ap.add_argument("--everywhere", action="store_true",
                    help="blend attributions into every comment, flagged or not (the variant not taken); "
                         "writes span_rule_everywhere.*")
    ap.add_argument("--explain-check", action="store_true",
                    help="also score explain_texts end to end on tsd_trial with the folder's current rules")
    args = ap.parse_args()
    current = json.loads((Path(args.tagger) / "tagger.json").read_text(encoding="utf-8"))
    lexicon = fit_lexicon()
    own_now = (0.0, current.get("lexicon_weight", 0.0), current["threshold"])
    own = SpanRule(word_threshold=own_now[2], lexicon_weight=own_now[1])
    f1s, extra = grid(args.tagger, Path(args.cache), lexicon, args.model, own, args.everywhere)
    keys = list(f1s["val20"])
    attr_now = current.get("attribution_rule") or {}
    attr_now = (attr_now.get("attribution_weight", 0.0), attr_now.get("lexicon_weight", own_now[1]),
                attr_now.get("word_threshold", own_now[2]))
    which = ("every comment" if args.everywhere else
             "comments the classifier flags (with its attributions; the others keep the tagger's current rule)")
    parts = [part("Tagger's own rule (no classifier)", [k for k in keys if k[0] == 0.0], own_now, f1s, extra),
             part(f"explain's rule for {which}", [k for k in keys if k[0] > 0.0] + [own_now], attr_now, f1s, extra)]
    res = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "machine": f"{platform.machine()} ({platform.system()}), CPU", "tagger": shown(args.tagger),
           "model": args.model, "lexicon_words": len(lexicon.ratio), "n": extra["n"], "parts": parts,
           "command": f"HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_span_rule.py --model {args.model}"
                      + (" --explain-check" if args.explain_check else "") + (" --everywhere" if args.everywhere else "")}
    if args.explain_check:
        res["explain_end_to_end"] = explain_f1(args.model)
    name = ("span_rule" + ("" if args.model == "default" else f"_{args.model}")
            + ("_everywhere" if args.everywhere else ""))
    bst.OUT.mkdir(parents=True, exist_ok=True)
    write_text_atomic(json.dumps(res, indent=2) + "\n", bst.OUT / f"{name}.json")
    write_text_atomic(to_markdown(res), bst.OUT / f"{name}.md")
    print(to_markdown(res))
    if args.install and not args.everywhere:
        install(Path(args.tagger), lexicon, res)
        print(f"installed in {args.tagger}")


if __name__ == "__main__":
    main()
