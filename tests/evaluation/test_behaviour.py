"""The behavioural suite: its construction, and a fast slice as regression tests of the shipped
models (minimum pass rates per functionality from tests/fixtures/behaviour_expected.json; refresh
with ``python bench/bench_behaviour.py --write-expected`` after rebuilding a shipped model)."""

import json
from pathlib import Path

import numpy as np
import pytest

from cleanspeech.evaluation.behaviour import (
    OBFUSCATIONS, build_suite, directional_pairs, fast_slice, obfuscate, run_suite, template_parts,
)
from cleanspeech.evaluation.behaviour_templates import PHENOMENA
from cleanspeech.labels import N_LABELS

EXPECTED = Path(__file__).resolve().parents[1] / "fixtures" / "behaviour_expected.json"


def test_templates_split_into_disjoint_balanced_parts():
    parts = template_parts()
    assert parts == template_parts()  # deterministic
    for name, (_, _, templates) in PHENOMENA.items():
        mine = [parts[f"{name}:{i}"] for i in range(len(templates))]
        assert abs(mine.count("eval") - mine.count("train")) <= 1, name
    train, evaluation = build_suite("train"), build_suite("eval")
    assert not {c.template_id for c in train} & {c.template_id for c in evaluation}
    assert not {c.text for c in train} & {c.text for c in evaluation}
    assert len(build_suite(None)) == len(train) + len(evaluation)


def test_cases_are_labelled_and_ids_unique():
    cases = build_suite(None)
    assert len({c.id for c in cases}) == len(cases)
    assert {c.hateful for c in cases} == {True, False}
    for c in cases:
        assert "{" not in c.text and "<" not in c.text, c.text
        assert c.part in ("train", "eval")
    by_func: dict[str, set[bool]] = {}
    for c in cases:
        by_func.setdefault(c.functionality, set()).add(c.hateful)
    assert all(len(v) == 1 for v in by_func.values())  # one gold label per functionality


@pytest.mark.parametrize(("kind", "expected"), [
    ("leet", "they are d15gu571ng"), ("repeat", "they are diiiiisgusting"),
    ("swap", "they are disgsuting"), ("spaced", "they are d i s g u s t i n g"),
    ("masked", "they are d*sg*sting"), ("fullwidth", "they are ｄｉｓｇｕｓｔｉｎｇ"),
])
def test_obfuscations_touch_only_marked_words(kind, expected):
    assert obfuscate("they are <disgusting>", kind) == expected


def test_every_obfuscation_kind_is_in_the_suite():
    funcs = {c.functionality for c in build_suite("eval")}
    assert {f"obf_{k}" for k in OBFUSCATIONS} <= funcs


def test_run_suite_scores_against_thresholds():
    """A scorer that flags texts containing 'hate' gets exactly the expected verdicts."""
    def score(texts):
        return np.array([[0.9 if "hate" in t.lower() else 0.1] * N_LABELS for t in texts])

    res = run_suite(score, np.full(N_LABELS, 0.5), fast=True)
    cases = fast_slice(build_suite("eval"))
    flagged = np.array(["hate" in c.text.lower() for c in cases])
    gold = np.array([c.hateful for c in cases])
    assert res["overall"]["accuracy"] == pytest.approx(float((flagged == gold).mean()))
    assert res["directional"]["dir_add_hate"] == 1.0  # the appended sentence says "hate"
    assert len(directional_pairs(cases)["dir_counter"]) > 0


EXPECTED_MODELS = json.loads(EXPECTED.read_text())["models"] if EXPECTED.exists() else {}


@pytest.mark.parametrize("model_name", sorted(EXPECTED_MODELS))
def test_shipped_model_keeps_its_behaviour(model_name):
    from cleanspeech.models import load_model

    model = load_model(model_name)
    res = run_suite(model.predict_proba, model.thresholds, fast=True)
    floors = EXPECTED_MODELS[model_name]["min_pass_rate"]
    got = {f: r["pass_rate"] for f, r in res["per_functionality"].items()}
    failing = {f: (round(got.get(f, 0.0), 3), floor) for f, floor in floors.items() if got.get(f, 0.0) < floor}
    assert not failing, f"{model_name}: pass rate below the recorded floor (got, floor): {failing}"
