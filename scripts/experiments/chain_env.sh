# Sourced by distill_chain.sh, cascade_chain.sh, rejudge_chain.sh and ship_default.sh (issue 32): the
# repository root, offline hub, the venv's tools, the shipped model every candidate is compared with,
# the train sources whose held-out parts the rule reads, and judge_figures (the steps the rule reads).
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export HF_HUB_OFFLINE=1
B=.venv/bin
SHIPPED=src/cleanspeech/shipped_models/default
SRC="hatexplain toxigen implicit_hate sbic davidson convabuse ethos stormfront counterspeech_yu toxic_spans_acl2022"

# The figures every candidate rule reads, from a built cascade runs/default_TAG whose thresholds are
# as fitted: the cross-source operating point (applied; extra bench_operating options after TAG),
# Jigsaw dev/test against shipped, our suite, and the held-out parts of the train sources.
judge_figures() {
  local tag=$1; shift
  local r=runs/$tag
  $B/python bench/bench_operating.py --model "runs/default_$tag" --match-passed-of $SHIPPED --out "$r/operating" --apply "$@" > "$r/operating.log" 2>&1
  $B/python bench/bench_compare.py --old $SHIPPED --new "runs/default_$tag" --name "$tag" > "$r/compare.log" 2>&1
  $B/python bench/bench_behaviour.py --model "runs/default_$tag" --name "$tag" > "$r/behaviour.log" 2>&1
  $B/python bench/bench_sources.py --model "runs/default_$tag" --sources $SRC --out "$r/sources_heldout" > "$r/sources_heldout.log" 2>&1
  cp "$r/sources_heldout.json" "bench/results/sources_heldout_$tag.json"
}
