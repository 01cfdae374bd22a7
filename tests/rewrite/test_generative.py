"""The generative candidate source on a tiny random Llama (no download): prompts, cleaning,
seeding, and its place in the pipeline (off unless asked for)."""

from __future__ import annotations

import pytest

from cleanspeech.rewrite.base import RewriteRequest
from cleanspeech.rewrite.candidate import Source, Tier
from cleanspeech.rewrite.generative import SHOTS, GenerativeSource, build_messages, clean_output, text_seed


@pytest.fixture(scope="module")
def tiny_lm():
    pytest.importorskip("transformers")
    from cleanspeech.training.rewriter import tiny_llama

    return tiny_llama()


def test_messages_put_the_shots_before_the_comment():
    msgs = build_messages("you idiot")
    assert msgs[0]["role"] == "system"
    assert [m["role"] for m in msgs[1:-1]] == ["user", "assistant"] * len(SHOTS)
    assert msgs[-1] == {"role": "user", "content": "you idiot"}
    assert len(build_messages("x", shots=())) == 2


@pytest.mark.parametrize("raw, clean", [
    ("  Rewrite: You are wrong.\nmore text", "You are wrong."),
    ('"Please stop."', "Please stop."),
    ("\n\n", ""),
    ("Polite version: ok", "ok"),
])
def test_clean_output(raw, clean):
    assert clean_output(raw) == clean


def test_seed_depends_on_text_not_batch():
    assert text_seed(0, "a") == text_seed(0, "a") != text_seed(0, "b")
    assert text_seed(1, "a") != text_seed(0, "a")


def test_candidates_are_seeded_and_distinct(tiny_lm):
    model, tok = tiny_lm
    src = GenerativeSource(model, tok, k=3, max_new_tokens=6)
    reqs = [RewriteRequest("you are an idiot ."), RewriteRequest("shut up .")]
    rows = src.candidates(reqs)
    assert len(rows) == 2
    for req, row in zip(reqs, rows):
        assert len(row) <= 3
        texts = [c.text.lower() for c in row]
        assert len(set(texts)) == len(texts) and req.text.lower() not in texts
        assert all(c.source is Source.BACKEND and c.tier is Tier.EDITS and c.label == "generator:smollm2"
                   for c in row)
    # the same comment gets the same samples alone or in a batch
    alone = src.candidates(reqs[1:])
    assert [c.text for c in alone[0]] == [c.text for c in rows[1]]


def test_k_must_be_positive():
    with pytest.raises(ValueError):
        GenerativeSource(k=0)


class Fixed:
    """A source proposing one fixed civil rewrite, standing in for the generator."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def candidates(self, requests):
        from cleanspeech.rewrite.candidate import Candidate

        self.seen += [r.text for r in requests]
        return [[Candidate("I think you are mistaken .", Source.BACKEND, Tier.EDITS, label="generator:fixed")]
                for _ in requests]


def test_pipeline_uses_a_generator_only_when_given():
    from stubs import KeywordModel

    from cleanspeech.rewrite import rewrite_texts

    class Model(KeywordModel):
        def strong_terms(self) -> frozenset[str]:  # no word makes a sentence score alone
            return frozenset()

    keyword_model = Model()
    texts = ["you are an idiot ."]
    gen = Fixed()
    rewrite_texts(keyword_model, texts, edit_tagger=None, meaning=None)
    assert gen.seen == []
    res = rewrite_texts(keyword_model, texts, edit_tagger=None, meaning=None, generator=gen)
    assert gen.seen == texts
    assert res[0].civil


def test_sampling_puts_the_greedy_rewrite_first(tiny_lm):
    model, tok = tiny_lm
    one = GenerativeSource(model, tok, k=1, max_new_tokens=6, decoding="sample").generate("you are an idiot .")
    many = GenerativeSource(model, tok, k=3, max_new_tokens=6, seed=7, decoding="sample").generate("you are an idiot .")
    assert len(one) <= 1 and one == many[: len(one)]


def test_beams_are_deterministic_whatever_the_seed(tiny_lm):
    model, tok = tiny_lm
    a = GenerativeSource(model, tok, k=3, max_new_tokens=6, seed=1).generate("shut up you moron .")
    b = GenerativeSource(model, tok, k=3, max_new_tokens=6, seed=99).generate("shut up you moron .")
    assert a == b and len(a) <= 3
    with pytest.raises(ValueError, match="decoding"):
        GenerativeSource(model, tok, decoding="nucleus")


def test_finetuned_source_prompts_as_it_was_trained(tmp_path, tiny_lm):
    from cleanspeech.rewrite.generative import TUNED_INSTRUCTION, load_generator
    from cleanspeech.training.rewriter import RewriterTraining, tiny_llama, train

    m, t = tiny_llama()
    train(m, t, [("you idiot .", "you are wrong .")], tmp_path, RewriterTraining(rank=2, batch_size=1),
          max_steps=1, log=lambda _: None)
    model, tok = tiny_lm
    src = GenerativeSource.finetuned(tmp_path, model=model, tokenizer=tok, k=2, tier=Tier.BACKEND)
    assert src.instruction == TUNED_INSTRUCTION and src.shots == () and src.name == f"lora:{tmp_path.name}"
    assert src.tier is Tier.BACKEND and src.folder == tmp_path
    assert load_generator(tmp_path / "missing") is None


def test_likelihood_is_the_training_loss_negated(tiny_lm):
    """The reranker's score of a rewrite is exactly what training minimised for it."""
    import torch

    from cleanspeech.rewrite.generative import TUNED_INSTRUCTION
    from cleanspeech.training.rewriter import answer_loss, collate, encode

    model, tok = tiny_lm
    src = GenerativeSource(model, tok, shots=(), instruction=TUNED_INSTRUCTION)
    text, rewrites = "you are an idiot .", ["you are wrong .", "I disagree with you, friend ."]
    got = src.likelihood(text, rewrites)
    for r, ll in zip(rewrites, got):
        with torch.no_grad():
            loss = answer_loss(model, *collate(tok, [encode(tok, text, r, 512)]))
        assert ll == pytest.approx(-float(loss), abs=1e-4)
    assert src.likelihood(text, []) == []


