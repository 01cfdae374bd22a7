"""Several span taggers as one: their word probabilities averaged, one decision rule on the mean.

Span annotations are noisy (annotators disagree on where an insult starts and ends), and
single taggers trained from different seeds or bases disagree in the same places; the mean of
their word probabilities is steadier than any one of them (``bench/results/span_taggers.md``).

Folder layout: ``tagger.json`` holds the rule (threshold, gaps, post gate, lexicon weight; and
``attribution_rule``, the one ``explain`` applies with the classifier's attributions),
``members`` (sub-folder names) and their ``weights``; ``lexicon.json``, when the rule blends in the
word lexicon; each member is an ordinary :class:`SpanTagger` folder. The member rules are
ignored: only their probabilities count. ``cleanspeech build-span-ensemble`` writes one.

:func:`load_tagger` loads any tagger folder, a single tagger or an ensemble; it lives here
rather than beside :class:`SpanTagger` so that the single tagger never needs to know ensembles.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Sequence
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

import numpy as np

from cleanspeech.explain.lexicon import SpanLexicon
from cleanspeech.explain.tagger import SpanDecoder, SpanTagger, needs_lexicon, read_lexicon, write_lexicon
from cleanspeech.explain.words import Word
from cleanspeech.models.tagger import CONFIG_NAME, TaggerSettings


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



_LOAD_LOCK = threading.Lock()


def load_tagger(path: str) -> SpanDecoder:
    """A cached tagger folder: a :class:`SpanTagger`, or a :class:`TaggerEnsemble` when
    ``tagger.json`` lists members (loaded once per process, under a lock: threads that explain at
    once share one load)."""
    with _LOAD_LOCK:
        return _load_tagger_cached(path)


@lru_cache(maxsize=4)
def _load_tagger_cached(path: str) -> SpanDecoder:
    config_file = Path(path) / CONFIG_NAME
    if config_file.exists() and "members" in json.loads(config_file.read_text(encoding="utf-8")):
        return TaggerEnsemble.load(path)
    return SpanTagger.load(path)
