"""Per-word, per-label attributions for every model kind, chosen by the model's
:meth:`~cleanspeech.models.base.ToxicityModel.attribution_method`.

* ``exact`` (linear): exact per-feature contributions (:mod:`.linear_attr`).
* ``integrated-gradients`` (transformer): Integrated Gradients on the embeddings (:mod:`.gradients`).
* ``ensemble`` / ``cascade``: each member explained by its own method, then combined as the
  model's :meth:`~cleanspeech.models.base.ToxicityModel.attribution_mix` says (an ensemble's
  weights after the chain rule ``dp = p(1-p) dz`` for probability means; a cascade's per-label
  logit weights on the route the comment takes, calibration slopes included), so attributions
  stay in the model's logit units.
* ``occlusion``: anything else (:mod:`.occlusion`).

A linear model whose cleaning is ``normalize-v1`` (which can move character offsets) says
``occlusion``; under ``auto`` its exact attributions are computed on the normalized text, which is
what the model reads, and mapped back onto the original's words through
:func:`~cleanspeech.data.normalize.normalize_with_offsets` (``mapped_method``).

Occlusion costs ``n_words + 1`` model calls per text. Given ``priority`` (per text, a score per
word: ``explain`` passes the span tagger's word probabilities), an occluded model deletes only
the ``OCCLUSION_WORDS`` words that rank highest there, and the other words get 0 from it: the
words that can become spans are the ones measured. Integrated Gradients was no cheaper for the
shipped transformer on a CPU (one backward pass per label costs about a forward pass each, in
fp32, against int8 ONNX forwards for occlusion; ``bench/results/explain_profile.md``).

All return ``(n_words, 6)`` arrays in logit units, aligned with the words of the original text.
:func:`word_attributions_many` explains a batch: each member model is called once for all the
texts that need it (Integrated Gradients batches their windows by length), with the results of
:func:`word_attributions` text by text, up to float rounding.
"""

from __future__ import annotations

import numpy as np

from cleanspeech.data.normalize import normalize_with_offsets
from cleanspeech.explain.gradients import (
    DEFAULT_STEPS, ENSEMBLE_MEMBER_STEPS, transformer_word_attributions, transformer_word_attributions_many,
)
from cleanspeech.explain.linear_attr import char_contributions, linear_word_attributions
from cleanspeech.explain.occlusion import occlusion_word_attributions, occlusion_word_attributions_many
from cleanspeech.explain.words import Word, sum_chars_to_words
from cleanspeech.models.base import AttributionMix, ToxicityModel

METHODS = ("auto", "exact", "integrated-gradients", "occlusion")
COMPOSITE_METHODS = ("ensemble", "cascade")
# words an occluded model deletes one at a time when the caller ranks them (``priority``)
OCCLUSION_WORDS = 6
# cleanings whose offset map is known: attributions on the cleaned text map back to the original
OFFSET_MAPS = {"normalize-v1": normalize_with_offsets}


def method_for(model: ToxicityModel, method: str = "auto") -> str:
    """The attribution method used for ``model`` (``auto`` picks the model's faithful default)."""
    if method not in METHODS:
        raise ValueError(f"unknown attribution method {method!r}; choose one of {METHODS}")
    return model.attribution_method() if method == "auto" else method


def mapped_method(model: ToxicityModel, method: str = "auto") -> str | None:
    """``exact`` when ``model`` is linear and says occlusion only because its cleaning moves
    offsets, and the cleaning has an offset map (see the module docstring); else None. Only under
    ``auto``: an explicit method is always honoured."""
    if method != "auto" or getattr(model, "cleaning", "none") not in OFFSET_MAPS:
        return None
    return "exact" if model.model_type == "linear" else None


def mapped_word_attributions(model: ToxicityModel, text: str, words: list[Word]) -> np.ndarray:
    """A linear model's exact attributions computed on its cleaning of ``text``, mapped back onto
    ``words`` of the original (a character the cleaning merged, as in ``f u c k``, gives its
    share to the characters it came from)."""
    cleaned, origin = OFFSET_MAPS[model.cleaning](text)
    char, _ = char_contributions(model, cleaned, cleaned=True)
    back = np.zeros((len(text), char.shape[1]))
    np.add.at(back, origin[:len(char)], char)
    return sum_chars_to_words(back, words)


def top_words(words: list[Word], priority: np.ndarray, k: int = OCCLUSION_WORDS) -> list[int]:
    """Indices of the ``k`` words (letters or digits) with the highest ``priority``."""
    idx = [i for i, w in enumerate(words) if w.is_alnum]
    return sorted(sorted(idx, key=lambda i: -float(priority[i]))[:k])


