"""Time the shipped default with and without its group-hate head (and linear) on 1,500 Jigsaw
test comments, fastest of 3 interleaved rounds:

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/experiments/hate_head_speed.py
"""

from __future__ import annotations

import time

from cleanspeech.data.io import read_jigsaw
from cleanspeech.data.split import split_part
from cleanspeech.models.registry import load_model

test = split_part(read_jigsaw("../shared/data/jigsaw/train.csv.gz", require_labels=True), "test")
texts = test.comment_text.tolist()[:1500]
cascade, linear = load_model("default"), load_model("linear")
head = cascade.hate_head
cascade.predict_proba(texts[:50])  # warm-up: ONNX session, caches
seconds: dict[str, list[float]] = {"with": [], "without": [], "linear": []}
for _ in range(3):
    for name in seconds:
        cascade.hate_head = head if name == "with" else None
        model = linear if name == "linear" else cascade
        start = time.perf_counter()
        model.predict_proba(texts)
        seconds[name].append(time.perf_counter() - start)
print({name: round(min(v), 2) for name, v in seconds.items()})
