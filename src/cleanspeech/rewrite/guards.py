"""Checks a candidate rewrite must pass before the verification loop may send it: each returns a
:class:`~cleanspeech.rewrite.candidate.Rejection` or None, and proposes nothing.

A classifier scores toxicity, not meaning: it happily calls "The killed millions of in the
Holocaust." civil. These cheap, rule-based checks catch what it cannot:

* **protected content** — identity terms and named groups ("Jews", "gay", "Muslims", "Nazis")
  present in the input must survive; a sentence that is civil only without them is reported,
  not erased;
* **negation** — a rewrite that drops a "not" or "dont" says the opposite;
* **modality** — one that drops a "should" or "could" states as fact what was an opinion or a
  possibility ("Gay marriage should be legal." -> "Gay marriage is legal.", a generator's beam);
* **fluency** — deletions must not leave a dangling determiner or possessive ("your is",
  "an is", "the killed"), a verb's subject next to its object ("find you and you"), a modifier
  without its word ("a really bill", "boring as"), or an output with no content word left
  ("you", "you are");
* **threats** — an edit of a threat must not still name the violent act, nor keep its frame
  ("I will find you.");
* **obfuscation** — ``fold`` maps leet spellings back to letters ("m0r0n" → "moron") so the
  lexicon can match them.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter

from cleanspeech.identity import IDENTITY_TERMS
from cleanspeech.rewrite.candidate import Candidate, Rejection, RejectionKind
from cleanspeech.rewrite.tokens import mining_tokens, tokenize

K = RejectionKind

# Identity terms and named groups (cleanspeech.identity): deleting them changes who a sentence is
# about; the classifier's occlusion signal is most biased exactly on these words.

# Only words that cannot end a phrase ("this", "her", "his" can be pronouns: "about this.").
DETERMINERS = frozenset("a an the every each my your our their".split())
# Words that cannot follow a determiner: auxiliaries, prepositions, conjunctions.
NOT_AFTER_DET = frozenset("""
is are was were be been am 's has have had will would can could should shall may might must do
does did of in on at to for with by from and or but if because as than so
about into through against around over under out onto upon within without between among across during
except until via toward towards
""".split())
# A seam joining one of SUBJECTS (or a modal) to one of OBJECTS lost the verb between them:
# "find you and you", "my dad can your dad", "they can themselves".
SUBJECTS = frozenset("and or to will would i we they he she gonna wanna can could should shall may might "
                     "must".split())
OBJECTS = frozenset("you him her them me us it yourself yourselves themselves himself herself myself "
                    "ourselves".split())
MODALS = frozenset("can could should shall may might must will would".split())
POSSESSIVES = frozenset("your my his their our".split())
# A copula whose complement was deleted: "Calling someone is and you should stop.", "you are ."
COPULAS = frozenset("is are was were am be been".split())
_COPULA_CLITICS = frozenset("s re m".split())  # "that 's", "you 're": the tokenizer splits at "'"
_CONTRACTION_TAILS = _COPULA_CLITICS | frozenset("t ve ll d".split())
CLAUSE_ENDS = frozenset("and or but , . ! ? ; :".split())  # not quotes or "*": "was * musket *"
# Words that carry no content of their own; an output made only of these says nothing.
FUNCTION_WORDS = DETERMINERS | NOT_AFTER_DET | OBJECTS | frozenset(
    "i we they he she are not no just so very really u ur you're youre it's".split())

# A short rewrite of "you" plus replacement words needs a verb (one of these, or a word ending in
# -ed / -ing) to say anything: "You bad." and "you person" are a vocative insult with its words
# swapped, nothing civil ("edit, you person" keeps a word of the original and passes).
_VERBS = frozenset("""
are is am was were be been being 're 's 'm have has had 've do does did don't can could will would
should shall may might must 'll 'd need needs want wants know knew think thought make made get got
go went look looks seem seems sound sounds say said stop leave let thank thanks please see take
seen done gone been known shown ve re ll m d s t don doesn didn isn aren wasn weren won can't
""".split())

# A phrasal verb's particle after a deletion, and the words that show the verb went with it.
_PARTICLES = frozenset({"up", "off"})
_NOT_A_VERB = frozenset("please just lol now so and or you i".split())
# A rude verb cut from its particle or reflexive leaves that word stranded, whatever precedes it:
# "go (fuck) yourself", "please and kindly (fuck) off"; and "god (damn)" leaves a "god" the
# sentence never meant ("you 're a god person"; "oh my god , ..." is an interjection and stays).
_RUDE_VERBS = frozenset("fuck fuckin fck fuk piss shut sod bugger screw".split())
_STRANDED = _PARTICLES | frozenset("yourself yourselves themselves himself herself myself".split())
_DAMNS = frozenset("damn damned dammit".split())
# Words that say nothing of their own beside FUNCTION_WORDS: "please and kindly ." is empty.
FILLERS = frozenset("please kindly lol lmao haha now".split())
# A word that modifies or compares needs what followed it: "a really (stupid) bill", "boring as
# (fuck)", "hurts like (a bitch) .", "a jealous (bitch) ." lose it; a cut rude intensifier does not
# ("so (fucking) good", "yo pretty (ass) eyes").
_INTENSIFIERS = frozenset("really very so too extremely pretty such super quite".split())
_RUDE_INTENSIFIERS = frozenset("fucking fuckin fking fkn effing freaking frigging damn damned bloody goddamn "
                               "goddamned ass".split())
_COMPARERS = frozenset({"like", "than"})
# Any form of a rude verb cut before "with" leaves the clause without its verb ("to (fuck) with my ...").
_RUDE_VERB_FORM = re.compile(r"^(?:fuck|fck|fuk|screw|piss)(?:s|ed|ing|in)?$")
_LIKERS = SUBJECTS | frozenset("you dont don't t not do does did would really".split())
# Negations, as mining_tokens spells them ("don 't" and "don't" are "dont"): a rewrite that drops
# one says the opposite ("dont be a partisan coward" -> "be partisan").
_NEGATIONS = frozenset("""not no never nor neither cannot dont doesnt didnt isnt arent wasnt werent wont cant
couldnt shouldnt wouldnt aint hasnt havent hadnt mustnt nobody nothing""".split())

# Modal verbs: a rewrite that drops one turns an opinion, a wish or a possibility into a claim.
_MODALS = frozenset("should must could would might may shall ought can".split())

# The rude idiom "give a ..." (said plainly by :mod:`cleanspeech.rewrite.plain`): a rewrite that cuts
# its object must keep "care" or lose the verb too ("they don 't (give a shit) about citizens").
FUCK = r"(?:fuck|f\W*k)"  # also masked: "f**k", "f*ck"
GIVES = {"give": "care", "gives": "cares", "gave": "cared", "giving": "caring", "given": "cared"}
GIVE_A_RE = re.compile(rf"\b({'|'.join(GIVES)})\W+(?:a\W+)?(?:single\W+|flying\W+)?(?:{FUCK}|shit|damn|crap)\w*",
                       re.IGNORECASE)
CARE_RE = re.compile(r"\bcar(?:e|es|ed|ing)\b", re.IGNORECASE)

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "!": "i", "|": "l"})


def fold(word: str) -> str:
    """Leet spelling back to letters ("m0r0n" → "moron", "id1ot" → "idiot", "a$$" → "ass");
    words without a letter ("2020") or without a digit/symbol are returned as they are."""
    w = word.lower()
    if not re.search(r"[a-z]", w) or not re.search(r"[013457@$!|]", w):
        return w
    return w.translate(_LEET)


def word_norms(text: str) -> list[str]:
    return [t.norm for t in tokenize(text) if t.is_word]


def identity_terms(text: str) -> Counter:
    """Counts of the identity terms in ``text`` (lowercased)."""
    return Counter(w for w in word_norms(text) if w in IDENTITY_TERMS)


def same_words(original: str, candidate: str) -> bool:
    """Whether ``candidate`` has exactly the words of ``original`` (case, spacing and
    punctuation aside)."""
    return _words(original) == _words(candidate)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def _lost_words(original: str, candidate: str, words: frozenset[str]) -> list[str]:
    """The tokens of ``original`` in ``words`` that ``candidate`` no longer has (with multiplicity)."""
    def count(text: str) -> Counter:
        return Counter(w for w in mining_tokens(text) if w in words)
    return sorted((count(original) - count(candidate)).elements())


def lost_negations(original: str, candidate: str) -> list[str]:
    """Negations of ``original`` that ``candidate`` no longer has (with multiplicity)."""
    return _lost_words(original, candidate, _NEGATIONS)


def lost_modals(original: str, candidate: str) -> list[str]:
    """Modal verbs of ``original`` that ``candidate`` no longer has (with multiplicity)."""
    return _lost_words(original, candidate, _MODALS)


def lost_identity_terms(original: str, candidate: str) -> list[str]:
    """Identity terms of ``original`` that ``candidate`` no longer has (with multiplicity)."""
    return sorted((identity_terms(original) - identity_terms(candidate)).elements())


def fluency_problem(original: str, candidate: str) -> Rejection | None:
    """Why ``candidate`` reads as broken (a rejection whose ``broken`` is true), or ``None``. Looks at the seams deletions leave in the
    original's word sequence and at what remains."""
    words, orig_words = word_norms(candidate), word_norms(original)
    if not words or all(w in FUNCTION_WORDS or w in FILLERS for w in words) or (len(words) == 1 and len(orig_words) >= 3):
        return Rejection(K.NOTHING_LEFT)
    src = [t.norm for t in tokenize(original)]
    tgt = [t.norm for t in tokenize(candidate)]
    sm = difflib.SequenceMatcher(a=src, b=tgt, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        if op == "delete" and i2 - i1 == 1 and j2 < len(tgt) and tgt[j2] in _STRANDED and src[i1] in _RUDE_VERBS:
            return Rejection(K.LEFT_WITHOUT_VERB, (tgt[j2],))
        if op == "delete" and j2 > 0 and tgt[j2 - 1] == "go" and src[i1] in _RUDE_VERBS:
            return Rejection(K.GO_WITHOUT_ACTION)  # "for you to go (fuck yourself)"
        if j1 > 1 and tgt[j1 - 1] == "god" and tgt[j1 - 2] in ("a", "an", "the") and src[i1] in _DAMNS:
            return Rejection(K.GOD_WITHOUT_DAMN)
        if op == "delete" and j2 < len(tgt) and tgt[j2] in _PARTICLES and (
                j2 == 0 or tgt[j2 - 1] in _NOT_A_VERB or not tgt[j2 - 1].isalpha()):
            return Rejection(K.LEFT_WITHOUT_VERB, (tgt[j2],))  # "(please) shut up" minus "shut"
        if j2 == 0:
            continue  # the seam is where the edited block meets the text after it
        left = tgt[j2 - 1]
        right = tgt[j2] if j2 < len(tgt) else ""
        if left in DETERMINERS and (not right or right in NOT_AFTER_DET or right in DETERMINERS
                                     or not re.match(r"\w", right) or right.endswith("ed")):
            return Rejection(K.DANGLING_DETERMINER, (left,))
        if op == "delete" and left in SUBJECTS and (right in OBJECTS or (left in MODALS and right in POSSESSIVES)):
            return Rejection(K.VERB_MISSING_BETWEEN, (left, right))
        if op == "delete" and left in MODALS and src[i1] in _RUDE_VERBS and (not right or right in CLAUSE_ENDS):
            return Rejection(K.VERB_MISSING_AFTER, (left,))  # "you can (fuck off) or get comfortable"
        if op == "delete" and _RUDE_VERB_FORM.match(src[i1]) and right in ("with", "around"):
            return Rejection(K.VERB_GONE_BEFORE, (right,))  # "starting to (fuck) with my ability"
        if op == "delete" and src[i1] not in _RUDE_INTENSIFIERS:
            cut = _modifier_cut(tgt, j2, left, right)
            if cut:
                return cut
        copula = left in COPULAS or (left in _COPULA_CLITICS and j2 >= 2 and tgt[j2 - 2] in ("'", "’"))
        if op == "delete" and copula and (not right or right in CLAUSE_ENDS):
            word = left if left in COPULAS else "'" + left
            return Rejection(K.COPULA_CUT, (word,))
        if op == "delete" and (left == "'" or (src[i2 - 1] in ("'", "’") and right in _CONTRACTION_TAILS)):
            return Rejection(K.CONTRACTION_CUT)  # "wasn ' *", "dad ' .": lost its tail; "coworker s": its "'"
    if GIVE_A_RE.search(original) and not GIVE_A_RE.search(candidate) and not CARE_RE.search(candidate):
        return Rejection(K.IDIOM_CUT)  # "they don 't (give a shit) about citizens"
    kept = set(orig_words)
    if len(words) <= 4 and {"you", "u"} & set(words) and all(w in {"you", "u"} or w not in kept for w in words) \
            and not any(w in _VERBS or w.endswith(("ed", "ing")) or "'" in w or "’" in w for w in words):
        return Rejection(K.NOTHING_LEFT, (" ".join(words),))  # "you bad": no verb
    last = words[-1]
    # "... is what it is." ends on "is" in the original too: only a cut before the end dangles
    dangling = last in DETERMINERS or last in {"is", "are", "am", "was", "were", "of", "and", "or", "to"}
    if dangling and orig_words[-1:] != [last]:
        return Rejection(K.DANGLING_END, (last,))
    return None


def _modifier_cut(tgt: list[str], j2: int, left: str, right: str) -> Rejection | None:
    """Why the seam before ``tgt[j2]`` left a modifier or comparison without its word, or None."""
    end = not right or right in CLAUSE_ENDS
    if left in _INTENSIFIERS and re.match(r"\w", right):  # "me too (bitch) ." stays whole
        return Rejection(K.MODIFIER_CUT, (left,))
    # "hurts like (a bitch) ." compares; "a way i dont like (and ...)" is the verb
    verb = left == "like" and j2 >= 2 and tgt[j2 - 2] in _LIKERS
    if left == "as" or (left in _COMPARERS and end and not verb):
        return Rejection(K.COMPARISON_CUT, (left,))
    return None


_VIOLENT_VERBS = "kill|murder|shoot|stab|hurt|beat|hang|burn|rape|punch|strangle|choke|slit|behead|lynch"
_THREAT_RE = re.compile(rf"\b(?:{_VIOLENT_VERBS}|gas|exterminate)\w*\b", re.IGNORECASE)
# A violent verb aimed at the reader: "kill you", "beat the crap out of you", "hang ya". Base or
# -ing forms only ("the truth hurts when you ..." is no threat), and no "gas" ("stealing gas").
_AT_YOU_RE = re.compile(rf"\b(?:{_VIOLENT_VERBS})(?:ing)?\b(?:\W+\w+){{0,4}}?\W+(?:you|u|ya|your|yourself)\b",
                        re.IGNORECASE)


def carries_threat(text: str) -> bool:
    """Whether ``text`` still names a violent act (checked only for inputs the classifier
    flags as threats: "I will kill you" minus "fucking" is still a threat)."""
    return bool(_THREAT_RE.search(text))


def threatens_reader(text: str) -> bool:
    """Whether ``text`` names a violent act against the reader ("kill you")."""
    return bool(_AT_YOU_RE.search(text))


_GROUP_NOUNS = frozenset("people folks guys person persons".split())
_GROUP_VERBS = frozenset("are is should must deserve deserves were all".split())


def generalises_about_group(text: str) -> str | None:
    """The identity term a sentence makes a claim about as a whole ("Gay people are ...",
    "Muslims should ..."), or ``None``. Such a sentence, once flagged, is hostile because of
    what it says about the group: deleting words either erases the group or keeps the claim."""
    words = word_norms(text)
    for i, w in enumerate(words):
        if w not in IDENTITY_TERMS:
            continue
        j = i + 1
        while j < len(words) and words[j] in _GROUP_NOUNS:
            j += 1
        if j < len(words) and words[j] in _GROUP_VERBS:
            return w
    return None


def rejection(original: str, candidate: str, threat: bool = False) -> Rejection | None:
    """Why ``candidate`` must not be sent as a rewrite of ``original``, or None; ``threat``: the
    input is a threat (flagged as one, or a violent act aimed at the reader)."""
    if same_words(original, candidate):
        # found with the generator: "Jews control the media." minus its full stop scored under
        # the thresholds; the same words are the same comment, whatever the classifier says
        return Rejection(K.SAME_WORDS)
    lost = lost_identity_terms(original, candidate)
    if lost:
        return Rejection(K.LOST_IDENTITY, tuple(lost))
    negations = lost_negations(original, candidate)
    if negations:
        return Rejection(K.LOST_NEGATION, tuple(negations))
    modals = lost_modals(original, candidate)
    if modals:
        return Rejection(K.LOST_MODALITY, tuple(modals))
    problem = fluency_problem(original, candidate)
    if problem:
        return problem
    if threat and carries_threat(candidate):
        return Rejection(K.KEEPS_THREAT)
    if threat and carries_threat(original):
        # "I will find you and kill you, ..." minus its violent words is "I will find you.":
        # the frame of the threat stays; only a statement of the feeling is safe to send
        return Rejection(K.THREAT_FRAME)
    return None


def screen(original: str, cands: list[Candidate], threat: bool = False
           ) -> tuple[list[Candidate], list[Candidate]]:
    """``(kept, rejected)``, in order; a rejected candidate's ``rejection`` says which guard it failed."""
    kept, rejected = [], []
    for c in cands:
        c.rejection = rejection(original, c.text, threat)
        (rejected if c.rejection else kept).append(c)
    return kept, rejected
