"""Identity terms and named groups: one list for every stage that must treat them specially.

The rewriter never deletes them (``rewrite.guards``), and the cascade sends comments that name a
group to the transformer whatever the linear score (``models.cascade``): a bag of words cannot
tell "Muslims are a cancer" from "Muslims are welcome", and hate about a group is often written
without a single swear word for the linear model to catch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

# Lowercased word forms.
IDENTITY_TERMS = frozenset("""
jew jews jewish judaism muslim muslims islam islamic christian christians christianity catholic
catholics protestant protestants hindu hindus sikh sikhs buddhist buddhists atheist atheists
gay gays lesbian lesbians homosexual homosexuals bisexual bisexuals trans transgender
transgenders queer lgbt lgbtq black blacks white whites asian asians african africans
arab arabs latino latinos latina latinas hispanic hispanics mexican mexicans indian indians
chinese japanese korean koreans immigrant immigrants refugee refugees nazi nazis holocaust
israeli israelis palestinian palestinians women woman men disabled
""".split())

_TERMS_RE = re.compile(r"\b(?:" + "|".join(sorted(IDENTITY_TERMS, key=len, reverse=True)) + r")\b",
                       re.IGNORECASE)


def mentions_identity(texts: Sequence[str]) -> np.ndarray:
    """Boolean ``(n,)``: which texts name an identity group (whole words, any case)."""
    return np.array([bool(_TERMS_RE.search(t or "")) for t in texts], dtype=bool)
