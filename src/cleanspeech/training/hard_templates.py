"""Training-only hard examples for the transformer: hate next to the things that look like it.

A Jigsaw-trained model learns "identity word + strong word = hate", so it flags counter-speech,
negated hate, reports of violence and plain mentions of a group, and misses hate written without
swear words (dehumanisation, normative threats, "will never be equal"). These templates teach the
difference. They were written for training only, from the public descriptions of the phenomena,
with wording and groups of their own; none is a template of the behavioural suite
(:mod:`cleanspeech.evaluation.behaviour_templates`), and ``tests/training/test_hard_templates.py``
checks that no rendered sentence equals a suite case. No published test suite was used.

Each phenomenon maps to Jigsaw-style labels (``NaN`` = unknown, left out of the loss): hate
aimed at a group is ``toxic`` + ``identity_hate`` (+ ``threat`` / ``insult``); everything
non-hateful here is all zero. Abuse of a single person and untargeted swearing are not here:
Jigsaw calls them toxic and the model should keep doing so.

Slots: ``{P}`` plural ("Sikhs"), ``{S}`` one member ("a Sikh"), ``{A}`` adjective ("Sikh").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cleanspeech.data.io import TEXT_COLUMN
from cleanspeech.evaluation.behaviour import fill_slots, has_slot
from cleanspeech.labels import LABELS

NAN = float("nan")
_HATE = {"toxic": 1.0, "severe_toxic": NAN, "obscene": 0.0, "threat": 0.0, "insult": 1.0,
         "identity_hate": 1.0}
_THREAT = {**_HATE, "threat": 1.0, "insult": NAN}
_IMPLICIT = {**_HATE, "insult": NAN}
_CLEAN = {label: 0.0 for label in LABELS}

# Groups the suite uses and groups it does not, so the model learns the pattern, not the names.
TRAIN_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("women", "a woman", "female"), ("Muslims", "a Muslim", "Muslim"), ("Jews", "a Jew", "Jewish"),
    ("Black people", "a Black man", "Black"), ("gay men", "a gay man", "gay"),
    ("transgender people", "a transgender woman", "transgender"), ("immigrants", "an immigrant", "immigrant"),
    ("disabled people", "a disabled woman", "disabled"), ("Arabs", "an Arab", "Arab"),
    ("Sikhs", "a Sikh", "Sikh"), ("bisexual people", "a bisexual woman", "bisexual"),
    ("Native Americans", "a Native American", "Native American"), ("Roma", "a Roma woman", "Roma"),
    ("Chinese people", "a Chinese man", "Chinese"), ("Catholics", "a Catholic", "Catholic"),
    ("deaf people", "a deaf person", "deaf"), ("Latinos", "a Latino", "Latino"),
    ("migrants", "a migrant", "migrant"), ("Pakistanis", "a Pakistani", "Pakistani"),
    ("Africans", "an African", "African"), ("lesbians", "a lesbian", "lesbian"),
    ("Hindus", "a Hindu", "Hindu"), ("refugees", "a refugee", "refugee"),
    ("trans women", "a trans woman", "trans"),
)

HARD_PHENOMENA: dict[str, tuple[dict[str, float], tuple[str, ...]]] = {
    "hate_derogation": (_HATE, (
        "{P} are revolting creatures.", "Honestly, {P} make me sick.",
        "{P} are the dumbest people alive.", "There is nothing more pathetic than {S}.",
        "{P} are a bunch of lazy freeloaders.", "Typical {A} behaviour, lying and cheating as always.",
        "{P} are worthless, every last one of them.", "{P} are vile and nobody should tolerate them.",
        "{P} are inferior in every way.", "Everyone knows {P} are born liars.",
        "{P} are a disgrace to humanity.", "God, I hate {P} so much.",
        "{P} are nothing but trouble.", "{P} ruin everything they touch.",
        "{P} are too stupid to be allowed to vote.", "I'd rather die than share a street with {P}.",
    )),
    "hate_dehumanisation": (_HATE, (
        "{P} are filthy beasts.", "{P} are nothing but pests.",
        "{P} are lice on the body of this nation.", "{P} breed like rabbits.",
        "{P} are savages, not people.", "{P} are a virus that must be contained.",
        "{P} are apes pretending to be human.", "{P} are garbage that needs to be taken out.",
        "{P} are less than human.", "{P} are a swarm of locusts.",
        "{S} is an animal, not a person.", "{P} are an infestation.",
    )),
    "hate_threat": (_THREAT, (
        "I'll slit the throat of every {A} person I find.", "We should round up {P} and shoot them.",
        "{P} need to be wiped out.", "I'm going to hunt down {P} one by one.",
        "All {P} must be exterminated.", "Let's burn every {A} home to the ground.",
        "Somebody should put a bullet in every {A} head.", "{P} should be gassed.",
        "If I ever meet {S}, I will break their neck.", "Unless {P} leave, we will start killing them.",
        "{P} better watch out, we know where they live.", "Death to all {P}.",
        "Any {A} person who comes here will be beaten to death.", "{P} deserve a bullet.",
    )),
    "hate_implicit": (_IMPLICIT, (
        "{P} will never be equal to us.", "{P} don't deserve to live among decent people.",
        "I refuse to treat {P} as human beings.", "{P} have no place in a civilised society.",
        "{P} can never be real citizens.", "Nothing {P} say should ever be believed.",
        "{P} are not fit to raise children.", "No one should ever hire {S}.",
        "{P} should not be allowed to vote.", "We don't want {P} in our neighbourhood.",
        "{P} shouldn't be allowed to exist.", "I'll never accept {S} as my equal.",
    )),
    "clean_identity_neutral": (_CLEAN, (
        "{P} celebrated the festival downtown this weekend.", "The new mayor met with {A} community leaders.",
        "My sister married {S} last year.", "How many {P} live in Canada?",
        "The conference had a panel of {A} engineers.", "{S} won the chess tournament.",
        "The bakery on the corner is run by {P}.", "I'm reading a book written by {S}.",
        "Our class has three {A} students.", "The film tells the story of {S} growing up in Chicago.",
        "{P} are a minority in this region.", "Many {P} work in healthcare.",
        "I am {S} and I disagree with this edit.", "As {S}, I think the article is accurate.",
    )),
    "clean_identity_positive": (_CLEAN, (
        "{P} are brave and kind.", "I'm so grateful for my {A} friends.",
        "{P} have contributed so much to our society.", "{S} would make a great president.",
        "{A} people are beautiful.", "Love and respect to all {P}.",
        "{P} are welcome here, always.", "I trust {P} completely.",
        "So proud of the {A} athletes at the Olympics.", "{P} are as human as anyone else.",
        "The world is better with {P} in it.", "{P} deserve equal rights and dignity.",
    )),
    "clean_negated_hate": (_CLEAN, (
        "{P} are not vermin, and anyone who says so is wrong.", "I will never hate {P}.",
        "It's false that {P} are criminals.", "{P} are not less intelligent than anyone.",
        "I've never believed {P} are inferior.", "There's nothing wrong with being {S}.",
        "{P} don't deserve to be treated badly.", "Nobody should ever hurt {P}.",
        "None of the {P} I know deserve any hate.", "I don't want {P} to suffer.",
        "{P} should never be harmed.", "I'm not saying {P} are bad people.",
        "I don't dislike {P} at all.", "{P} aren't dangerous, that's a myth.",
    )),
    "clean_counter_quote": (_CLEAN, (
        "Calling {P} \"animals\" is dehumanising and unacceptable.",
        "My uncle said {P} are parasites, and I told him that's bigoted.",
        "\"Death to {P}\" was spray-painted on the wall; the community cleaned it up.",
        "Anyone who writes \"{P} are trash\" should be ashamed.",
        "She received messages saying {P} should die, and she reported them to the police.",
        "I'm quoting \"{P} are subhuman\" only to condemn it: this is hate speech.",
        "The troll kept posting that {P} are a plague. Please ban him.",
        "Saying you want to kill {P} is not a joke.",
        "\"I hate {P}\" is not an opinion, it's bigotry.",
        "They chanted \"{P} out\" and it was disgraceful.",
        "You called {P} disgusting. That is hateful and you should apologise.",
        "Telling {S} to go back where they came from is racist.",
    )),
    "clean_counter_refer": (_CLEAN, (
        "Hatred towards {P} has no place in our town.", "I'm tired of people insulting {P} online.",
        "Those who attack {P} are cowards.", "We must protect {P} from harassment.",
        "Discrimination against {P} is wrong.", "Bullying {S} because of who they are is vile.",
        "The hate directed at {P} in these comments is appalling.",
        "Bigoted attacks on {P} must be condemned.", "Stop harassing {P}.",
        "Threats against {P} should be reported to the police.",
        "Slurs against {P} are never okay.", "People who want {P} dead are the real problem.",
    )),
    "clean_report": (_CLEAN, (
        "The police charged two men with assaulting {S}.", "Thousands of {P} were killed during the war.",
        "The report documents violence against {P} in the 1990s.",
        "A new law protects {P} from hate crimes.", "The massacre of {P} is remembered every year.",
        "Historians agree that {P} were victims of genocide.",
        "The attacker shouted insults at {S} before the arrest.",
        "Survey: one in three {P} has experienced harassment.",
        "The trial of the man who murdered {S} begins Monday.",
        "Soldiers burned {A} villages during the occupation, the archive shows.",
    )),
    "clean_objects": (_CLEAN, (
        "This laptop is absolute junk.", "The stupid bus is late again.",
        "I hate this rainy weather.", "What a terrible, useless website.",
        "This book is garbage, don't buy it.", "I could kill for a coffee right now.",
        "My printer is the dumbest machine ever made.", "That referee's decision was a disgrace.",
        "This song is so bad it hurts.", "The sequel was a pathetic cash grab.",
    )),
    "clean_reclaimed": (_CLEAN, (
        "We queers have to look out for each other.", "Proud dyke, proud daughter, proud teacher.",
        "Our queer choir sings on Saturday.", "I'm a queer kid from a small town and I'm doing fine.",
        "Queer joy is resistance.", "The bar is run by a couple of old dykes and it's the best in town.",
    )),
    "clean_negated_individual": (_CLEAN, (
        "You're not an idiot, you just missed one detail.", "I don't hate you, I just disagree.",
        "Nobody thinks you are stupid; the source was wrong.", "You are not a bad editor at all.",
        "I never called you a liar.", "I'm not angry with you, I promise.",
    )),
}


# Civil claims about a group in the frames the hateful templates use ("{P} should ...",
# "{P} deserve ...", "{P} need to ...", "{P} must ..."). Trained on the hateful frames alone, the
# member learnt the frame, not the claim: it scored "{P} should be paid the same as men." and
# "{P} deserve to be safe." as hate (0.9+; docs/results.md, stop 44). Minimal edits of the hate
# above, kept in their own augmentation (``contrast``) so the ``hard`` rows stay as they were.
CONTRAST_PHENOMENA: dict[str, tuple[dict[str, float], tuple[str, ...]]] = {
    "clean_civil_claims": (_CLEAN, (
        "{P} should be allowed to vote like everyone else.", "{P} should have the same rights as anyone.",
        "{P} deserve to be paid fairly.", "{P} deserve to feel safe in their homes.",
        "{P} need to be heard in this debate.", "{P} must be protected by the law.",
        "{A} workers should get the same wages as their colleagues.", "{P} will always be welcome in our town.",
        "We should hire more {A} teachers.", "{P} have every right to live here.",
        "{S} should be able to marry the person they love.", "{P} should be treated as equals.",
        "Every {A} child deserves a good school.", "{P} must have a voice in parliament.",
        "{A} couples should be able to adopt.", "{P} should get the same healthcare as everyone.",
        "We need more {A} doctors in this city.", "{P} can be great leaders.",
        "{P} should be free to practise their faith.", "{P} deserve a fair hearing.",
        "{P} need better access to housing.", "{A} voices must be part of the conversation.",
        "{P} should never have to hide who they are.", "{P} deserve the same opportunities we had.",
    )),
}


def _rendered(max_per_template: int | None = None, seed: int = 42,
              phenomena: dict[str, tuple[dict[str, float], tuple[str, ...]]] | None = None):
    """``(phenomenon, labels, text)`` per template × training group (a template without a slot
    once); with ``max_per_template``, that many groups per template, chosen at random (seeded).
    ``phenomena``: :data:`HARD_PHENOMENA` by default."""
    rng = np.random.default_rng(seed)
    for name, (labels, templates) in (HARD_PHENOMENA if phenomena is None else phenomena).items():
        for template in templates:
            groups = list(TRAIN_GROUPS) if has_slot(template) else [("", "", "")]
            if max_per_template is not None and len(groups) > max_per_template:
                groups = [groups[i] for i in sorted(rng.choice(len(groups), max_per_template, replace=False))]
            for g in groups:
                yield name, labels, fill_slots(template, g) if g[0] else template


def hard_example_texts(phenomena: dict[str, tuple[dict[str, float], tuple[str, ...]]] | None = None
                       ) -> list[tuple[str, str]]:
    """``(phenomenon, text)`` for every template × training group."""
    return [(name, text) for name, _, text in _rendered(phenomena=phenomena)]


def hard_example_rows(max_per_template: int | None = None, seed: int = 42,
                      phenomena: dict[str, tuple[dict[str, float], tuple[str, ...]]] | None = None) -> pd.DataFrame:
    """Jigsaw-schema rows (``comment_text`` + six labels, ``NaN`` = unknown).

    ``max_per_template`` keeps that many groups per template (chosen at random, seeded), so the
    hard examples stay a modest share of a training mix.
    """
    rows = [{TEXT_COLUMN: text, **labels} for _, labels, text in _rendered(max_per_template, seed, phenomena)]
    return pd.DataFrame(rows, columns=[TEXT_COLUMN, *LABELS])
