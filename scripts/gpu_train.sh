#!/usr/bin/env bash
# One device call: MiniLM-L6 on the de-duplicated Jigsaw train split, four runs on one GPU.
# Needs .carry/minilm (bf16 weights + tokenizer) and .carry/train.csv.gz (scripts/gpu_prepare.py).
set -uo pipefail
export PYTHONPATH=src PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import torch, transformers, accelerate; print(torch.__version__, transformers.__version__, accelerate.__version__)"
python3 scripts/gpu_train.py --base .carry/minilm --data .carry/train.csv.gz --out "${OUT:-/tmp/out}" \
  --budget "${BUDGET:-300}" "$@" 2>&1 | tee "${OUT:-/tmp/out}/train.log"