def test_choose_follows_the_generator_where_it_rated_the_candidates():
    from cleanspeech.rewrite.candidate import Candidate
    from cleanspeech.rewrite.verify import attach_likelihood, choose

    text = "my neighbour is a stupid cow who never cleans up ."
    broken = Candidate("my neighbour is a who never cleans up .", Source.LEXICON, Tier.EDITS, tox=0.1, civil=True)
    whole = Candidate("my neighbour is a bad person who never cleans up .", Source.BACKEND, Tier.EDITS,
                      tox=0.1, civil=True)
    assert choose(text, 0.9, [broken, whole]).rewrite == broken.text  # closest in characters

    class Rater:
        def likelihood(self, original, rewrites):
            return [-0.5 if "person" in r else -4.0 for r in rewrites]

    attach_likelihood(Rater(), [(text, 0.9, [broken, whole])])
    assert (broken.likelihood, whole.likelihood) == (-4.0, -0.5)
    assert choose(text, 0.9, [broken, whole]).rewrite == whole.text


def test_greedy_with_prompt_lookup_is_the_greedy_answer(tiny_lm):
    """Prompt-lookup decoding only proposes tokens; the model's own argmax decides, so the answer
    is the plain greedy one (what makes it a pure speed-up)."""
    model, tok = tiny_lm
    text = "shut up you moron , you know nothing ."
    fast = GenerativeSource(model, tok, k=4, max_new_tokens=8, decoding="greedy", lookup=6)
    plain = GenerativeSource(model, tok, k=1, max_new_tokens=8, decoding="greedy", lookup=0)
    assert fast.k == 1
    assert fast.generate(text) == plain.generate(text)
    assert len(fast.generate(text)) <= 1


def test_toxicity_weight_prefers_the_less_toxic_of_two_rated_candidates():
    from cleanspeech.rewrite.candidate import Candidate
    from cleanspeech.rewrite.verify import choose

    text = "you are a stupid idiot ."
    mild = Candidate("you are a silly person .", Source.BACKEND, Tier.EDITS, tox=0.35, civil=True, likelihood=-1.0)
    calm = Candidate("you are wrong .", Source.BACKEND, Tier.EDITS, tox=0.02, civil=True, likelihood=-1.2)
    assert choose(text, 0.9, [mild, calm], toxicity_weight=0.0).rewrite == mild.text  # likelihood alone
    assert choose(text, 0.9, [mild, calm]).rewrite == calm.text  # the shipped weight


class Quick:
    """A generator whose quick answer drops the input's negation, with a wider try that keeps it."""

    def __init__(self) -> None:
        self.widened: list[str] = []

    def _row(self, texts):
        from cleanspeech.rewrite.candidate import Candidate

        return [Candidate(t, Source.BACKEND, Tier.EDITS, label="generator:quick") for t in texts]

    def candidates(self, requests):
        return [self._row(["he is a person who cleans up ."] if "never" in r.text else ["I think you are wrong ."])
                for r in requests]

    def wider(self, requests):
        self.widened += [r.text for r in requests]
        return [self._row(["he is a person who never cleans up ."]) for _ in requests]


def test_a_failed_quick_answer_gets_the_generators_wider_try():
    from stubs import KeywordModel

    from cleanspeech.rewrite import rewrite_texts

    class Model(KeywordModel):
        def strong_terms(self) -> frozenset[str]:
            return frozenset()

    gen = Quick()
    texts = ["he is a stupid moron who never cleans up .", "you are an idiot ."]
    res = rewrite_texts(Model(), texts, edit_tagger=None, meaning=None, generator=gen)
    # only the comment whose quick answer lost "never" was widened, and the wider answer won
    assert gen.widened == texts[:1]
    assert res[0].rewrite == "he is a person who never cleans up ." and res[0].civil
    assert res[1].civil and "idiot" not in res[1].rewrite


def test_a_generator_that_kept_the_words_is_not_asked_twice():
    from stubs import KeywordModel

    from cleanspeech.rewrite import rewrite_texts

    class Model(KeywordModel):
        def strong_terms(self) -> frozenset[str]:
            return frozenset()

    class Copier(Quick):
        def candidates(self, requests):  # the input again, only its full stop gone
            return [self._row([r.text.rstrip(" .")]) for r in requests]

    gen = Copier()
    res = rewrite_texts(Model(), ["you are an idiot ."], edit_tagger=None, meaning=None, generator=gen)
    assert gen.widened == [] and res[0].civil and "idiot" not in res[0].rewrite
