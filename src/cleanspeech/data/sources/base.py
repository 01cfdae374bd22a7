"""The one interface every human-labelled source is read through.

A loader turns a source's own files into a :class:`SourceFrame`: a frame with the columns

- ``source`` (the registry name), ``id`` (the source's id, or a stable one we make), ``text``;
- ``split``: the source's own split (``train`` / ``dev`` / ``test``) where it ships one, else
  ``train`` / ``heldout`` from a deterministic hash of the normalised text (90 / 10), so the same
  text always lands on the same side, on every machine and across sources;
- ``target``: the source's own main binary notion (abusive / offensive / hateful = 1, its negative
  class = 0), what "any label" is scored against in evaluation;
- the six ``LABELS`` as float: 1, 0, or ``NaN`` where the source says nothing about that label.
  ``NaN`` is masked in training, never read as 0: a "not hate" post may still be rude.

Rows on which the source says nothing at all (every label and the target ``NaN``) are dropped.
Each loader states its mapping as a :class:`Rule` table (``{source class: Rule}``), so the code,
the tests and ``docs/sources.md`` read the same table.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from cleanspeech.labels import LABELS

Use = Literal["train", "eval"]
NAN = float("nan")
BASE_COLUMNS: tuple[str, ...] = ("source", "id", "text", "split", "target")
COLUMNS: tuple[str, ...] = BASE_COLUMNS + LABELS
HELDOUT_SHARE = 10  # percent of a split-less source hashed into ``heldout``

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Rule:
    """What one source class says: ``target`` and the labels it fixes; every other label is NaN."""

    target: float = NAN
    labels: dict[str, float] = field(default_factory=dict)
    note: str = ""

    def __post_init__(self) -> None:
        unknown = set(self.labels) - set(LABELS)
        if unknown:
            raise ValueError(f"unknown labels in rule: {sorted(unknown)}")

    def row(self) -> dict[str, float]:
        """``{target, toxic, ..., identity_hate}`` with NaN for what the rule leaves open."""
        out = {"target": float(self.target)}
        out.update({label: float(self.labels.get(label, NAN)) for label in LABELS})
        return out


# The one rule every "clean" class shares: nothing offensive, so every label is really absent.
CLEAN = Rule(0.0, {label: 0.0 for label in LABELS}, "not offensive at all: all six 0")


@dataclass
class SourceFrame:
    """One source read through the interface: ``frame`` has :data:`COLUMNS`, one row per text."""

    name: str
    use: Use
    licence: str
    frame: pd.DataFrame
    mapping: dict[str, Rule]
    notes: str = ""

    def __post_init__(self) -> None:
        self.frame.attrs.update(source=self.name, use=self.use, licence=self.licence)

    def __len__(self) -> int:
        return len(self.frame)

    def part(self, which: Literal["train", "heldout"]) -> pd.DataFrame:
        """``train``: the rows a model may fit on; ``heldout``: every other split (dev/test/heldout)."""
        is_train = self.frame["split"] == "train"
        return self.frame[is_train if which == "train" else ~is_train].reset_index(drop=True)

    def eval_rows(self) -> pd.DataFrame:
        """The rows evaluation scores: the source's ``test`` split where it has one, else held-out."""
        f = self.frame
        if self.use == "eval":
            return f[f["split"] == "test"].reset_index(drop=True) if (f["split"] == "test").any() \
                else f.reset_index(drop=True)
        return self.part("heldout")

    def labels(self) -> np.ndarray:
        """The ``(n, 6)`` float label array, NaN = masked."""
        return self.frame[list(LABELS)].to_numpy(dtype=float)


def normalise_text(text: str) -> str:
    """The de-duplication key: lowercase, URLs and @mentions removed, whitespace collapsed."""
    text = _MENTION.sub(" ", _URL.sub(" ", str(text).lower()))
    return _SPACE.sub(" ", text).strip()


def hashed_split(texts: pd.Series, heldout_share: int = HELDOUT_SHARE) -> pd.Series:
    """``train`` / ``heldout`` per text from the SHA-1 of its normalised form (stable everywhere).

    Hashing the text rather than sampling rows keeps repeated texts on one side, and sends a text
    found in two sources to the same side in both.
    """
    def side(text: str) -> str:
        h = int(hashlib.sha1(normalise_text(text).encode("utf-8")).hexdigest()[:8], 16)
        return "heldout" if h % 100 < heldout_share else "train"

    return texts.map(side)


def apply_rules(keys: pd.Series, mapping: dict[str, Rule]) -> pd.DataFrame:
    """The ``target`` + six label columns for each row's class key (unknown keys: all NaN)."""
    empty = Rule().row()
    rows = [mapping[k].row() if k in mapping else empty for k in keys]
    return pd.DataFrame(rows, index=keys.index, columns=["target", *LABELS], dtype=float)


def finish(name: str, ids: pd.Series, texts: pd.Series, splits: pd.Series | None,
           values: pd.DataFrame) -> pd.DataFrame:
    """Assemble :data:`COLUMNS`, drop empty texts and rows that say nothing, hash a split if none.

    ``values`` has ``target`` and the six labels, aligned on ``texts``' index.
    """
    texts = texts.fillna("").astype(str).str.strip()
    out = pd.DataFrame({
        "source": name,
        "id": ids.astype(str).to_numpy(),
        "text": texts.to_numpy(),
        "split": (splits.to_numpy() if splits is not None else hashed_split(texts).to_numpy()),
    })
    for col in ["target", *LABELS]:
        out[col] = values[col].to_numpy(dtype=float)
    says_something = out[["target", *LABELS]].notna().any(axis=1)
    out = out[says_something & (out["text"] != "")]
    return out.reset_index(drop=True)[list(COLUMNS)]


def mapping_markdown(mapping: dict[str, Rule]) -> str:
    """The mapping as a markdown table (``docs/sources.md`` is generated from the same rules)."""
    head = "| source class | target | " + " | ".join(LABELS) + " | note |"
    lines = [head, "|" + "---|" * (len(LABELS) + 3)]

    def fmt(x: float) -> str:
        return "–" if x != x else str(int(x))

    for key, rule in mapping.items():
        r = rule.row()
        cells = [fmt(r["target"])] + [fmt(r[label]) for label in LABELS]
        lines.append(f"| {key} | " + " | ".join(cells) + f" | {rule.note} |")
    return "\n".join(lines)
