"""The language-model check of edits (rewrite.fluency): the worst junction, which candidates it
reads, how the choice uses it, and the generator's plain language-model scores it rests on."""

from __future__ import annotations

import pytest

from cleanspeech.rewrite.candidate import Candidate, Source, Tier
from cleanspeech.rewrite.fluency import attach_fluency, fluent_edits, worst_junction
from cleanspeech.rewrite.verify import choose

END = 0  # the end-of-text token id in the hand-made scores below


def test_worst_junction_is_the_drop_of_the_token_after_a_change():
    # "you make me sick ." -> "you make me ." : the full stop after the hole lost 4 nats
    before = ([1, 2, 3, 4, 5, END], [-3.0, -1.0, -1.0, -2.0, -0.5, -0.2])
    after = ([1, 2, 3, 5, END], [-3.0, -1.0, -1.0, -4.5, -0.2])
    assert worst_junction(before, after) == pytest.approx(-4.0)
    # a swap whose junction reads better is no drop; nothing changed is no drop
    swap = ([1, 2, 3, 9, 5, END], [-3.0, -1.0, -1.0, -3.0, -0.1, -0.2])
    assert worst_junction(before, swap) == 0.0
    assert worst_junction(before, before) == 0.0
    # two changes: the worse junction counts
    two = ([1, 3, 5, END], [-3.0, -1.5, -3.0, -0.2])
    assert worst_junction(before, two) == pytest.approx(-2.5)


class TableLM:
    """Token scores looked up by text: each text a list of (token, log-prob), end token added."""

    def __init__(self, table: dict[str, list[tuple[int, float]]]) -> None:
        self.table, self.asked = table, []

    def token_logprobs(self, texts):
        self.asked.append(list(texts))
        return [([t for t, _ in self.table[x]] + [END], [lp for _, lp in self.table[x]] + [-0.2]) for x in texts]


TEXT = "kelly , you make me sick ."
LM = TableLM({
    TEXT: [(1, -3.0), (2, -1.0), (3, -1.0), (4, -1.0), (5, -1.0), (6, -2.0), (7, -0.5)],
    "kelly , you make me .": [(1, -3.0), (2, -1.0), (3, -1.0), (4, -1.0), (5, -1.0), (7, -5.0)],
    "kelly , you make me unhappy .": [(1, -3.0), (2, -1.0), (3, -1.0), (4, -1.0), (5, -1.0), (8, -4.0), (7, -0.4)],
    "I am upset with you, Kelly.": [(9, -2.0), (10, -2.0)],
})


def test_fluent_edits_scores_the_input_and_its_edits_in_one_batch():
    flags = fluent_edits(LM, TEXT, ["kelly , you make me .", "kelly , you make me unhappy ."], margin=3.0)
    assert flags == [False, True]
    assert LM.asked[-1][0] == TEXT and len(LM.asked[-1]) == 3
    assert fluent_edits(LM, TEXT, []) == []


def _cands():
    hole = Candidate("kelly , you make me .", Source.LEXICON, Tier.EDITS, tox=0.05, civil=True)
    swap = Candidate("kelly , you make me unhappy .", Source.EDIT_TAGGER, Tier.EDITS, tox=0.1, civil=True)
    gen = Candidate("I am upset with you, Kelly.", Source.BACKEND, Tier.EDITS, tox=0.02, civil=True)
    return hole, swap, gen


def test_only_edits_are_checked():
    hole, swap, gen = _cands()
    attach_fluency(LM, [(TEXT, [hole, swap, gen])])
    assert (hole.fluent, swap.fluent, gen.fluent) == (False, True, None)


def test_choice_passes_over_a_broken_edit_while_another_civil_candidate_is_left():
    hole, swap, gen = _cands()
    assert choose(TEXT, 0.9, [hole, swap]).rewrite == hole.text  # unchecked: the closest wins
    attach_fluency(LM, [(TEXT, [hole, swap])])
    assert choose(TEXT, 0.9, [hole, swap]).rewrite == swap.text
    # with nothing else civil the broken edit is still better than the insult
    swap.civil = False
    res = choose(TEXT, 0.9, [hole, swap])
    assert res.rewrite == hole.text and res.civil


class Reader:
    """A generator that proposes nothing at first, reads every edit's junction as broken, and
    whose wider try is a whole rewrite."""

    def __init__(self) -> None:
        self.read: list[list[str]] = []
        self.widened: list[str] = []

    def candidates(self, requests):
        return [[] for _ in requests]

    def wider(self, requests):
        self.widened += [r.text for r in requests]
        return [[Candidate("in my view he should resign .", Source.BACKEND, Tier.EDITS, label="generator:x")]
                for _ in requests]

    def token_logprobs(self, texts):
        self.read.append(list(texts))
        return [(list(range(len(t.split()))) + [END], [-1.0] * len(t.split()) + [-9.0 if i else -0.1])
                for i, t in enumerate(texts)]


def _model():
    from stubs import KeywordModel

    class Model(KeywordModel):
        def strong_terms(self) -> frozenset[str]:
            return frozenset()

    return Model()


def test_pipeline_checks_edits_with_the_generator_and_can_turn_it_off():
    from cleanspeech.rewrite import rewrite_texts

    Model = _model
    text = "he is a stupid moron and should resign ."
    gen = Reader()
    on = rewrite_texts(Model(), [text], edit_tagger=None, meaning=None, generator=gen)
    assert gen.read and gen.read[0][0] == text  # the input first, then its civil edits
    off_gen = Reader()
    off = rewrite_texts(Model(), [text], edit_tagger=None, meaning=None, generator=off_gen, fluency_margin=None)
    assert off_gen.read == [] and off_gen.widened == []
    assert on[0].civil and off[0].civil
    # every civil edit read as broken: the generator's wider try was asked, and its rewrite won
    assert gen.widened == [text] and on[0].rewrite == "in my view he should resign ."
    assert off[0].rewrite != on[0].rewrite


def test_generator_token_logprobs_are_batch_independent_and_end_with_the_end_token():
    pytest.importorskip("transformers")
    from cleanspeech.rewrite.generative import GenerativeSource
    from cleanspeech.training.rewriter import tiny_llama

    model, tok = tiny_llama()
    src = GenerativeSource(model, tok)
    texts = ["you are wrong .", "I disagree with you about the whole article , friend ."]
    both = src.token_logprobs(texts)
    for t, (ids, lp) in zip(texts, both):
        assert ids == tok(t, add_special_tokens=False).input_ids + [tok.eos_token_id]
        assert len(lp) == len(ids) and all(x <= 0 for x in lp)
        alone_ids, alone_lp = src.token_logprobs([t])[0]
        assert alone_ids == ids and alone_lp == pytest.approx(lp, abs=1e-4)
    assert src.token_logprobs([]) == []
