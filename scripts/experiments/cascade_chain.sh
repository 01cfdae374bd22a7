#!/bin/bash
# Issue 32: ML3's cascade around a built member, and the measures every candidate's rule reads.
#   bash scripts/experiments/cascade_chain.sh TAG MEMBER LINEAR [BUILD-CASCADE OPTIONS...]
#   (HEAD_OPTS="..." in the environment: extra build-hate-head options, e.g. --max-per-source 10000;
#    HEAD_RULE_OPTS="...": extra bench_hate_head.py options, e.g. --floor-model src/cleanspeech/shipped_models/default
#    OPERATING_OPTS="...": extra bench_operating.py options, e.g. --min-positives 100)
# e.g. bash scripts/experiments/cascade_chain.sh md6s runs/member_md6 src/cleanspeech/shipped_models/default/linear
# The cascade (runs/default_TAG: route flags; hate head by bench_hate_head's pool rule; offset matched
# to the shipped model's false-flag rate on the dev pool), then bench_compare (Jigsaw dev/test),
# bench_behaviour (our suite), bench_sources + sources_rates (held-out parts of the train sources)
# and the hand probes; `python scripts/experiments/verdict.py TAG` reads the rule off them. distill_chain.sh ends here with the L1 linear member (runs/linear_l1, stop 43).
set -e
TAG=$1; MEMBER=$2; LINEAR=$3; shift 3
source "$(dirname "$0")/chain_env.sh"
R=runs/$TAG
mkdir -p "$R"
rm -rf "runs/default_$TAG"
$B/cleanspeech build-cascade --linear "$LINEAR" --transformer "$MEMBER" -o "runs/default_$TAG" \
  --cache "runs/cascade_scores_$TAG" --route-identity --route-words-rate 0.7 "$@" > "$R/build_cascade.log" 2>&1
$B/cleanspeech build-hate-head --cascade "runs/default_$TAG" --features-cache "$R/head_feats.npz" $HEAD_OPTS > "$R/build_head.log" 2>&1
$B/python bench/bench_hate_head.py --model "runs/default_$TAG" --out "$R/hate_head" $HEAD_RULE_OPTS > "$R/bench_hate_head.log" 2>&1
# the rule's whole choice: weight, prior and whether identity_hate's cap by toxic stays (before
# stop 48 the chain applied weight and prior only, so a cap build-cascade had set stayed where the
# rule retired it)
read -r W P CAP < <($B/python -c "import json,sys; c = json.load(open(sys.argv[1]))['meta']['chosen']; print(c['weight'], c['prior_logit'], '--keep-cap' if c['capped'] else '--retire-cap')" "$R/hate_head.json")
$B/cleanspeech build-hate-head --cascade "runs/default_$TAG" --features-cache "$R/head_feats.npz" --weight "$W" --prior-logit "$P" "$CAP" $HEAD_OPTS > "$R/build_head2.log" 2>&1
judge_figures "$TAG" $OPERATING_OPTS
$B/python bench/sources_rates.py "$R/sources_heldout.json" > "$R/rates.txt" 2>&1
$B/python scripts/experiments/probe_members.py "runs/default_$TAG" > "$R/probes_cascade.txt" 2>&1
echo done > "$R/chain.done"
