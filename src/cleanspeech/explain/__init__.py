"""Explanations: per-label word attributions, toxic spans and heatmaps for every model kind.

    >>> from cleanspeech.explain import explain_texts, render_html
    >>> exp = explain_texts(model, ["you are a stupid idiot"])[0]
    >>> exp.spans, exp.top_words("insult")

Heavy dependencies (torch for transformers and the span tagger, rich for the terminal) are
imported only when used.
"""

from cleanspeech.explain.core import explain_texts
from cleanspeech.explain.render import print_explanation, render_html, render_terminal, to_rich_text
from cleanspeech.explain.types import Explanation, TokenAttribution

__all__ = ["explain_texts", "Explanation", "TokenAttribution", "render_html", "render_terminal", "print_explanation",
           "to_rich_text"]
