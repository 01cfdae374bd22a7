"""A light language guess: is this comment English?

The rewriter's lexicon is mined from English ParaDetox pairs, so applied to "Tu es un connard"
it deletes French function words that look like English toxic ones and keeps the obscenity; the
span tagger learned from English posts, so on "Danke für die hilfreiche Bearbeitung." it marks
content words. Both stages ask here first. The guess counts stopwords of a few European
languages and looks at the script; it needs no model and errs towards English for short or
ambiguous text (an English insult has few stopwords).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STOPWORDS: dict[str, frozenset[str]] = {
    # English gets a longer list: informal English ("as if colleges give a dick about a ...",
    # "don 't get yo ass whoop out here son") otherwise loses to a few short Romance words
    "en": frozenset("the a an and or is are was were you your i it of to in that this for with not on be "
                    "have has had do does did what my me he she they we them his her our their as if "
                    "about at by from so but all just out up here there get got don t s can will would "
                    "when who how why if no yes like than then too very really".split()),
    "fr": frozenset("le la les un une des et est es tu vous je il elle nous ils de du ce cette pour "
                    "avec pas sur dans qui que mais ou très merci bonjour suis sont".split()),
    "de": frozenset("der die das ein eine und ist bist du sie ich er wir ihr nicht mit für auf "
                    "dem den des zu von aber oder sehr danke bitte sind".split()),
    "es": frozenset("el la los las un una y es eres tú usted yo de del que en por para con no pero "
                    "muy gracias eso esto son".split()),
    "it": frozenset("il lo la gli le un una e è sei tu io di che non per con ma molto grazie sono".split()),
    "nl": frozenset("de het een en is ben jij je ik niet met voor op van maar heel dank zijn".split()),
    "pt": frozenset("o a os as um uma e é és você eu de que não para com mas muito obrigado são".split()),
}
_NON_LATIN = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u3040-\u9fff\uac00-\ud7af]")
_ACCENTED = re.compile(r"[àâçéèêëîïôûùüÿœæäöüßñáíóú¿¡]", re.IGNORECASE)


def guess_language(text: str) -> str:
    """``"en"``, another stopword language's code (``"fr"``, ``"de"``, …), or ``"other"``
    for mostly non-Latin script. Short or ambiguous text counts as English."""
    letters = re.findall(r"\w", text)
    if letters and len(_NON_LATIN.findall(text)) > 0.3 * len(letters):
        return "other"
    words = re.findall(r"[^\W\d_]+", text.lower())
    if not words:
        return "en"
    # Distinct words, so a repeated chant ("DIE FAG DIE FAG ...", "VIVA LA ...") counts once;
    # single letters only for English, so "F\nU\nC\nK" spelled down the page is not Portuguese.
    distinct = set(words)
    hits = {lang: sum(w in sw and (lang == "en" or len(w) > 1) for w in distinct)
            for lang, sw in STOPWORDS.items()}
    if _ACCENTED.search(text):
        hits["en"] -= 1  # English rarely uses accents; ties then go to the other language
    best = max(hits, key=lambda lang: (hits[lang], lang == "en"))
    # a clear lead: English text quoting a place name ("Río de la Plata") stays English
    if best != "en" and hits[best] >= 2 and hits[best] >= hits["en"] + 2:
        return best
    return "en"


# Common insults and obscenities of the stopword languages. The classifier is trained on English
# and often misses them ("Tu es un connard" scores as civil); these decide that a non-English
# comment needs a moderator and which of its words explain highlights, never what to edit.
# An entry with a space is a phrase, matched only as consecutive words: "ta" and "gueule" are
# everyday French on their own ("ta voiture", "la gueule de bois"), "ta gueule" is "shut up".
OFFENSIVE: dict[str, frozenset[str]] = {
    "fr": frozenset("connard connards connasse salope salopes merde putain pute enculé enculés con cons "
                    "imbécile imbéciles abruti abrutie crétin crétins débile nique batard bâtard".split())
    | {"ta gueule"},
    "de": frozenset("arschloch arschlöcher scheiße scheisse hurensohn fotze wichser idiot idioten "
                    "schlampe missgeburt verpiss depp trottel".split()),
    "es": frozenset("idiota idiotas pendejo pendeja puta puto mierda cabrón cabron gilipollas imbécil "
                    "estúpido estupido maricón joder coño".split()),
    "it": frozenset("stronzo stronza cazzo vaffanculo coglione puttana idiota merda".split()),
    "nl": frozenset("klootzak kut lul hoer idioot tering kankerlijer".split()) | {"kanker op"},  # "kanker": cancer
    "pt": frozenset("idiota merda porra caralho puta otário otario babaca".split()),
}


def has_offensive_words(text: str, lang: str) -> bool:
    """Whether ``text`` holds a word of ``lang``'s short insult list."""
    return bool(offensive_word_spans(text, lang))


