"""toxic / threat / identity_hate of each model on the hand probes (issue 32, stop 44), or with
``--flags`` the labels each model flags at its own thresholds (stop 48).

    .venv/bin/python scripts/experiments/probe_members.py runs/member_m3 runs/member_m4
    .venv/bin/python scripts/experiments/probe_members.py --flags src/cleanspeech/shipped_models/default runs/default_md9f

The probes (``bench/results/mixture2/hand_probes.txt``): the issue's hand examples plus civil
claims about groups in the frames of the hateful training templates. None is trained on. With
``--flags``, a count of the civil group statements flagged (``CIVIL``) and the hateful ones caught
(``HATEFUL``) closes each model's list.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cleanspeech.labels import LABELS
from cleanspeech.models import load_model

PROBES = Path(__file__).resolve().parents[2] / "bench" / "results" / "mixture2" / "hand_probes.txt"
CIVIL = {"Gay marriage should be legal.", "Women deserve equal pay.", "Women should be paid the same as men.",
         "Jews deserve to be safe.", "Gay people should have equal rights.", "Black lives matter."}
HATEFUL = {"Jews control the media.", "Women should not be allowed to vote.", "Immigrants are vermin."}


def scores_line(row) -> str:
    return f"tox {row[0]:.2f} thr {row[3]:.2f} ih {row[5]:.2f}"


def flags_line(row) -> str:
    return ", ".join(lab for lab, f in zip(LABELS, row) if f) or "-"


def main(models: list[str], flags: bool = False) -> None:
    texts = [line.strip() for line in PROBES.read_text(encoding="utf-8").splitlines() if line.strip()]
    for path in models:
        model = load_model(path)
        rows = model.predict(texts) if flags else model.predict_proba(texts)
        print(path)
        for text, row in zip(texts, rows):
            print(f"  {text[:45]:45s} {(flags_line if flags else scores_line)(row)}")
        if flags:
            civil = sum(bool(row.any()) for t, row in zip(texts, rows) if t in CIVIL)
            hateful = sum(bool(row.any()) for t, row in zip(texts, rows) if t in HATEFUL)
            print(f"  civil group statements flagged {civil}/{len(CIVIL)}; hateful caught {hateful}/{len(HATEFUL)}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main([a for a in args if a != "--flags"], flags="--flags" in args)
