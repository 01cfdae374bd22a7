"""Rude idioms and requests said plainly, and the statements that replace a comment with nothing
else to keep: candidates for the verification loop (the guards then screen them like any other).

* "don 't give a shit" -> "don 't care", "boring as fuck" -> "boring", "fuck up" -> "mess up";
* "please and kindly fuck off" -> "please and kindly go away";
* "shut the fuck up" -> "Please stop talking." (a template: the comment was only the request);
* "I will kill you" -> "I am very angry with you." (a template for a threat).
"""

from __future__ import annotations

import re

from cleanspeech.rewrite.guards import FILLERS, FUCK, FUNCTION_WORDS, GIVE_A_RE, GIVES, word_norms
from cleanspeech.rewrite.tokens import cleanup

# A comment that only tells the reader to be quiet or to leave keeps that request when its words
# go: "shut the fuck up" -> "Please stop talking." (ParaDetox's annotators write it that way),
# not a statement of dislike.
_SEND_OFF = rf"(?:{FUCK}|piss|bugger|sod)\w*"  # the verbs of "... off"
_REFLEXIVE = r"(?:yourself|yourselves|urself)"
_DISMISSALS = (
    (re.compile(r"\bshut\b(?:\W+\w+){0,3}?\W+up\b|\bstfu\b", re.IGNORECASE),
     ["Please stop talking.", "Please be quiet."]),
    (re.compile(rf"\b{_SEND_OFF}\W+off\b|\bget\W+(?:the\W+\w+\W+)?(?:lost|out)\b"
                rf"|\bgo\W+away\b|\bgtfo\b|\b{FUCK}\W+{_REFLEXIVE}\b", re.IGNORECASE),
     ["Please go away.", "Please leave me alone."]),
)
# The same requests inside a longer comment, said plainly in place ("please and kindly fuck off"
# -> "please and kindly go away"): the rude wording of the request only.
_RUDE_REQUESTS = (  # in this order: "get the fuck off" is "get off", not "get the go away"
    (re.compile(rf"\bget\W+the\W+(?:{FUCK}|hell)\W+(off|out)\b", re.IGNORECASE), r"get \1"),
    (re.compile(rf"\bshut\W+(?:the\W+)?(?:{FUCK}|hell|heck)\W+up\b|\bstfu\b", re.IGNORECASE), "stop talking"),
    (re.compile(rf"\b(?:go\W+)?{_SEND_OFF}\W+(?:off|{_REFLEXIVE})\b|\bgtfo\b", re.IGNORECASE), "go away"),
)
# Rude idioms with a plain equivalent, the way ParaDetox's annotators say them: "don 't give a
# shit" -> "don 't care", "boring as fuck" -> "boring", "fuck up" -> "mess up", "hurts like a
# bitch" -> "hurts a lot".
_MESS = {"": "mess", "s": "messes", "ed": "messed", "ing": "messing", "in": "messing"}
_RUDE_IDIOMS = (
    (GIVE_A_RE, lambda m: GIVES[m.group(1).lower()]),
    (re.compile(rf"\s+as\W+(?:{FUCK}|shit|hell)\b(?!\W+(?:you|u|off|up)\b)", re.IGNORECASE), lambda m: ""),
    (re.compile(rf"\b{FUCK}(s|ed|ing|in)?\W+(up|with|around)\b", re.IGNORECASE),
     lambda m: _mess(m)),  # not "fuck wit" (slang: "like")
    (re.compile(r"\b(hurt|hurts|hurting)\W+like\W+(?:a\W+bitch|hell|shit)\b", re.IGNORECASE),
     lambda m: m.group(1) + " a lot"),
)


def _mess(m: re.Match) -> str:
    """"fuck up" -> "mess up"; "shut the fuck up" is a request (:data:`_RUDE_REQUESTS`)."""
    if re.search(r"\bthe\W+$", m.string[:m.start()], re.IGNORECASE):
        return m.group()
    return _MESS[(m.group(1) or "").lower()] + " " + m.group(2).lower()


def request_templates(text: str) -> list[str]:
    """The civil form of what a dismissal asks for ("shut up", "fuck off"), or ``[]``."""
    return [t for pattern, ts in _DISMISSALS if pattern.search(text) for t in ts]


def _same_case(match: re.Match, plain: str) -> str:
    return plain[:1].upper() + plain[1:] if match.group()[:1].isupper() else plain


def say_plainly(text: str) -> str | None:
    """``text`` with each rude idiom and rude request said plainly ("don 't give a shit" ->
    "don 't care", "fuck off" -> "go away"), or None where there is none."""
    out = text
    for pattern, plain in _RUDE_IDIOMS:
        out = pattern.sub(lambda m, p=plain: _same_case(m, p(m)) if p(m) else "", out)
    requested, rest = out, out
    for pattern, plain in _RUDE_REQUESTS:
        requested = pattern.sub(lambda m, p=plain: _same_case(m, m.expand(p)), requested)
        rest = pattern.sub(" ", rest)
    # a comment that is only the request ("please shut the fuck up") gets its template instead
    said = [w for w in word_norms(rest) if w not in FUNCTION_WORDS and w not in FILLERS]
    out = cleanup(requested if said else out, like=text)
    return out if out != text else None


def templates_for(text: str, threat: bool) -> list[str]:
    """Civil statements of the feeling behind a comment that has nothing else to keep, most
    faithful first (the verification loop scores them like any candidate)."""
    you = bool(re.search(r"\b(?:you|u|ur|your|yourself)\b", text, re.IGNORECASE))
    obj = "you" if you else "this"
    if threat:
        return [f"I am very angry with {obj}.", f"I am very upset with {obj}.", f"I strongly object to {obj}."]
    # a dismissal's request says what it meant ("shut yo bitch ass up !" -> "Please stop talking."),
    # never a statement of dislike, whichever is closer in characters
    return request_templates(text) or [f"I strongly disagree with {obj}.", f"I do not like {obj}."]
