"""Text cleaning as a named, versioned step stored with each model.

The design's cleaning lowercases, removes URLs, removes non-ASCII and collapses whitespace. It
neither helped nor hurt a TF-IDF model's AUC on our data, and non-ASCII removal destroys
non-English text and emoji, so the choice is per model (saved in its config), never global.
A model folder records ``cleaning: "<name>"`` and loads the same function back by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from cleanspeech.data.normalize import normalize

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_SPACE = re.compile(r"\s+")


def _identity(text: str) -> str:
    return text


def _design_v1(text: str) -> str:
    """The design's cleaning: lowercase, drop URLs and non-ASCII, collapse whitespace."""
    text = _URL.sub(" ", text.lower())
    text = _NON_ASCII.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def _light_v1(text: str) -> str:
    """Keeps case and every script; only URLs become a placeholder and whitespace collapses."""
    return _SPACE.sub(" ", _URL.sub(" URL ", text)).strip()


CLEANERS: dict[str, Callable[[str], str]] = {
    "none": _identity,
    "design-v1": _design_v1,
    "light-v1": _light_v1,
    # Undoes obfuscation (fullwidth, homoglyphs, leet, f*ck, f u c k, fuuuck); see normalize.py.
    "normalize-v1": normalize,
}


def get_cleaner(name: str) -> Callable[[str], str]:
    """The cleaning function registered under ``name`` (e.g. ``"design-v1"``)."""
    try:
        return CLEANERS[name]
    except KeyError:
        raise ValueError(f"unknown cleaning {name!r}; choose one of {sorted(CLEANERS)}") from None


def clean_texts(texts: Iterable[str], name: str) -> list[str]:
    """Apply the named cleaning to every text (``None`` becomes ``""``)."""
    fn = get_cleaner(name)
    return [fn(t if isinstance(t, str) else "") for t in texts]
