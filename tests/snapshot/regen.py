"""Write ``tests/snapshot/expected.json``: what the shipped ``default`` model says about a fixed
set of comments (scores, labels, spans, rewrites) and what ``cleanspeech demo`` prints.

``test_snapshot.py`` compares today's behaviour with it, so a change that is meant to move code
(not behaviour) proves it moved nothing. Regenerate only when a change is *meant* to alter
behaviour, and say so in the commit:

    python -m tests.snapshot.regen
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXPECTED = HERE / "expected.json"

# Comments a moderator tries first, and the rewrite cases the issues list.
EXTRA = [
    "Gay marriage should be legal.",
    "Calling someone a f****t is homophobic and wrong.",
    "He called me a bitch and I reported him.",
    "Jews control the media.",
    "I know where your kids go to school.",
    "Tu es un connard.",
    "they always bitch about every single decision the council makes .",
    "my neighbour is a stupid cow who never cleans up .",
    "stop being a lazy ass and do your homework .",
    "he is a complete moron and should resign .",
    "who the hell wrote this crap article ?",
    "",
]


def texts() -> list[str]:
    from cleanspeech.cli.demo import EXAMPLES

    with open(ROOT / "examples" / "comments.csv", newline="", encoding="utf-8") as fh:
        sample = [row["comment_text"] for row in csv.DictReader(fh)]
    return list(EXAMPLES) + sample + EXTRA


def behaviour(moderator, items: list[str]) -> list[dict]:
    mods = moderator.moderate(items)
    exps = moderator.explain(items)
    rews = moderator.rewrite(items)
    out = []
    for text, m, e, r in zip(items, mods, exps, rews):
        out.append({
            "text": text,
            "scores": [round(float(s), 4) for s in m.scores],
            "labels": list(m.labels),
            "spans": [[int(s), int(t)] for s, t in e.spans],
            "rewrite": r.rewrite,
            "civil": bool(r.civil),
            "method": r.method,
        })
    return out


def demo_output() -> str:
    from typer.testing import CliRunner

    from cleanspeech.cli import app

    res = CliRunner().invoke(app, ["demo"], env={"COLUMNS": "160", "TERM": "dumb"})
    assert res.exit_code == 0, res.output
    return res.output


def main() -> None:
    from cleanspeech.pipeline import Moderator

    items = texts()
    data = {"cases": behaviour(Moderator.load("default"), items), "demo": demo_output()}
    EXPECTED.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {EXPECTED} ({len(items)} comments)")


if __name__ == "__main__":
    main()
