"""Input limits every edge (HTTP API, CLI, UI) shares, so a text one edge accepts the others do
too and each refuses with the same numbers.

Scoring (``moderate`` / ``predict``) takes long comments whole: the classifier's cost is bounded
(the linear model reads the text once; transformers score at most a few windows of it). Explaining
and rewriting cost grows with length (per-word attributions, a span tagger over every window,
candidate edits), so they take shorter texts.
"""

from __future__ import annotations

MAX_TEXTS = 64  # texts per HTTP request for scoring
MAX_TEXTS_HEAVY = 16  # texts per HTTP request for explain / rewrite
MAX_CHARS = 20_000  # characters per text over HTTP for scoring
MAX_CHARS_EXPLAIN = 5_000  # characters per text for explain (every edge)
MAX_CHARS_REWRITE = 1_000  # characters per text for rewrite (every edge)
MAX_BODY_BYTES = 2 * 1024 * 1024  # one HTTP request body
MAX_TEXT_BYTES = 1_000_000  # one comment for scoring at the CLI / in a batch file: the 1 MB budget
