"""Reassemble what ``scripts/gpu_train.py`` returned into a float32 Hugging Face model folder.

    .venv/bin/python scripts/gpu_fetch.py RESULTS_DIR OUT_DIR [--tokenizer .carry/minilm]
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")


def merge_parts(files: list[Path]) -> dict[str, torch.Tensor]:
    """``name@@k@@n`` parts concatenated back by rows; float tensors to float32."""
    flat: dict[str, torch.Tensor] = {}
    for f in files:
        flat.update(load_file(str(f)))
    state, parts = {}, {}
    for name, t in flat.items():
        if "@@" in name:
            base, k, n = name.split("@@")
            parts.setdefault(base, [None] * int(n))[int(k)] = t
        else:
            state[name] = t
    for base, chunks in parts.items():
        state[base] = torch.cat(chunks, dim=0)
    return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("out")
    ap.add_argument("--tokenizer", default=".carry/minilm")
    args = ap.parse_args()
    res, out = Path(args.results), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = json.loads((res / "results.json").read_text())
    save_file(merge_parts(sorted(res.glob("weights_*.safetensors"))), str(out / "model.safetensors"))
    (out / "config.json").write_text(json.dumps(results["hf_config"], indent=2) + "\n")
    for name in TOKENIZER_FILES:
        if (Path(args.tokenizer) / name).exists():
            shutil.copy(Path(args.tokenizer) / name, out / name)
    print(f"{out}: winner {results['winner']} (val macro ROC-AUC {results['scores'][results['winner']]:.5f})")


if __name__ == "__main__":
    main()
