"""Phrase-level tidying of the offline rewriter's word edits (token-index spans ``(i, j, repl)``).

* a deleted verb takes its particle along when ParaDetox knows the pair ("shut up", "fuck off");
* deletions separated only by small function words merge ("worthless piece of garbage");
* an insult right after a copula becomes "wrong" ("you are a disgusting idiot" → "you are
  wrong"), the edit annotators make most often for such predicates and one a classifier reads as
  civil, where deleting leaves "you are a" and a neutral noun ("you are a person") still reads as
  an attack.
"""

from __future__ import annotations

from cleanspeech.rewrite.tokens import Token

Span = tuple[int, int, str]  # tokens [i, j) replaced by the text

PARTICLES = {"up", "off", "out", "down"}
GLUE = {"of", "a", "an", "the", "and", "or", "as"}
COPULAS = {"are", "is", "am", "r", "was", "were", "be", "being", "you're", "youre", "ur", "u're",
           "he's", "she's", "hes", "shes", "they're", "theyre", "i'm", "im", "you’re"}
MODIFIERS = {"a", "an", "the", "such", "so", "total", "complete", "absolute", "real", "really",
             "just", "very", "totally", "utterly", "truly", "pure", "little", "big", "bunch", "of"}
GENERIC_NOUNS = {"person", "guy", "man", "woman", "people", "one", "thing", "guys", "persons"}
ENDERS = {"and", "but", "if", "because", "for", "when", "so", "or"}


def with_particles(toks: list[Token], spans: list[Span], known: set[str] | None = None) -> list[Span]:
    """Extend a deletion of word ``w`` over a following particle when ``"w particle"`` is known."""
    out = []
    for i, j, repl in spans:
        if (not repl and j < len(toks) and toks[j].norm in PARTICLES
                and (known is None or f"{toks[j - 1].norm} {toks[j].norm}" in known)):
            j += 1
        out.append((i, j, repl))
    return out


def merge_deletions(toks: list[Token], spans: list[Span]) -> list[Span]:
    """Merge deletions separated only by function words into one deletion."""
    out: list[Span] = []
    for i, j, repl in sorted(spans):
        if out and not repl and not out[-1][2]:
            pi, pj, _ = out[-1]
            if pj <= i and all(t.norm in GLUE for t in toks[pj:i]):
                out[-1] = (pi, max(pj, j), "")
                continue
        out.append((i, j, repl))
    return out


def _runs(toks: list[Token], spans: list[Span]) -> list[list[Span]]:
    """Group edits that touch or are separated only by modifiers/function words."""
    runs: list[list[Span]] = []
    for sp in sorted(spans):
        if runs and all(t.norm in MODIFIERS | GLUE for t in toks[runs[-1][-1][1]:sp[0]]):
            runs[-1].append(sp)
        else:
            runs.append([sp])
    return runs


def copula_wrong(toks: list[Token], spans: list[Span]) -> list[Span]:
    """``<copula> [modifiers] <edited words> [generic noun]`` at a clause end → ``wrong``."""
    out: list[Span] = []
    for run in _runs(toks, spans):
        i, j = run[0][0], run[-1][1]
        k = i - 1
        while k >= 0 and toks[k].norm in MODIFIERS:
            k -= 1
        end = j
        while end < len(toks) and toks[end].norm in GENERIC_NOUNS:
            end += 1
        at_clause_end = end == len(toks) or not toks[end].is_word or toks[end].norm in ENDERS
        if k >= 0 and toks[k].norm in COPULAS and at_clause_end:
            out.append((k + 1, end, "wrong"))
        else:
            out.extend(run)
    return out
