"""How noisy are the rule's eval-only and threat bars? Paired bootstrap of candidate minus shipped
(issue 32, stop 49: D9T failed the threat check by one comment of 16, D10 the eval-only confirmation
by 0.0010 of balanced accuracy). An analysis of the instrument, not a choice: nothing here picks a model.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/experiments/paired_eval.py src/cleanspeech/shipped_models/default runs/default_md9t runs/default_md10
    ... paired_eval.py --unread src/cleanspeech/shipped_models/default runs/default_md10   # rows never sampled

Rows: the eval-only sets as ``bench/bench_sources.py`` reads them (at most 2,000 rows per set, seed
0; sets with both classes), and the Jigsaw test part's threat positives. Flagged = any label at the
model's thresholds (``bench_sources``' decision). Each resample draws every set's rows with
replacement, the same draw for both models; balanced accuracy is the mean over sets of
(caught + passed) / 2, as ``bench/sources_rates.py`` computes it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_sources import eval_rows, sampled_index  # noqa: E402
from threat_recall import jigsaw_test  # noqa: E402 (this folder)

from cleanspeech.data.sources import load_source  # noqa: E402
from cleanspeech.labels import LABEL2ID  # noqa: E402
from cleanspeech.pipeline import Moderator  # noqa: E402

DATA = Path("../shared/data")
EVAL_SETS = ("cad", "olid", "hateval", "gab_hate")  # dynacounter holds no positives
B = 2000


def scores_and_flags(mod: Moderator, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    scores = mod.scores(texts)
    return scores, scores >= np.asarray(mod.thresholds)[None, :]


def balanced(y: np.ndarray, f: np.ndarray) -> float:
    return (f[y].mean() + (~f[~y]).mean()) / 2


def unread_rows(src):
    """The eval rows ``bench_sources`` never sampled (its 2,000-row seed-0 draw removed)."""
    rows = src.eval_rows()
    return rows.drop(index=sampled_index(rows, 2000, 0)).reset_index(drop=True)


def main(models: list[str], unread: bool = False) -> None:
    sets = {}
    for name in EVAL_SETS:
        src = load_source(name, DATA)
        rows = unread_rows(src) if unread else eval_rows(src, 2000, 0)
        if not len(rows):
            continue
        sets[name] = (rows["text"].astype(str).tolist(), rows["target"].to_numpy(float) == 1)
    if unread:
        print("Rows: " + ", ".join(f"{n} {len(y)}" for n, (_, y) in sets.items()) + " (never sampled by bench_sources)\n")
    texts, y_threat = jigsaw_test()
    threat_texts = [t for t, y in zip(texts, y_threat) if y == 1]
    moderators = {m: Moderator.load(m) for m in models}  # each model loaded once
    scored = {m: {n: scores_and_flags(mod, t) for n, (t, _) in sets.items()} for m, mod in moderators.items()}
    any_flags = {m: {n: f.any(axis=1) for n, (_, f) in per.items()} for m, per in scored.items()}
    any_auc = {m: float(np.mean([roc_auc_score(sets[n][1], s.max(axis=1)) for n, (s, _) in per.items()]))
               for m, per in scored.items()}
    threat = {m: scores_and_flags(mod, threat_texts)[1][:, LABEL2ID["threat"]] for m, mod in moderators.items()}
    rng = np.random.default_rng(0)
    draws = {n: [rng.integers(0, len(y), len(y)) for _ in range(B)] for n, (_, y) in sets.items()}
    tdraws = [rng.integers(0, len(threat_texts), len(threat_texts)) for _ in range(B)]

    def bal(m: str, b: int | None) -> float:
        out = []
        for n, (_, y) in sets.items():
            i = slice(None) if b is None else draws[n][b]
            out.append(balanced(y[i], any_flags[m][n][i]))
        return float(np.mean(out))

    base = models[0]
    print(f"| model | eval-only any ROC-AUC | eval-only balanced | minus `{base}` [95% CI] | threat recall, Jigsaw test "
          f"({len(threat_texts)}) | minus [95% CI] |\n|---|---|---|---|---|---|")
    for m in models:
        point = bal(m, None) - bal(base, None)
        diffs = np.array([bal(m, b) - bal(base, b) for b in range(B)])
        t_point = threat[m].mean() - threat[base].mean()
        t_diffs = np.array([threat[m][i].mean() - threat[base][i].mean() for i in tdraws])
        lo, hi = np.percentile(diffs, [2.5, 97.5])
        tlo, thi = np.percentile(t_diffs, [2.5, 97.5])
        print(f"| `{m}` | {any_auc[m]:.4f} | {bal(m, None):.5f} | {point:+.4f} [{lo:+.4f}, {hi:+.4f}] | {threat[m].mean():.3f} | "
              f"{t_point:+.3f} [{tlo:+.3f}, {thi:+.3f}] |")
    print(f"\n{B} paired resamples (seed 0), rows drawn per set.")


if __name__ == "__main__":
    args = sys.argv[1:]
    main([a for a in args if a != "--unread"], unread="--unread" in args)
