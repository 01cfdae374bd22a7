#!/usr/bin/env bash
# Ship a judged candidate as `default` (issue 32): copy its folder, then rerun every bench whose
# committed result describes the shipped model and rewrite what depends on its behaviour (the card's
# Limitations, the behavioural floors, the snapshot). Each output says its command, machine and date.
#   bash scripts/experiments/ship_default.sh TAG        (runs/default_TAG was judged by the rule)
set -e
TAG=$1
source "$(dirname "$0")/chain_env.sh"
D=src/cleanspeech/shipped_models/default
rm -rf "$D" && cp -r "runs/default_$TAG" "$D"
$B/python bench/bench_behaviour.py --model default --name default > runs/ship_behaviour.log 2>&1
$B/python bench/bench_behaviour.py --write-expected >> runs/ship_behaviour.log 2>&1  # floors of linear and default
$B/python bench/bench_sources.py --model default --model linear > runs/ship_sources.log 2>&1
$B/python bench/card_limitations.py > runs/ship_card.log 2>&1
$B/python bench/bench_parts.py > runs/ship_parts.log 2>&1
$B/python -m tests.snapshot.regen > runs/ship_snapshot.log 2>&1
echo shipped "$TAG"
