"""``threat`` at each model's own threshold: recall (and false flags) on Jigsaw test and on the
held-out parts of the train sources whose mapping says anything about threats (issue 32, stop 48:
the check written before D9F ships, whose dev-chosen threat threshold is 0.62 against shipped's 0.32).

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/experiments/threat_recall.py src/cleanspeech/shipped_models/default runs/default_md9f

Sources: ConvAbuse ("Threat"), Implicit Hate (stage-2 "threatening"), ETHOS ("violence"); rows where a
source is silent on ``threat`` are left out. Jigsaw test is the project split's test part.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from cleanspeech.data.io import read_jigsaw
from cleanspeech.data.sources import load_source
from cleanspeech.data.split import split_part
from cleanspeech.labels import LABEL2ID
from cleanspeech.models import load_model

DATA = Path("../shared/data")
THREAT = LABEL2ID["threat"]
SOURCES = ("convabuse", "implicit_hate", "ethos")


def jigsaw_test() -> tuple[list[str], np.ndarray]:
    """The Jigsaw test part of the project split: texts and their ``threat`` labels."""
    test = split_part(read_jigsaw(DATA / "jigsaw" / "train.csv.gz", require_labels=True), "test")
    return test["comment_text"].tolist(), test["threat"].to_numpy(dtype=float)


def rows() -> dict[str, tuple[list[str], np.ndarray]]:
    """``{set: (texts, threat labels)}``, known labels only."""
    out = {"jigsaw test": jigsaw_test()}
    for name in SOURCES:
        part = load_source(name, DATA).part("heldout")
        part = part[part["threat"].notna()]
        out[name] = (part["text"].astype(str).tolist(), part["threat"].to_numpy(dtype=float))
    return out


def main(models: list[str]) -> None:
    sets = rows()
    print("| model | set | threat rows | recall | false-flag rate |\n|---|---|---|---|---|")
    for path in models:
        model = load_model(path)
        for name, (texts, y) in sets.items():
            flagged = model.predict(texts)[:, THREAT].astype(bool)
            pos, neg = y == 1, y == 0
            recall = f"{flagged[pos].mean():.3f}" if pos.any() else "n/a"
            false_flags = f"{flagged[neg].mean():.3f}" if neg.any() else "n/a"
            print(f"| `{path}` | {name} | {int(pos.sum())} of {len(y)} | {recall} | {false_flags} |")


if __name__ == "__main__":
    main(sys.argv[1:])