def offensive_word_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each word of ``text`` on ``lang``'s short insult list; a phrase entry
    gives one span from its first word to its last."""
    entries = OFFENSIVE.get(lang, frozenset())
    tokens = list(re.finditer(r"[^\W\d_]+", text))
    lowered = [m.group().lower() for m in tokens]
    spans = [m.span() for m, w in zip(tokens, lowered) if w in entries]
    for parts in (e.split() for e in entries if " " in e):
        for i in range(len(tokens) - len(parts) + 1):
            if lowered[i:i + len(parts)] == parts:
                spans.append((tokens[i].start(), tokens[i + len(parts) - 1].end()))
    return sorted(spans)


# Placeholder Latin: a page template's "Lorem ipsum" is not a comment, and the classifier, which
# never saw it, gave 5.7k characters of it toxic 0.47. The words of the standard passage.
_LOREM = frozenset(
    "lorem ipsum dolor sit amet consectetur adipiscing adipisicing elit sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation "
    "ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit "
    "voluptate velit esse cillum eu fugiat nulla pariatur excepteur sint occaecat cupidatat non "
    "proident sunt culpa qui officia deserunt mollit anim id est laborum".split())
_CODE_CHARS = re.compile(r"[{}\[\]();=<>$\\|&*/]")
_CODE_LINE = re.compile(
    r"^\s*(?:def |class |import |from \S+ import|return\b|function\b|var |let |const |#include|"
    r"public |private |if ?\(|for ?\(|while ?\(|}|<\w+[^>]*>)", re.MULTILINE)


@dataclass(frozen=True)
class Support:
    """Whether the classifier can judge a text. ``language`` is ``"en"``, another stopword
    language's code, ``"other"`` (non-Latin script), ``"la"`` (placeholder Latin) or ``"code"``;
    ``supported`` is True for English (and for empty text, which scores 0 anyway)."""

    language: str
    supported: bool

    def to_dict(self) -> dict[str, object]:
        return {"language": self.language, "supported": self.supported}


def assess(text: str) -> Support:
    """Can the English classifier judge ``text``? Other languages, placeholder Latin and source
    code are not what it learned; their scores say "unfamiliar", not "toxic"."""
    if not isinstance(text, str) or not text.strip():
        return Support("en", True)
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) >= 5 and sum(w in _LOREM for w in words) >= 0.6 * len(words):
        return Support("la", False)
    if _looks_like_code(text):
        return Support("code", False)
    lang = guess_language(text)
    return Support(lang, lang == "en")


def _looks_like_code(text: str) -> bool:
    # Both signs together: prose with a smiley or a URL has symbols, a comment quoting "return"
    # has the keyword; code has many symbols and lines that start like statements.
    if len(text) < 40:
        return False
    symbols = len(_CODE_CHARS.findall(text)) / len(text)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    statements = len(_CODE_LINE.findall(text))
    return symbols >= 0.05 and statements >= max(2, 0.3 * len(lines))
