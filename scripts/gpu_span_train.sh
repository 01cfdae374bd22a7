#!/usr/bin/env bash
# Device call 2 of 2: unpack all-mpnet-base-v2 (scripts/gpu_span_prepare.py), then train three
# LoRA span taggers side by side on one GPU with tagger_train's protocol (80% of tsd_train plus
# 2,500 clean Jigsaw comments; epoch and threshold chosen on the 20% split; tsd_trial only
# reported). Call 1 copied .carry/mp1 to $KEEP; this call carries .carry/mp2.
#   KEEP=/root/mp bash scripts/gpu_span_train.sh
set -uo pipefail
export PYTHONPATH=src PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
KEEP=${KEEP:-/root/mp}; OUT=${OUT:-/tmp/out}; RUNS=${RUNS:-/root/span_runs}; BASE=${BASE:-/root/mpnet}
mkdir -p "$KEEP" "$RUNS" "$OUT"
[ -d .carry/mp2 ] && cp -r .carry/mp2/. "$KEEP"/
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import torch, transformers; print(torch.__version__, transformers.__version__)"
[ -f "$BASE/model.safetensors" ] || python3 scripts/gpu_span_prepare.py unpack "$KEEP" "$BASE" || exit 1

run() {
  local name=$1; shift
  timeout "${LIMIT:-450}" python3 -m cleanspeech.explain.tagger_train --train "$KEEP/tsd_train.csv" \
    --trial "$KEEP/tsd_trial.csv" --out "$RUNS/$name" --base "$BASE" --base-name all-mpnet-base-v2 \
    --jigsaw "$KEEP/train.csv.gz" --clean "${CLEAN:-1500}" --clean-identity "${CLEAN_ID:-1000}" \
    --freeze 0 --lora-rank 16 --lora-alpha 32 "$@" >"$RUNS/$name.log" 2>&1
  echo "$name: exit $?"
}
start=$(date +%s)
run lr5e-4 --lrs 5e-4 --epochs "${EPOCHS:-4}" ${SMOKE:+--limit 40} &
run lr1e-3 --lrs 1e-3 --epochs "${EPOCHS:-4}" ${SMOKE:+--limit 40} &
run f4_lr5e-4 --lrs 5e-4 --freeze 4 --epochs "${EPOCHS:-4}" ${SMOKE:+--limit 40} &
wait
echo "wall $(( $(date +%s) - start )) s"
for log in "$RUNS"/*.log; do echo "== $log"; grep -v " step " "$log" | tail -12; done | tee "$OUT/train.log"
for dir in "$RUNS"/*/split; do
  name=$(basename "$(dirname "$dir")")
  mkdir -p "$OUT/$name" && cp "$dir/tagger.json" "$dir/tagger.safetensors" "$OUT/$name/"
done
