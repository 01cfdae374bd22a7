# Sourced by distill_chain.sh and cascade_chain.sh (issue 32): the repository root, offline hub,
# the venv's tools, the shipped model every candidate is compared with, and the train sources
# whose held-out parts the rule reads.
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export HF_HUB_OFFLINE=1
B=.venv/bin
SHIPPED=src/cleanspeech/shipped_models/default
SRC="hatexplain toxigen implicit_hate sbic davidson convabuse ethos stormfront counterspeech_yu toxic_spans_acl2022"
