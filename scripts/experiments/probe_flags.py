"""Which labels each model flags on the hand probes, at its own thresholds (issue 32, stop 48).

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/experiments/probe_flags.py src/cleanspeech/shipped_models/default runs/default_md6jc

The probes (``bench/results/mixture2/hand_probes.txt``, none trained on) hold the issue's hand examples
and civil statements about groups. Prints, per model, the labels over threshold for each probe and a
count of flagged civil group statements (the six listed in ``CIVIL``) and caught hateful ones (``HATEFUL``).
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


def main(models: list[str]) -> None:
    texts = [line.strip() for line in PROBES.read_text(encoding="utf-8").splitlines() if line.strip()]
    for path in models:
        flags = load_model(path).predict(texts)
        print(path)
        for text, row in zip(texts, flags):
            print(f"  {text[:50]:50s} {', '.join(lab for lab, f in zip(LABELS, row) if f) or '-'}")
        civil = sum(bool(row.any()) for t, row in zip(texts, flags) if t in CIVIL)
        hateful = sum(bool(row.any()) for t, row in zip(texts, flags) if t in HATEFUL)
        print(f"  civil group statements flagged {civil}/{len(CIVIL)}; hateful caught {hateful}/{len(HATEFUL)}")


if __name__ == "__main__":
    main(sys.argv[1:])
