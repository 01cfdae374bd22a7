"""ToxicityModel's interface: the defaults callers rely on instead of probing attributes, and
the layering rule that models import nothing above them."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

import cleanspeech.models
from cleanspeech.models.base import ToxicityModel

# the stages above the models (data -> models -> evaluation/training -> explain -> rewrite ->
# pipeline -> cli/server/ui)
ABOVE_MODELS = ("evaluation", "training", "explain", "rewrite", "pipeline", "cli", "server", "ui")


class _Half(ToxicityModel):
    model_type = "half"

    def predict_proba(self, texts):
        return np.full((len(texts), 6), 0.5)


def test_defaults_of_the_interface():
    model = _Half()
    probs, routed = model.predict_proba_routed(["a", "b"])
    assert probs.shape == (2, 6) and routed is None and model.routes is False
    assert model.attribution_method() == "occlusion"
    assert model.attribution_mix("a") is None
    assert model.predict(["a"]).tolist() == [[1] * 6]


def test_a_kind_names_its_attribution_method():
    from cleanspeech.models.linear import LinearConfig, LinearModel

    assert LinearModel().attribution_method() == "exact"
    # cleaning moves character offsets: occlusion explains instead
    assert LinearModel(LinearConfig(cleaning="design-v1")).attribution_method() == "occlusion"


def test_models_import_no_stage_above_them():
    root = Path(cleanspeech.models.__file__).parent
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                assert not (parts[0] == "cleanspeech" and len(parts) > 1 and parts[1] in ABOVE_MODELS), \
                    f"{path.name} imports {name}"
