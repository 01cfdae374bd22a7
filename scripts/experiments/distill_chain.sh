#!/bin/bash
# Issue 32, stop 45: one distilled candidate from its config to the figures its rule reads.
#   bash scripts/experiments/distill_chain.sh TAG CONFIG [TEACHER_PROBS]
#   (LINEAR=FOLDER in the environment: the cascade's linear member; runs/linear_l1 by default)
# e.g. bash scripts/experiments/distill_chain.sh md configs/minilm-l6-mixture-distill.yaml
# Trains the student (runs/mixture_TAG; TEACHER_PROBS, a teacher_probs.npz scored on the same rows,
# or a run folder whose *teacher_probs*.npz, one per teacher, are all reused, skips the teachers'
# passes; a cache is matched by the texts and the teacher's weights), builds the member
# (runs/member_TAG), then cascade_chain.sh: ML3's cascade around it (runs/linear_l1 from stop 43; route flags; hate head by bench_hate_head's pool rule; offset
# matched to the shipped model's false-flag rate on the dev pool), then the measures:
# bench_compare (Jigsaw dev/test), bench_behaviour (our suite), bench_sources + sources_rates
# (held-out parts of the train sources) and the hand probes. Logs and figures go to runs/TAG/.
set -e
TAG=$1; CONFIG=$2; PROBS=${3:-}
source "$(dirname "$0")/chain_env.sh"
R=runs/$TAG
mkdir -p "$R" "runs/mixture_$TAG"
if [ -d "$PROBS" ]; then cp "$PROBS"/*teacher_probs*.npz "runs/mixture_$TAG/"
elif [ -n "$PROBS" ]; then cp "$PROBS" "runs/mixture_$TAG/"; fi
$B/cleanspeech train --config "$CONFIG" -o "runs/mixture_$TAG" > "$R/train.log" 2>&1
$B/cleanspeech build-member --hf "runs/mixture_$TAG/best" --out "runs/member_$TAG" --max-windows 1 > "$R/build_member.log" 2>&1
$B/python scripts/experiments/probe_members.py "runs/member_$TAG" > "$R/probes_member.txt" 2>&1
$B/python bench/bench_sources.py --model "runs/member_$TAG" --sources $SRC --out "$R/sources_members" > "$R/sources_members.log" 2>&1
bash scripts/experiments/cascade_chain.sh "$TAG" "runs/member_$TAG" "${LINEAR:-runs/linear_l1}"