def word_attributions(model: ToxicityModel, text: str, words: list[Word], method: str = "auto",
                      n_steps: int | None = None, scores: np.ndarray | None = None) -> np.ndarray:
    """``(n_words, 6)`` attributions of ``words`` (from ``text``) for ``model``; ``scores``: the
    model's ``(6,)`` probabilities for ``text`` when the caller has them (a cascade reads them)."""
    if not words:
        return np.zeros((0, 6))
    if mapped_method(model, method):
        return mapped_word_attributions(model, text, words)
    chosen = method_for(model, method)
    if chosen in COMPOSITE_METHODS:
        mix = model.attribution_mix(text, scores)
        if mix is None:
            raise ValueError(f"{model.model_type}: attribution method {chosen!r} needs an attribution_mix")
        # members of a mix share the explanation budget: one IG step each matched more steps
        # inside the shipped ensemble (bench/results/explain.md)
        shared = chosen == "ensemble" or len(mix.terms) > 1
        steps = n_steps or (ENSEMBLE_MEMBER_STEPS if shared else DEFAULT_STEPS)
        return mixed_word_attributions(mix, text, words, steps)
    if chosen == "exact":
        if model.model_type != "linear":
            raise ValueError("exact attributions exist only for the linear model")
        return linear_word_attributions(model, text, words)
    if chosen == "integrated-gradients":
        return transformer_word_attributions(model, text, words, n_steps=n_steps or DEFAULT_STEPS)
    return occlusion_word_attributions(model, text, words)


def mixed_word_attributions(mix: AttributionMix, text: str, words: list[Word], n_steps: int) -> np.ndarray:
    """``Σ_m weight_m ⊙ a_m`` (divided by ``mix.divisor`` when given) over the mix's members, each
    explained by its own default method with ``n_steps``; labels in ``mix.follow_toxic`` then take
    the ``toxic`` column."""
    return combine_mix(mix, [word_attributions(m, text, words, "auto", n_steps) for m, _ in mix.terms])


def word_attributions_many(model: ToxicityModel, texts: list[str], words: list[list[Word]],
                           method: str = "auto", n_steps: int | None = None,
                           scores: np.ndarray | None = None,
                           priority: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """:func:`word_attributions` of every text (``words[i]`` from ``texts[i]``; ``scores``:
    ``(n, 6)`` when the caller has them), each model's share computed for all texts at once.
    ``priority[i]``: ``(n_words,)`` ranking the words of text ``i`` for a model explained by
    occlusion, which then deletes only the top :data:`OCCLUSION_WORDS` (module docstring)."""
    out = [np.zeros((0, 6)) for _ in texts]
    todo = [i for i, w in enumerate(words) if w]
    if not todo:
        return out
    if mapped_method(model, method):
        for i in todo:
            out[i] = mapped_word_attributions(model, texts[i], words[i])
        return out
    chosen = method_for(model, method)
    if chosen in COMPOSITE_METHODS:
        mixes = {}
        for i in todo:
            mix = model.attribution_mix(texts[i], None if scores is None else scores[i])
            if mix is None:
                raise ValueError(f"{model.model_type}: attribution method {chosen!r} needs an attribution_mix")
            mixes[i] = mix
        # a member's attributions for every text whose mix names it, in one batched call
        members: dict[tuple[int, int], list[int]] = {}
        shared = {i: chosen == "ensemble" or len(mix.terms) > 1 for i, mix in mixes.items()}
        for i, mix in mixes.items():
            steps = n_steps or (ENSEMBLE_MEMBER_STEPS if shared[i] else DEFAULT_STEPS)
            for m, _ in mix.terms:
                members.setdefault((id(m), steps), []).append(i)
        by_member = {}
        for (key, steps), idx in members.items():
            m = next(m for m, _ in mixes[idx[0]].terms if id(m) == key)
            got = word_attributions_many(m, [texts[i] for i in idx], [words[i] for i in idx], "auto", steps,
                                         priority=None if priority is None else [priority[i] for i in idx])
            by_member.update({(key, steps, i): a for i, a in zip(idx, got)})
        for i, mix in mixes.items():
            steps = n_steps or (ENSEMBLE_MEMBER_STEPS if shared[i] else DEFAULT_STEPS)
            out[i] = combine_mix(mix, [by_member[(id(m), steps, i)] for m, _ in mix.terms])
        return out
    if chosen == "integrated-gradients":
        got = transformer_word_attributions_many(model, [texts[i] for i in todo], [words[i] for i in todo],
                                                 n_steps=n_steps or DEFAULT_STEPS)
        for i, a in zip(todo, got):
            out[i] = a
        return out
    if chosen == "occlusion":
        only = None if priority is None else [top_words(words[i], priority[i]) for i in todo]
        got = occlusion_word_attributions_many(model, [texts[i] for i in todo], [words[i] for i in todo], only)
        for i, a in zip(todo, got):
            out[i] = a
        return out
    for i in todo:
        out[i] = word_attributions(model, texts[i], words[i], chosen, n_steps)
    return out


def combine_mix(mix: AttributionMix, member_attrs: list[np.ndarray]) -> np.ndarray:
    """The mix's attributions from its members' (in ``mix.terms`` order)."""
    attrs = sum(np.asarray(w) * a for (_, w), a in zip(mix.terms, member_attrs))
    if mix.divisor is not None:
        attrs = attrs / mix.divisor
    for j in mix.follow_toxic:
        attrs[:, j] = attrs[:, 0]
    return attrs
