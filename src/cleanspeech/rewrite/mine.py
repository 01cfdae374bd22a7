"""Rebuild the shipped edit lexicon from the ParaDetox *training* split (the 10% held-out split,
seed 42, is never mined, so it stays fit for model selection and the reported numbers).

    python -m cleanspeech.rewrite.mine [PAIRS.tsv] [-o src/cleanspeech/rewrite/resources/edits.json]
    python -m cleanspeech.rewrite.mine --export-heldout runs/paradetox_heldout.tsv   # for eval-rewrite
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


def export_pairs(pairs: list, path: str | Path) -> Path:
    """Write pairs as a ParaDetox TSV (``toxic, neutral1..3``)."""
    from cleanspeech.data.io import write_text_atomic

    rows = ["toxic\tneutral1\tneutral2\tneutral3"]
    rows += ["\t".join([p.toxic, *(list(p.references) + ["", "", ""])[:3]]) for p in pairs]
    return write_text_atomic("\n".join(rows) + "\n", path)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pairs", nargs="?", default=str(DEFAULT_PARADETOX))
    ap.add_argument("-o", "--out", default=str(RESOURCE))
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--export-heldout", metavar="TSV", help="only write the held-out pairs (ParaDetox TSV)")
    args = ap.parse_args(argv)
    if args.export_heldout:
        _, held = split_pairs(read_pairs(args.pairs))
        export_pairs(held, args.export_heldout)
        print(f"{len(held)} held-out pairs -> {args.export_heldout}")
        return
    lex = build_lexicon(args.pairs, args.out, args.min_count)
    print(f"{len(lex.entries)} phrases -> {args.out}")


if __name__ == "__main__":
    main()
