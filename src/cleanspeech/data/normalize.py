"""Undo the obfuscations people use to slip abuse past a filter: cleaning step ``normalize-v1``.

Steps, in order (each is conservative, so ordinary text, numbers and other scripts survive):

1. NFKC — fullwidth and other compatibility forms become plain letters (``ｆｕｃｋ`` → ``fuck``).
2. Homoglyphs — Cyrillic/Greek look-alikes become Latin, but only inside a word that also has
   Latin letters, so Russian or Greek text is left alone.
3. Spaced letters — three or more single letters joined by one repeated separator
   (``f u c k``, ``f.u.c.k``) become one word.
4. Masked words — ``f*ck``, ``f**k``, ``sh#t`` are matched against a small lexicon of the words
   people mask; an unmatched mask is left as it is.
5. Leet — ``0 1 3 4 5 7 @ $ !`` become letters only inside a word with at least two letters
   (``sh1t``, ``m0r0n``, ``a$$``); ``2024``, ``covid19``, ``1st``, ``$5`` and ``hi!`` are kept.
6. Repeated letters — a run of three or more becomes two, or one where that gives a lexicon
   word (``fuuuuck`` → ``fuck``, ``soooo`` → ``soo``).
7. Swapped letters — a word one adjacent swap away from a lexicon word becomes that word
   (``fcuk`` → ``fuck``); the lexicon holds only the words people disguise.

Case is kept where the text keeps it (the vectorisers lowercase). Character offsets change:
:func:`normalize_with_offsets` gives the same text and where each of its characters came from, so
that explanations computed on the normalized text land on the original's words
(``explain.attributions``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

# Words that people disguise; used to resolve masks, squashed repeats and swaps. Kept short on
# purpose: every entry is a word the toxicity models must see spelled out to score it.
LEXICON: tuple[str, ...] = (
    "fuck", "fucking", "fucker", "fucked", "fucks", "motherfucker", "shit", "shitty", "bullshit",
    "bitch", "bitches", "bastard", "asshole", "ass", "cunt", "dick", "dickhead", "cock", "pussy",
    "damn", "crap", "piss", "whore", "slut", "wanker", "twat", "prick", "douche", "retard",
    "retarded", "idiot", "idiots", "moron", "morons", "stupid", "dumb", "loser", "ugly", "hate",
    "kill", "die", "scum", "trash", "nigger", "niggers", "nigga", "faggot", "faggots", "fag",
    "dyke", "tranny", "kike", "spic", "chink", "wetback", "raghead", "towelhead", "paki",
    "gay", "suck", "sucks", "hell", "shut", "up", "you", "your", "are",
)
_LEXICON = frozenset(LEXICON)

# Cyrillic and Greek letters that look like Latin ones.
_HOMOGLYPHS = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "к": "k", "м": "m", "т": "t", "н": "h", "в": "b", "А": "A", "Е": "E", "О": "O",
    "Р": "P", "С": "C", "Х": "X", "К": "K", "М": "M", "Т": "T", "Н": "H", "В": "B", "І": "I",
    "α": "a", "ο": "o", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u",
    "Α": "A", "Β": "B", "Ε": "E", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Χ": "X", "Υ": "Y", "Ζ": "Z",
})
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
_MASK_CHARS = "*#%"

_WORDISH = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_TOKEN = re.compile(r"[A-Za-z0-9@$!*#%]+")
_SPACED = re.compile(r"(?<![\w*])[A-Za-z]([ .\-_])[A-Za-z](?:\1[A-Za-z])+(?![\w*])")
_ORDINAL_OR_UNIT = re.compile(r"^\d+(?:st|nd|rd|th|s|am|pm|k|m|d|g|kg|km|cm|mm|x)$", re.IGNORECASE)
_REPEAT = re.compile(r"([A-Za-z])\1{2,}")


_HOMOGLYPH_RE = re.compile("[" + "".join(chr(c) for c in _HOMOGLYPHS) + "]")


def _fold_homoglyphs(text: str) -> str:
    if not _HOMOGLYPH_RE.search(text):  # the common case, checked in C: no word to look at
        return text

    def fix(m: re.Match) -> str:
        word = m.group(0)
        if any("a" <= c.lower() <= "z" for c in word):
            return word.translate(_HOMOGLYPHS)
        return word
    return _WORDISH.sub(fix, text)


def _join_spaced(text: str) -> str:
    return _SPACED.sub(lambda m: m.group(0).replace(m.group(1), ""), text)


def _match_case(word: str, like: str) -> str:
    return word.upper() if sum(c.isalpha() for c in like) > 1 and like.isupper() else word


def _unmask(token: str) -> str:
    if not token[0].isalpha():
        return token
    pattern = re.compile("".join("[a-z]" if c in _MASK_CHARS else re.escape(c.lower()) for c in token))
    for word in LEXICON:  # lexicon order breaks ties ("s**t" is "shit" before "slut")
        if len(word) == len(token) and pattern.fullmatch(word):
            return _match_case(word, token)
    return token


def _unleet(token: str) -> str:
    letters = sum(c.isalpha() for c in token)
    if letters < 2 or _ORDINAL_OR_UNIT.match(token) or not any(c in _LEET for c in token):
        return token
    stripped = token.rstrip("!")  # "hi!" and "sh!t!" end in punctuation, not leet
    tail = token[len(stripped):]
    body = stripped
    m = re.search(r"\d+$", body)
    interior = body[: m.start()] if m else body
    if m and not any(c in _LEET for c in interior):
        return token  # digits only at the end: a name or version ("covid19", "win10")
    out = "".join(_LEET.get(c, c) if c in _LEET and (c != "@" or i > 0) else c
                  for i, c in enumerate(body))
    return out + tail


def _squash(m: re.Match) -> str:
    return m.group(1) * 2


def _squash_word(word: str) -> str:
    if not _REPEAT.search(word):
        return word
    two = _REPEAT.sub(_squash, word)
    if two.lower() in _LEXICON:
        return two
    one = re.sub(r"([A-Za-z])\1+", r"\1", word)
    return one if one.lower() in _LEXICON else two


def _swap_table() -> dict[str, str]:
    """Every spelling one adjacent swap away from a lexicon word of 4+ letters → that word
    (the swap at the earliest position wins, as a left-to-right scan of the spelling finds it)."""
    table: dict[str, tuple[int, str]] = {}
    for word in LEXICON:
        if len(word) < 4:
            continue
        for i in range(len(word) - 1):
            spelled = word[:i] + word[i + 1] + word[i] + word[i + 2:]
            if spelled not in table or i < table[spelled][0]:
                table[spelled] = (i, word)
    return {spelled: word for spelled, (_, word) in table.items()}


_SWAPS = _swap_table()


def _unswap(word: str) -> str:
    low = word.lower()
    if len(low) < 4 or low in _LEXICON or not low.isalpha():
        return word
    cand = _SWAPS.get(low)
    return _match_case(cand, word) if cand else word


@lru_cache(maxsize=1 << 16)
def _fix_word(token: str) -> str:
    """Steps 4-7 for one token; cached, since most tokens of a stream are common words."""
    if any(c in _MASK_CHARS for c in token):
        token = _unmask(token)
    token = _unleet(token)
    if token.isalpha():
        token = _unswap(_squash_word(token))
    return token


def _fix_token(m: re.Match) -> str:
    return _fix_word(m.group(0))


def normalize(text: str) -> str:
    """``normalize-v1``: the obfuscation-undoing steps of the module docstring, in order."""
    text = unicodedata.normalize("NFKC", text)
    text = _fold_homoglyphs(text)
    text = _join_spaced(text)
    return _TOKEN.sub(_fix_token, text)


def _sub_with_origin(pattern: re.Pattern, text: str, origin: list[int], replace, exact=None) -> tuple[str, list[int]]:
    """``pattern.sub(replace, text)`` and, for each output character, the ``origin`` entry of the
    input character it came from. ``exact(match)``: the indices (within the match) of the kept
    characters, when the replacement only deletes; otherwise a replacement of another length
    spreads its characters evenly over the match's."""
    out, out_origin, pos = [], [], 0
    for m in pattern.finditer(text):
        s, e = m.span()
        out.append(text[pos:s])
        out_origin.extend(origin[pos:s])
        new = replace(m)
        out.append(new)
        if len(new) == e - s:
            out_origin.extend(origin[s:e])
        elif exact is not None:
            out_origin.extend(origin[s + k] for k in exact(m))
        else:
            out_origin.extend(origin[s + (j * (e - s)) // max(len(new), 1)] for j in range(len(new)))
        pos = e
    out.append(text[pos:])
    out_origin.extend(origin[pos:])
    return "".join(out), out_origin


def normalize_with_offsets(text: str) -> tuple[str, np.ndarray]:
    """``(normalize(text), origin)``: the same normalized text, and for each of its characters
    the offset in ``text`` it comes from, plus ``len(text)`` at the end (``(len(normalized) + 1,)``
    ints, non-decreasing). Explanations computed on the normalized text (what the models read)
    are mapped back onto the words of the original through it. A character that replaces several
    (a masked or squashed word) maps into the span of the word it replaces."""
    nfkc = unicodedata.normalize("NFKC", text)
    if nfkc == text:
        origin = list(range(len(text)))
    else:
        pieces = [unicodedata.normalize("NFKC", c) for c in text]
        if "".join(pieces) == nfkc:
            origin = [i for i, p in enumerate(pieces) for _ in p]
        else:  # composition across characters: map proportionally
            origin = [(j * len(text)) // max(len(nfkc), 1) for j in range(len(nfkc))]
    out = _fold_homoglyphs(nfkc)  # one character for one: offsets unchanged
    out, origin = _sub_with_origin(
        _SPACED, out, origin, lambda m: m.group(0).replace(m.group(1), ""),
        exact=lambda m: [k for k, c in enumerate(m.group(0)) if c != m.group(1)])
    out, origin = _sub_with_origin(_TOKEN, out, origin, _fix_token)
    return out, np.asarray(origin + [len(text)], dtype=np.int64)
