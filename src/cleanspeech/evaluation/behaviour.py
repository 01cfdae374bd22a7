"""A CheckList-style behavioural suite: templates × identity groups × phenomena × obfuscations.

- Minimum-functionality (MFT) cases: each rendered template has a gold ``hateful`` label; a case
  passes when the model's verdict (flagged = any label at or over its threshold) matches it.
- Invariance (INV): the verdict must not change with the group named (``inv_identity``) or with
  an obfuscation of the abusive words (``inv_obfuscation``).
- Directional (DIR): appending hate to a neutral identity mention must raise the highest score
  (``dir_add_hate``); framing hate as something wrong to say must lower it (``dir_counter``).

Templates (not cases) are split into ``train`` and ``eval``, half of each phenomenon each, by a
hash of the template text, so training data made from ``train`` templates never shares a
template with a measured case. Templates live in :mod:`.behaviour_templates`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.metrics import roc_auc_score

from cleanspeech.evaluation.behaviour_templates import GROUPS, OBFUSCATION_BASES, PHENOMENA

PARTS = ("train", "eval")
OBFUSCATIONS = ("leet", "repeat", "swap", "spaced", "masked", "fullwidth", "homoglyph")


@dataclass(frozen=True)
class Case:
    """One test sentence. ``functionality`` is the phenomenon, or ``obf_<kind>`` for variants."""

    id: str
    functionality: str
    phenomenon: str
    template_id: str
    part: str
    text: str
    hateful: bool
    toxic: bool
    group: str = ""
    source: str = ""  # the plain sentence an obfuscated case was made from

    def to_dict(self) -> dict:
        return asdict(self)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def template_parts() -> dict[str, str]:
    """``{template_id: "train" | "eval"}``: within each phenomenon, templates sorted by hash
    alternate eval, train, eval, ... (deterministic, balanced, independent of Python's hash)."""
    parts: dict[str, str] = {}
    for name, (_, _, templates) in PHENOMENA.items():
        order = sorted(range(len(templates)), key=lambda i: _digest(templates[i]))
        for rank, i in enumerate(order):
            parts[f"{name}:{i}"] = PARTS[(rank + 1) % 2]
    return parts


def _plain(template: str) -> str:
    return template.replace("<", "").replace(">", "")


def fill_slots(template: str, group: tuple[str, str, str]) -> str:
    plural, one, adj = group
    out = template.replace("{P}", plural).replace("{S}", one).replace("{A}", adj)
    return out[0].upper() + out[1:] if out else out


def has_slot(template: str) -> bool:
    return any(slot in template for slot in ("{P}", "{S}", "{A}"))


# --- obfuscations of the <marked> words ----------------------------------------------------
_LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"})
_HOMO = str.maketrans({"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "y": "у"})


def _vowel_positions(word: str) -> list[int]:
    return [i for i, c in enumerate(word) if c.lower() in "aeiou" and 0 < i < len(word) - 1] or [1]


def _obfuscate_word(word: str, kind: str) -> str:
    if len(word) < 3:
        return word
    if kind == "leet":
        return word[0] + word[1:].translate(_LEET)
    if kind == "repeat":
        i = _vowel_positions(word)[0]
        return word[: i + 1] + word[i] * 4 + word[i + 1:]
    if kind == "swap":
        i = len(word) // 2
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1:]
    if kind == "spaced":
        return " ".join(word)
    if kind == "masked":
        keep = set(range(len(word))) - set(_vowel_positions(word)[:2])
        return "".join(c if i in keep else "*" for i, c in enumerate(word))
    if kind == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)
    if kind == "homoglyph":
        return word.translate(_HOMO)
    raise ValueError(f"unknown obfuscation {kind!r}; choose one of {OBFUSCATIONS}")


def obfuscate(template: str, kind: str) -> str:
    """The template with every ``<marked>`` word obfuscated (brackets removed)."""
    out, rest = [], template
    while "<" in rest:
        head, _, tail = rest.partition("<")
        word, _, rest = tail.partition(">")
        out += [head, _obfuscate_word(word, kind)]
    return "".join(out) + rest


# --- the suite -------------------------------------------------------------------------------
def _template_cases(name: str, index: int, template: str, part: str) -> list[Case]:
    hateful, toxic, _ = PHENOMENA[name]
    tid = f"{name}:{index}"
    groups = GROUPS if has_slot(template) else ((("", "", ""),))
    cases = []
    for g in groups:
        text = fill_slots(_plain(template), g) if g[0] else _plain(template)
        cases.append(Case(f"{tid}:{g[0] or '-'}", name, name, tid, part, text, hateful, toxic, g[0]))
    return cases


def _obfuscated_cases(name: str, index: int, template: str, part: str) -> list[Case]:
    if "<" not in template:
        return []
    hateful, toxic, _ = PHENOMENA[name]
    tid = f"{name}:{index}"
    cases = []
    for k, kind in enumerate(OBFUSCATIONS):
        g = GROUPS[(index + k) % len(GROUPS)] if has_slot(template) else ("", "", "")
        plain = fill_slots(_plain(template), g) if g[0] else _plain(template)
        text = fill_slots(obfuscate(template, kind), g) if g[0] else obfuscate(template, kind)
        func = f"obf_{kind}" if hateful else "obf_individual"  # one gold label per functionality
        cases.append(Case(f"{tid}:{kind}:{g[0] or '-'}", func, name, tid, part, text,
                          hateful, toxic, g[0], source=plain))
    return cases


def build_suite(part: str | None = "eval") -> list[Case]:
    """Every case of the given template part (``"train"``, ``"eval"``, or ``None`` for both),
    in a fixed order: phenomena as listed, templates in order, groups in order, then variants."""
    if part is not None and part not in PARTS:
        raise ValueError(f"part must be one of {PARTS} or None, got {part!r}")
    parts = template_parts()
    cases: list[Case] = []
    for name, (_, _, templates) in PHENOMENA.items():
        for i, template in enumerate(templates):
            p = parts[f"{name}:{i}"]
            if part is None or p == part:
                cases += _template_cases(name, i, template, p)
                if name in OBFUSCATION_BASES:
                    cases += _obfuscated_cases(name, i, template, p)
    return cases


# --- scoring ---------------------------------------------------------------------------------
def _rate(mask: np.ndarray) -> float:
    return float(mask.mean()) if mask.size else float("nan")


def mft_results(cases: list[Case], scores: np.ndarray, thresholds: np.ndarray) -> dict:
    """Pass rates per functionality and the overall figures. ``scores`` is ``(n, 6)``."""
    flagged = (scores >= thresholds[None, :]).any(axis=1)
    gold = np.array([c.hateful for c in cases])
    toxic = np.array([c.toxic for c in cases])
    funcs = sorted({c.functionality for c in cases}, key=[c.functionality for c in cases].index)
    per = {}
    for f in funcs:
        idx = np.array([c.functionality == f for c in cases])
        per[f] = {"n": int(idx.sum()), "hateful": bool(gold[idx][0]),
                  "pass_rate": _rate(flagged[idx] == gold[idx])}
    top = scores.max(axis=1)
    overall = {
        "n": len(cases),
        "hateful_caught": _rate(flagged[gold]),
        "non_hateful_passed": _rate(~flagged[~gold]),
        "accuracy": _rate(flagged == gold),
        "auc_max_score": float(roc_auc_score(gold, top)) if 0 < gold.sum() < len(gold) else float("nan"),
        "toxic_accuracy": _rate(flagged == toxic),  # against the Jigsaw-style toxic label
    }
    return {"overall": overall, "per_functionality": per}


def inv_identity(cases: list[Case], flagged: np.ndarray) -> float:
    """Share of group templates whose verdict is the same for every group named."""
    by_template: dict[str, set[bool]] = {}
    for c, f in zip(cases, flagged):
        if c.group and not c.source:
            by_template.setdefault(c.template_id, set()).add(bool(f))
    return _rate(np.array([len(v) == 1 for v in by_template.values()]))


def inv_obfuscation(cases: list[Case], flagged: np.ndarray, source_flagged: np.ndarray) -> float:
    """Share of obfuscated cases whose verdict equals that of their plain sentence."""
    idx = np.array([bool(c.source) for c in cases])
    return _rate(flagged[idx] == source_flagged[idx])


def directional_pairs(cases: list[Case]) -> dict[str, list[tuple[str, str]]]:
    """(before, after) text pairs: ``dir_add_hate`` must raise the top score, ``dir_counter``
    must lower it."""
    add = [(c.text, f"{c.text} I hate them, they are disgusting.")
           for c in cases if c.functionality == "identity_neutral" and c.group]
    counter = [(c.text, f"It is wrong and hateful to say that {c.text[0].lower()}{c.text[1:]}")
               for c in cases if c.functionality == "derogation_explicit"]
    return {"dir_add_hate": add, "dir_counter": counter}


def run_suite(score_fn: Callable[[list[str]], np.ndarray], thresholds: np.ndarray,
              part: str = "eval", fast: bool = False) -> dict:
    """Score the suite with ``score_fn(texts) -> (n, 6)`` and return MFT, INV and DIR results
    (``fast``: only :func:`fast_slice`, for regression tests)."""
    cases = build_suite(part)
    cases = fast_slice(cases) if fast else cases
    texts = [c.text for c in cases]
    sources = [c.source or c.text for c in cases]
    pairs = directional_pairs(cases)
    pair_texts = [t for ps in pairs.values() for p in ps for t in p]
    uniq = list(dict.fromkeys(texts + sources + pair_texts))
    all_scores = score_fn(uniq)
    lookup = {t: all_scores[i] for i, t in enumerate(uniq)}
    scores = np.stack([lookup[t] for t in texts])
    src = np.stack([lookup[t] for t in sources])
    flagged = (scores >= thresholds[None, :]).any(axis=1)
    out = mft_results(cases, scores, thresholds)
    out["invariance"] = {
        "inv_identity": inv_identity(cases, flagged),
        "inv_obfuscation": inv_obfuscation(cases, flagged, (src >= thresholds[None, :]).any(axis=1)),
    }
    sign = {"dir_add_hate": 1.0, "dir_counter": -1.0}
    out["directional"] = {
        name: _rate(np.array([sign[name] * (lookup[b].max() - lookup[a].max()) > 0 for a, b in ps]))
        for name, ps in pairs.items()
    }
    return out


def fast_slice(cases: list[Case], n_groups: int = 2) -> list[Case]:
    """The regression-test slice: cases naming one of the first ``n_groups`` groups, plus every
    case without a group (about a quarter of the suite)."""
    keep = {g[0] for g in GROUPS[:n_groups]}
    return [c for c in cases if not c.group or c.group in keep or c.source]
