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
    hits = {lang: sum(w in sw for w in words) for lang, sw in STOPWORDS.items()}
    if _ACCENTED.search(text):
        hits["en"] -= 1  # English rarely uses accents; ties then go to the other language
    best = max(hits, key=lambda lang: (hits[lang], lang == "en"))
    if best != "en" and hits[best] >= 2 and hits[best] > hits["en"]:
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
