"""Behavioural suite (``cleanspeech.evaluation.behaviour``) pass rates of a model.

    .venv/bin/python bench/bench_behaviour.py --model linear --model default
    .venv/bin/python bench/bench_behaviour.py --model runs/linear-robust --name linear-robust
    .venv/bin/python bench/bench_behaviour.py --write-expected   # refresh the regression floor

Scores the suite's ``eval`` templates (never used for training), flagged = any label at or over
the model's own thresholds, and writes bench/results/behaviour_<name>.json and .md with the
machine and date. ``--write-expected`` measures the fast slice with the shipped ``linear`` and
``default`` and writes tests/fixtures/behaviour_expected.json (pass rates minus a margin), which
tests/evaluation/test_behaviour.py asserts as minimums.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
from pathlib import Path

from cleanspeech.evaluation.behaviour import run_suite
from cleanspeech.models import load_model

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results"
EXPECTED = ROOT / "tests" / "fixtures" / "behaviour_expected.json"
MARGIN = 0.05  # near-threshold scores may move a little across CPUs and runtimes


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.processor() or 'cpu'}"


def measure(model_ref: str, fast: bool = False) -> dict:
    model = load_model(model_ref)
    return run_suite(model.predict_proba, model.thresholds, part="eval", fast=fast)


def _fmt(x: float) -> str:
    return "n/a" if x != x else f"{x:.3f}"


def to_markdown(name: str, res: dict, meta: dict) -> str:
    o = res["overall"]
    lines = [f"# Behavioural suite: `{name}`", "",
             f"{meta['date']}, {meta['machine']}. Command: `{meta['command']}`.", "",
             f"{o['n']} cases from the suite's eval templates. Flagged = any label at or over the "
             "model's thresholds.", "",
             "| hateful caught | non-hateful passed | accuracy | AUC (max score) | accuracy vs toxic label |",
             "|---|---|---|---|---|",
             f"| {_fmt(o['hateful_caught'])} | {_fmt(o['non_hateful_passed'])} | {_fmt(o['accuracy'])} "
             f"| {_fmt(o['auc_max_score'])} | {_fmt(o['toxic_accuracy'])} |", "",
             "| functionality | gold | n | pass rate |", "|---|---|---|---|"]
    for f, r in res["per_functionality"].items():
        gold = "hateful" if r["hateful"] else "non-hateful"
        lines.append(f"| {f} | {gold} | {r['n']} | {_fmt(r['pass_rate'])} |")
    lines += ["", "| invariance / directional test | pass rate |", "|---|---|"]
    for k, v in {**res["invariance"], **res["directional"]}.items():
        lines.append(f"| {k} | {_fmt(v)} |")
    return "\n".join(lines) + "\n"


def write_result(name: str, res: dict, command: str) -> None:
    meta = {"date": dt.date.today().isoformat(), "machine": machine(), "command": command,
            "model": name, "part": "eval"}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"behaviour_{name}.json").write_text(json.dumps({**meta, **res}, indent=2) + "\n")
    (OUT / f"behaviour_{name}.md").write_text(to_markdown(name, res, meta))


def write_expected(models: list[str]) -> None:
    expected = {"margin": MARGIN, "date": dt.date.today().isoformat(), "models": {}}
    for ref in models:
        res = measure(ref, fast=True)
        floors = {f: math.floor(max(0.0, r["pass_rate"] - MARGIN) * 100) / 100
                  for f, r in res["per_functionality"].items()}
        expected["models"][ref] = {"min_pass_rate": floors}
    EXPECTED.write_text(json.dumps(expected, indent=2) + "\n")
    print(f"wrote {EXPECTED}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", action="append", default=None, help="shipped name or folder (repeatable)")
    ap.add_argument("--name", action="append", default=None, help="result name per --model")
    ap.add_argument("--write-expected", action="store_true")
    args = ap.parse_args()
    if args.write_expected:
        write_expected(args.model or ["linear", "default"])
        return
    models = args.model or ["linear", "default"]
    names = args.name or [Path(m).name for m in models]
    for ref, name in zip(models, names):
        res = measure(ref)
        write_result(name, res, f"python bench/bench_behaviour.py --model {ref} --name {name}")
        o = res["overall"]
        print(f"{name}: caught {o['hateful_caught']:.3f} passed {o['non_hateful_passed']:.3f} "
              f"acc {o['accuracy']:.3f} auc {o['auc_max_score']:.3f}")


if __name__ == "__main__":
    main()
