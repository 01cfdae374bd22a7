"""Toxic-span F1 of the cross-validated span tagger and its decision rule.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/experiments/tagger_cv.py --train tsd_train.csv \\
        --trial tsd_trial.csv --jigsaw train.csv.gz --out runs/span_cv --final
    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_spans.py --cv runs/span_cv [--install]

Reads the out-of-fold word probabilities of ``tagger_cv`` (every TSD post of tsd_train +
tsd_trial and every clean comment scored by a tagger that never saw it) and reports, as mean
SemEval-2021 span F1 over the TSD posts:

* ``nested``: for each fold, the rule chosen on the other folds, scored on the fold (the honest
  estimate: no post judges the rule it helped choose);
* ``chosen``: the rule chosen on all folds, and its out-of-fold F1 (slightly optimistic);
* ``old_rule``: the shipped tagger's previous rule (word threshold 0.35, no post gate, no
  lexicon) on the same out-of-fold probabilities;
* ``old_tagger``: the previously shipped tagger on the posts it never trained on (the 20% split
  of tsd_train it was selected on, and tsd_trial), beside the new out-of-fold F1 on the same posts;
* the share of clean comments that get any span.

Lexicon ratios are out-of-fold too (each post's from the TSD posts of the other folds).
``--install`` writes the chosen rule and the lexicon (fitted on every TSD post) into
``OUT/final`` and copies it over the shipped ``span-tagger`` folder.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from cleanspeech.data.io import write_text_atomic
from cleanspeech.explain.lexicon import SpanLexicon
from cleanspeech.explain.span_metric import read_tsd
from cleanspeech.explain.span_rule import SpanRule, choose_rule, cross_validated_f1, lexicon_ratios, rule_f1
from cleanspeech.explain.words import split_words

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results"
TSD = ROOT.parent / "shared" / "data" / "toxic_spans"
SHIPPED = ROOT / "src" / "cleanspeech" / "shipped_models" / "span-tagger"
OLD_RULE = SpanRule(word_threshold=0.35, post_threshold=0.0, lexicon_weight=0.0, join_gaps=True)


def oof_ratios(texts: list[str], golds: list[list[int]], folds: np.ndarray, tsd: np.ndarray) -> list[np.ndarray]:
    """Each post's lexicon ratios from a lexicon fitted on the TSD posts of the other folds."""
    out: list[np.ndarray] = [np.zeros(0)] * len(texts)
    for f in sorted(set(folds.tolist())):
        fit = np.flatnonzero((folds != f) & tsd)
        lex = SpanLexicon.fit([texts[i] for i in fit], [golds[i] for i in fit])
        for i in np.flatnonzero(folds == f):
            out[i] = lexicon_ratios(lex, split_words(texts[i]))
    return out


def old_tagger_comparison(texts: list[str], probs: list[np.ndarray], ratios: list[np.ndarray],
                          rule: SpanRule, old_path: Path) -> dict:
    """The old tagger vs the new out-of-fold rule on the posts the old tagger never trained on."""
    from cleanspeech.explain.tagger import SpanTagger
    from cleanspeech.training.tagger import load_split

    index = {t: i for i, t in enumerate(texts)}
    _, val = load_split(TSD / "tsd_train.csv")
    sets = {"val20": val, "trial": read_tsd(TSD / "tsd_trial.csv")}
    old = SpanTagger.load(old_path)
    out = {}
    for name, d in sets.items():
        d = d[d["text"].isin(index)]
        idx = [index[t] for t in d["text"]]
        golds = d["offsets"].tolist()
        old_probs = [p for _, p in old.word_probs(d["text"].tolist())]
        out[name] = {"posts": len(d),
                     "old_tagger": rule_f1(OLD_RULE, d["text"].tolist(), old_probs, golds, [None] * len(d)),
                     "new_oof": rule_f1(rule, [texts[i] for i in idx], [probs[i] for i in idx], golds,
                                        [ratios[i] for i in idx])}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv", default="runs/span_cv")
    ap.add_argument("--old", default=None, help="old tagger folder (default: the shipped one, before --install)")
    ap.add_argument("--install", action="store_true")
    args = ap.parse_args()
    cv = Path(args.cv)
    data = json.loads((cv / "data.json").read_text())
    oof = json.loads((cv / "oof.json").read_text())
    texts, golds = data["text"], [list(o) for o in data["offsets"]]
    folds, tsd = np.array(data["fold"]), np.array([s == "tsd" for s in data["source"]])
    probs = [np.asarray(p, dtype=float) for p in oof["probs"]]
    ratios = oof_ratios(texts, golds, folds, tsd)
    t = np.flatnonzero(tsd)
    sub = lambda xs: [xs[i] for i in t]  # noqa: E731
    args_t = (sub(texts), sub(probs), sub(golds), sub(ratios))
    nested = cross_validated_f1(*args_t, folds[t])
    rule, chosen_f1 = choose_rule(*args_t)
    no_lex, no_lex_f1 = choose_rule(*args_t, rules=[r for r in _rules() if not r.lexicon_weight])
    clean = np.flatnonzero(~tsd)
    clean_any = lambda r: float(np.mean([bool(r.spans(texts[i], split_words(texts[i]), probs[i], ratios[i]))  # noqa: E731
                                         for i in clean])) if len(clean) else None
    result = {
        "machine": f"{platform.processor() or platform.machine()}, {platform.system()}",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "posts": {"tsd": int(tsd.sum()), "clean": int(len(clean)), "folds": int(folds.max() + 1)},
        "training": oof.get("training"),
        "nested": nested,
        "chosen": {"rule": rule.to_dict(), "oof_f1": chosen_f1, "clean_with_spans": clean_any(rule)},
        "chosen_without_lexicon": {"rule": no_lex.to_dict(), "oof_f1": no_lex_f1},
        "old_rule": {"rule": OLD_RULE.to_dict(), "oof_f1": rule_f1(OLD_RULE, *args_t),
                     "clean_with_spans": clean_any(OLD_RULE)},
    }
    old_path = Path(args.old) if args.old else SHIPPED
    if (old_path / "tagger.json").exists() and "cv_f1" not in json.loads((old_path / "tagger.json").read_text()).get("metrics", {}):
        result["old_tagger"] = old_tagger_comparison(texts, probs, ratios, rule, old_path)
    write_text_atomic(json.dumps(result, indent=1) + "\n", OUT / "spans.json")
    write_text_atomic(to_markdown(result), OUT / "spans.md")
    print(to_markdown(result))
    if args.install:
        install(cv / "final", rule, texts, golds, tsd, result)


