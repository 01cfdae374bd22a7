"""Rebuild the shipped edit lexicon from the ParaDetox *training* split (the 10% held-out split,
seed 42, is never mined, so it stays fit for model selection and the reported numbers).

    python -m cleanspeech.rewrite.mine [PAIRS.tsv] [-o src/cleanspeech/rewrite/resources/edits.json]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cleanspeech.rewrite.lexicon import RESOURCE, EditLexicon, mine_lexicon
from cleanspeech.rewrite.paradetox import DEFAULT_PARADETOX, HELDOUT_FRACTION, SEED, read_pairs, split_pairs


def build_lexicon(pairs_path: str | Path = DEFAULT_PARADETOX, out: str | Path = RESOURCE,
                  min_count: int = 3) -> EditLexicon:
    """Mine the train split of ``pairs_path`` and write the lexicon JSON to ``out``."""
    train, held = split_pairs(read_pairs(pairs_path))
    lex = mine_lexicon(train, min_count=min_count)
    lex.meta.update({"source": Path(pairs_path).name, "split": f"train ({len(train)} pairs); "
                     f"held out {len(held)} ({HELDOUT_FRACTION:.0%}, seed {SEED}) not mined"})
    lex.save(out)
    return lex


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pairs", nargs="?", default=str(DEFAULT_PARADETOX))
    ap.add_argument("-o", "--out", default=str(RESOURCE))
    ap.add_argument("--min-count", type=int, default=3)
    args = ap.parse_args(argv)
    lex = build_lexicon(args.pairs, args.out, args.min_count)
    print(f"{len(lex.entries)} phrases -> {args.out}")


if __name__ == "__main__":
    main()
