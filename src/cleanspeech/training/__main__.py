"""``python -m cleanspeech.training --config C.yaml [--set k=v ...] -o DIR`` (for accelerate launch).

    accelerate launch --num_processes 4 -m cleanspeech.training --config configs/mdeberta-v3-base.yaml -o runs/x
"""

from __future__ import annotations

import argparse
import json


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m cleanspeech.training")
    ap.add_argument("--config", required=True)
    ap.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--no-resume", action="store_true")
    args = ap.parse_args(argv)
    from cleanspeech.training.config import TrainConfig
    from cleanspeech.training.trainer import train

    cfg = TrainConfig.from_yaml(args.config).with_overrides(args.overrides)
    summary = train(cfg, args.output, resume=not args.no_resume)
    print(json.dumps({k: summary[k] for k in ("best_metric", "best_epoch", "num_processes")}))


if __name__ == "__main__":
    main()
