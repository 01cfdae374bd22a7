"""Several span taggers as one: their word probabilities averaged, one decision rule on the mean.

Span annotations are noisy (annotators disagree on where an insult starts and ends), and
single taggers trained from different seeds or bases disagree in the same places; the mean of
their word probabilities is steadier than any one of them (``bench/results/span_taggers.md``).

Folder layout: ``tagger.json`` holds the rule (threshold, gaps, post gate, lexicon weight; and
``attribution_rule``, the one ``explain`` applies with the classifier's attributions),
``members`` (sub-folder names) and their ``weights``; ``lexicon.json``, when the rule blends in the
word lexicon; each member is an ordinary :class:`SpanTagger` folder. The member rules are
ignored: only their probabilities count.

    python -m cleanspeech.explain.tagger_ensemble --member runs/a/split --member runs/b/split \\
        --threshold 0.35 --out OUT
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from cleanspeech.explain.lexicon import SpanLexicon
from cleanspeech.explain.tagger import (
    CONFIG_NAME,
    SpanDecoder,
    SpanTagger,
    TaggerSettings,
    needs_lexicon,
    read_lexicon,
    write_lexicon,
)
from cleanspeech.explain.words import Word


class TaggerEnsemble(SpanDecoder):
    """Mean word probabilities of ``members`` (weighted), decoded by ``settings``' rule."""

    def __init__(self, members: Sequence[SpanTagger], weights: Sequence[float] | None,
                 settings: TaggerSettings, lexicon: SpanLexicon | None = None) -> None:
        if not members:
            raise ValueError("a tagger ensemble needs at least one member")
        w = np.ones(len(members)) if weights is None else np.asarray(weights, dtype=float)
        if len(w) != len(members) or (w < 0).any() or w.sum() <= 0:
            raise ValueError(f"need one non-negative weight per member, not {list(w)}")
        self.members = list(members)
        self.weights = w / w.sum()
        self.settings = settings
        self.lexicon = lexicon
        if needs_lexicon(settings) and lexicon is None:
            raise ValueError("the ensemble's rule blends in a word lexicon, but none was given")

    def word_probs(self, texts: Sequence[str]) -> list[tuple[list[Word], np.ndarray]]:
        """Per text, its words and the weighted mean of the members' word probabilities."""
        per_member = [m.word_probs(texts) for m in self.members]
        out = []
        for i in range(len(texts)):
            words = per_member[0][i][0]
            out.append((words, sum(w * pm[i][1] for w, pm in zip(self.weights, per_member))))
        return out

    def save(self, path: str | Path, member_paths: Sequence[str | Path]) -> Path:
        """Copy the member folders in (``member_0`` …) and write the ensemble's ``tagger.json``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        names = []
        for i, src in enumerate(member_paths):
            name = f"member_{i}"
            shutil.copytree(src, path / name, dirs_exist_ok=True)
            names.append(name)
        write_lexicon(self.lexicon, path)
        config = asdict(self.settings)
        config.update(members=names, weights=[round(float(w), 4) for w in self.weights])
        (path / CONFIG_NAME).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> TaggerEnsemble:
        path = Path(path)
        config = json.loads((path / CONFIG_NAME).read_text(encoding="utf-8"))
        members = [SpanTagger.load(path / name) for name in config["members"]]
        return cls(members, config.get("weights"), TaggerSettings.from_dict(config), read_lexicon(path))


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--member", action="append", required=True, help="a span-tagger folder (repeatable)")
    ap.add_argument("--weight", type=float, action="append", help="one per member (default: equal)")
    ap.add_argument("--threshold", type=float, required=True, help="word threshold on the mean")
    ap.add_argument("--metrics", help="JSON file of metrics to record in tagger.json")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    members = [SpanTagger.load(m) for m in args.member]
    settings = TaggerSettings(base_model=members[0].settings.base_model, threshold=args.threshold, join_gaps=True,
                              metrics=json.loads(Path(args.metrics).read_text()) if args.metrics else {},
                              training={"ensemble_of": [str(m) for m in args.member]})
    TaggerEnsemble(members, args.weight, settings).save(args.out, args.member)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
