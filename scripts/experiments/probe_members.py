"""toxic / threat / identity_hate of each model on the hand probes (issue 32, stop 44).

    .venv/bin/python scripts/experiments/probe_members.py runs/member_m3 runs/member_m4

The probes (``bench/results/mixture2/hand_probes.txt``): the issue's hand examples plus civil
claims about groups in the frames of the hateful training templates. None is trained on.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cleanspeech.models import load_model

PROBES = Path(__file__).resolve().parents[2] / "bench" / "results" / "mixture2" / "hand_probes.txt"


def main(models: list[str]) -> None:
    texts = [line.strip() for line in PROBES.read_text(encoding="utf-8").splitlines() if line.strip()]
    for path in models:
        scores = load_model(path).predict_proba(texts)
        print(path)
        for text, row in zip(texts, scores):
            print(f"  {text[:45]:45s} tox {row[0]:.2f} thr {row[3]:.2f} ih {row[5]:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
