"""Operating point across sources: choose one logit offset on a model's thresholds on a dev pool.

    .venv/bin/python bench/bench_operating.py --model runs/default_ml --out bench/results/operating_ml
    .venv/bin/python bench/bench_operating.py --model runs/default_ml --apply   # + thresholds.json

The pool (:func:`cleanspeech.training.operating.operating_pool`): per train source at most
``--per-source`` rows no model trained on and no cross-source figure reads, plus the Jigsaw dev
part of the project split. The model scores it once (and the worst part of each comment, as
served); the decision a moderator gets ("any label raised", :func:`cleanspeech.decision.raised`)
is then read at each offset of the grid, and the offset with the best mean balanced accuracy
over the groups is chosen (:func:`cleanspeech.training.operating.choose_offset`). ``--apply``
writes the moved thresholds into the model folder's ``thresholds.json``, with where they came
from. Writes ``OUT.json`` and ``OUT.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech.decision import raised
from cleanspeech.labels import LABELS
from cleanspeech.models.thresholds import load_thresholds, save_thresholds
from cleanspeech.pipeline import Moderator
from cleanspeech.training.config import MIXTURE_CACHE
from cleanspeech.training.operating import (
    Groups,
    choose_offset,
    dev_pool,
    label_positives,
    labels_to_move,
    mean_rates,
)

ROOT = Path(__file__).resolve().parent.parent


def scored_groups(model_name: str, pool: pd.DataFrame) -> tuple[np.ndarray, Groups]:
    """The model's thresholds and, per pool group, ``(target, decide)`` for :func:`choose_offset`:
    scores and worst parts computed once, the served decision read at any thresholds."""
    moderator = Moderator.load(model_name)
    texts = pool["text"].tolist()
    scores = moderator.scores(texts)
    _, part_scores = moderator.worst_parts(texts)
    groups = {}
    for name, idx in pool.groupby("source", sort=False).indices.items():
        sub_texts = [texts[i] for i in idx]
        groups[name] = (pool["target"].to_numpy()[idx],
                        lambda t, idx=idx, sub=sub_texts: raised(sub, scores[idx], t, part_scores[idx])[0].any(axis=1))
    return np.asarray(moderator.thresholds, dtype=np.float64), groups


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="shipped name or model folder")
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--mixture-cache", default=MIXTURE_CACHE)
    ap.add_argument("--per-source", type=int, default=500)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "operating"), help="path stem")
    ap.add_argument("--apply", action="store_true", help="write the moved thresholds into the model folder")
    ap.add_argument("--match-passed-of", default=None,
                    help="a reference model: only offsets whose mean passed rate on the pool reaches the "
                         "reference's at its own thresholds are eligible")
    ap.add_argument("--min-positives", type=int, default=0,
                    help="move only the labels with at least this many known positives in the pool; "
                         "the others keep their thresholds as fitted (0: move all six)")
    args = ap.parse_args(argv)

    pool = dev_pool(args.data_dir, args.mixture_cache, args.per_source)
    base, groups = scored_groups(args.model, pool)
    reference = None
    if args.match_passed_of:
        ref_base, ref_groups = scored_groups(args.match_passed_of, pool)
        reference = mean_rates(ref_groups, ref_base)
    moves = labels_to_move(pool, args.min_positives)
    choice = choose_offset(base, groups, min_passed=reference["passed"] if reference else None, moves=moves)
    at0 = next(c for c in choice.curve if c["delta"] == 0.0)
    best = next(c for c in choice.curve if c["delta"] == choice.delta)
    meta = {"date": dt.date.today().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
            "command": " ".join([".venv/bin/python", "bench/bench_operating.py",
                                 *map(shlex.quote, sys.argv[1:] if argv is None else argv)]),
            "model": args.model, "rows": {k: int(len(v[0])) for k, v in groups.items()},
            "positives": label_positives(pool),
            "moved_labels": [lab for lab, m in zip(LABELS, moves) if m],
            "reference": None if reference is None else {"model": args.match_passed_of, **reference}}
    out = Path(args.out)
    out.with_suffix(".json").write_text(json.dumps({"meta": meta, "base_thresholds": base.tolist(),
                                                    "choice": choice.to_dict()}, indent=1) + "\n")
    lines = [f"# Operating point across sources: `{args.model}`", "",
             f"{meta['date']}, {meta['machine']}. Command: `{meta['command']}`.", "",
             f"Chosen offset {choice.delta:+.1f} (logit): mean balanced accuracy over {len(groups)} groups "
             f"{at0['mean_balanced']:.3f} -> {choice.objective:.3f}; mean caught {at0['mean_caught']:.3f} -> "
             f"{best['mean_caught']:.3f}, mean passed {at0['mean_passed']:.3f} -> {best['mean_passed']:.3f}.",
             *([] if reference is None else [
                 "", f"Eligible offsets keep mean passed >= {reference['passed']:.3f}, `{args.match_passed_of}`'s "
                 f"at its own thresholds (its mean caught {reference['caught']:.3f}, balanced {reference['balanced']:.3f})."]),
             "",
             "| label | positives in the pool | threshold as fitted | moved |", "|---|---|---|---|"]
    lines += [f"| {lab} | {meta['positives'][lab]} | {a:.3f} | {b:.3f}{'' if m else ' (kept: too few positives)'} |"
              for lab, a, b, m in zip(LABELS, base, choice.thresholds, moves)]
    lines += ["", "| group | rows | caught, as fitted | passed, as fitted | caught, moved | passed, moved |",
              "|---|---|---|---|---|---|"]
    for name in groups:
        a, b = at0["groups"][name], best["groups"][name]
        lines.append(f"| {name} | {meta['rows'][name]} | {a['caught']:.3f} | {a['passed']:.3f} | "
                     f"{b['caught']:.3f} | {b['passed']:.3f} |")
    lines += ["", "Curve (offset: mean balanced accuracy): "
              + ", ".join(f"{c['delta']:+.1f}: {c['mean_balanced']:.3f}" for c in choice.curve), ""]
    out.with_suffix(".md").write_text("\n".join(lines))
    print("\n".join(lines))
    if args.apply:
        folder = Path(args.model)
        if not (folder / "thresholds.json").is_file():
            raise SystemExit(f"--apply needs a model folder with thresholds.json, got {folder}")
        old = json.loads((folder / "thresholds.json").read_text())
        assert np.allclose(load_thresholds(folder / "thresholds.json"), base)
        save_thresholds(folder / "thresholds.json", np.asarray(choice.thresholds),
                        tuned_on=f"{old['tuned_on']}; then {', '.join(meta['moved_labels'])} moved by {choice.delta:+.1f} "
                                 f"logit on the cross-source dev pool (bench/bench_operating.py"
                                 + (f" --min-positives {args.min_positives})" if args.min_positives else ")"),
                        prevalence=old.get("prevalence"),
                        objective=f"{old.get('objective', 'max F1 per label')}; offset: max mean balanced "
                                  "accuracy of any label raised over sources"
                                  + ("" if reference is None else f", mean passed >= {reference['passed']:.3f} "
                                     f"({args.match_passed_of} at its thresholds)"))
        print(f"wrote {folder / 'thresholds.json'}")


if __name__ == "__main__":
    main()
