#!/usr/bin/env bash
# Re-judge a candidate whose cascade and head are fixed but whose thresholds are re-chosen
# (issue 32, stop 49: D9T = D9F with the offset limited by --min-positives): the operating point,
# then every figure the candidate rule and its confirmation read, as cascade_chain.sh leaves them.
#   bash scripts/experiments/rejudge_chain.sh TAG [bench_operating options...]
# runs/default_TAG must hold the model with its thresholds as fitted (before any offset).
set -e
TAG=$1; shift
source "$(dirname "$0")/chain_env.sh"
R=runs/$TAG
mkdir -p "$R"
judge_figures "$TAG" "$@"
$B/python scripts/experiments/verdict.py "$TAG" > "$R/verdict.txt" 2>&1
$B/python bench/bench_sources.py --model "runs/default_$TAG" --sources cad olid hateval gab_hate dynacounter --out "$R/sources_eval" > "$R/sources_eval.log" 2>&1
cp "$R/sources_eval.json" "bench/results/sources_eval_$TAG.json"
$B/python scripts/experiments/threat_recall.py $SHIPPED "runs/default_$TAG" > "$R/threat_recall.md" 2>&1
$B/python scripts/experiments/probe_members.py --flags "runs/default_$TAG" > "$R/probes_cascade.txt" 2>&1
echo done > "$R/chain.done"