def _rule_text(r: dict) -> str:
    return (f"word >= {r['word_threshold']}, post gate {r['post_threshold']}, lexicon weight "
            f"{r['lexicon_weight']}, join gaps {r['join_gaps']}")


def to_markdown(res: dict) -> str:
    p = res["posts"]
    lines = [f"# Toxic spans: cross-validated span tagger ({res['date']})", "",
             f"SemEval-2021 TSD tsd_train + tsd_trial, de-duplicated: {p['tsd']} posts, plus {p['clean']} clean "
             f"Jigsaw comments (train part of the project split) with empty spans; {p['folds']} folds; training "
             f"{res['training']}. Machine: {res['machine']}.", "",
             "Mean span F1 over the TSD posts, every post scored by a tagger that never trained on it:", "",
             "| decision rule | span F1 | clean comments given any span |", "|---|---|---|",
             f"| nested CV: rule chosen on the other folds, per fold | **{res['nested']['f1']:.4f}** | – |",
             f"| chosen on all folds: {_rule_text(res['chosen']['rule'])} | {res['chosen']['oof_f1']:.4f} | "
             f"{res['chosen']['clean_with_spans']:.3f} |",
             f"| same, without the lexicon: {_rule_text(res['chosen_without_lexicon']['rule'])} | "
             f"{res['chosen_without_lexicon']['oof_f1']:.4f} | – |",
             f"| the previous rule: {_rule_text(res['old_rule']['rule'])} | {res['old_rule']['oof_f1']:.4f} | "
             f"{res['old_rule']['clean_with_spans']:.3f} |", ""]
    if "old_tagger" in res:
        lines += ["Against the previously shipped tagger (trained on 80% of tsd_train, clean comments never "
                  "seen), on the posts it never trained on:", "",
                  "| posts | previous tagger | new, out-of-fold |", "|---|---|---|"]
        for name, r in res["old_tagger"].items():
            lines.append(f"| {name} ({r['posts']}) | {r['old_tagger']:.4f} | {r['new_oof']:.4f} |")
        lines.append("")
    lines += ["Per fold (nested): " + "; ".join(f"fold {f['fold']} F1 {f['f1']:.4f} ({_rule_text(f['rule'])})"
                                               for f in res["nested"]["folds"]), "",
              "Reproduce: `HF_HUB_OFFLINE=1 .venv/bin/python scripts/experiments/tagger_cv.py --train "
              "../shared/data/toxic_spans/tsd_train.csv --trial ../shared/data/toxic_spans/tsd_trial.csv "
              "--jigsaw ../shared/data/jigsaw/train.csv.gz --out runs/span_cv --final` (about 50 min on "
              "2 CPU cores), then `HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_spans.py --cv runs/span_cv "
              "--install`.", ""]
    return "\n".join(lines)


def _rules():
    from cleanspeech.explain.span_rule import candidate_rules

    return candidate_rules()


def install(final: Path, rule: SpanRule, texts: list[str], golds: list[list[int]], tsd: np.ndarray, result: dict) -> None:
    """Write the rule (and the lexicon on every TSD post) into ``final`` and ship it."""
    settings = json.loads((final / "tagger.json").read_text())
    settings.update({"threshold": rule.word_threshold, "post_threshold": rule.post_threshold,
                     "lexicon_weight": rule.lexicon_weight, "join_gaps": rule.join_gaps})
    settings["metrics"] = {"cv_f1": result["nested"]["f1"], "oof_f1_chosen_rule": result["chosen"]["oof_f1"],
                           "clean_with_spans": result["chosen"]["clean_with_spans"],
                           "source": "bench/results/spans.json"}
    (final / "tagger.json").write_text(json.dumps(settings, indent=2) + "\n")
    lex_file = final / "lexicon.json"
    if rule.lexicon_weight:
        keep = np.flatnonzero(tsd)
        lex = SpanLexicon.fit([texts[i] for i in keep], [golds[i] for i in keep])
        lex_file.write_text(json.dumps({k: round(v, 4) for k, v in sorted(lex.ratio.items())}) + "\n")
    elif lex_file.exists():
        lex_file.unlink()
    for name in ("tagger.json", "tagger.safetensors"):
        shutil.copy2(final / name, SHIPPED / name)
    if lex_file.exists():
        shutil.copy2(lex_file, SHIPPED / "lexicon.json")
    elif (SHIPPED / "lexicon.json").exists():
        (SHIPPED / "lexicon.json").unlink()
    print(f"installed {final} into {SHIPPED} with {rule}")


if __name__ == "__main__":
    main()
