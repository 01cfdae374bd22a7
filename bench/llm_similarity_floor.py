"""Where to put the LLM similarity floor: the distribution of ``reply_similarity(reference,
toxic)`` over the human paraphrases of the ParaDetox *training* pairs (the held-out 10% is never
read). Writes bench/results/llm_similarity_floor.json.

    python bench/llm_similarity_floor.py
"""

from __future__ import annotations

import json
import platform
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from cleanspeech.data.io import write_text_atomic
from cleanspeech.rewrite.llm import MIN_SIMILARITY, injection_problem, reply_similarity
from cleanspeech.rewrite.paradetox import DEFAULT_PARADETOX, read_pairs, split_pairs

OUT = Path(__file__).resolve().parent / "results" / "llm_similarity_floor.json"


def main() -> None:
    train, _ = split_pairs(read_pairs(DEFAULT_PARADETOX))
    sims = np.array([reply_similarity(ref, p.toxic) for p in train for ref in p.references])
    flagged = sum(injection_problem(ref, p.toxic) is not None for p in train for ref in p.references)
    pct = {str(q): round(float(np.percentile(sims, q)), 4) for q in (0.5, 1, 2, 5, 10, 50)}
    res = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()} ({platform.system()})",
        "data": "ParaDetox training 90% (split_pairs, seed 42), every human reference vs its toxic source",
        "references": int(len(sims)),
        "percentiles": pct,
        "floor": MIN_SIMILARITY,
        "share_under_floor": round(float((sims < MIN_SIMILARITY).mean()), 4),
        "references_flagged_by_injection_guard": int(flagged),
    }
    write_text_atomic(json.dumps(res, indent=2) + "\n", OUT)
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
