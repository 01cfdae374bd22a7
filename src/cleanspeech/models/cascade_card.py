"""The model card of a cascade folder, rendered from its recorded ``metrics.json``.

Nothing here is typed by hand: every figure comes from the metrics the build recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cleanspeech.labels import LABELS

if TYPE_CHECKING:
    from cleanspeech.models.cascade import CascadeModel


def _ci(d: dict[str, Any]) -> str:
    lo, hi = d["macro_roc_auc_ci95"]
    return f"{d['macro_roc_auc']:.4f} (95% CI {lo:.4f}–{hi:.4f})"


def _fmt(v: float | None, digits: int = 4) -> str:
    return "n/a" if v is None or v != v else f"{v:.{digits}f}"


def _identity_clause(model: CascadeModel) -> str:
    out = ""
    if model.route_identity:
        out += (", or that names an identity group (`cleanspeech.identity`: the linear model cannot "
                "tell hate about a group from counter-speech, negation or a neutral mention),")
    if model.route_words:
        out += (f" or that holds one of {len(model.route_words)} route words (`route_words` in "
                "`cleanspeech.json`: words whose training-part comments are mostly toxic; one slur in "
                "a long polite comment stays under the gate because TF-IDF dilutes it),")
    return out


def _caps_clause(model: CascadeModel, m: dict[str, Any]) -> str:
    capped = model.capped_by_toxic
    if not capped:
        return ""
    gains = m["dev_choices"].get("cap_gains", {})
    said = ", ".join(f"`{lab}` is reported as at most {scale:g} × `toxic` (the cap's dev ROC-AUC gain at scale 1: "
                     f"{gains.get(lab, float('nan')):+.4f})" for lab, scale in capped.items())
    return (f"\nOn both routes {said}, with its threshold at least that multiple of toxic's: it is "
            "never flagged on a comment not flagged toxic. In Jigsaw such comments are nearly always "
            "toxic too, and the cap keeps a group's name alone from raising the label. Chosen on dev: "
            "labels whose ROC-AUC the cap raises by ≥ 0.0005; the scale with the best dev F1.")


def _target_clause(model: CascadeModel, m: dict[str, Any]) -> str:
    scales = model.untargeted_scale
    if not scales:
        return ""
    gains = m["dev_choices"].get("target_gains", {})
    said = ", ".join(f"`{lab}` is multiplied by {scale:g} (dev ROC-AUC gain {gains.get(lab, {}).get(f'{scale:g}', float('nan')):+.4f})"
                     for lab, scale in scales.items())
    share = m["test"].get("identity_hate_naming_a_group")
    seen = (f" On test, {share['positives']:.0%} of identity-hate comments name a group, against "
            f"{share['negatives']:.0%} of the others." if share else "")
    return (f"\nOn comments that name no group (no identity term, slur or nationality: "
            f"`cleanspeech.identity.names_target`) {said}, before thresholds are chosen: an insult "
            f"without a group is not identity hate, whatever its swear words.{seen} Chosen on dev: the "
            "factor with the best ROC-AUC, kept when it gains ≥ 0.0005.")


def _head_clause(model: CascadeModel, m: dict[str, Any]) -> str:
    head = model.hate_head
    if head is None:
        return ""
    cfg, rec = head.config, m.get("hate_head", {})
    shares = cfg.trained.get("shares", {})
    mix = ", ".join(f"{name} {share:.1%}" for name, share in shares.items())
    test = rec.get("test")
    effect = (f" On the Jigsaw test split (natural prevalence) macro ROC-AUC "
              f"{test['without']['macro_roc_auc']:.4f} without the head, {test['with']['macro_roc_auc']:.4f} with "
              f"it; identity_hate {test['without']['identity_hate_roc_auc']:.4f} -> "
              f"{test['with']['identity_hate_roc_auc']:.4f}." if test else "")
    return (f"\n\nOn the full route, `identity_hate` also reads a **group-hate head** (`hate_head/`): a small "
            f"network over the transformer's sentence features (the mean hidden states of its "
            f"{_layers(cfg.layers)}, from the same forward pass), trained on {cfg.trained.get('rows', '?')} rows of human-labelled hate "
            f"and abuse data from many sites ({mix}), labels a source says nothing about masked out. "
            f"Its logit (plus {cfg.prior_logit:g}, from the mixture's positive rate towards natural "
            f"traffic) has weight {cfg.weight:g} in identity_hate's logit; weight and prior were chosen on "
            f"dev (`bench/results/hate_head.md`).{effect} With the head, `identity_hate` is no longer "
            f"capped at a multiple of `toxic` (dev: the cap lowered held-out identity_hate ROC-AUC); the "
            f"test table below was measured by `build-cascade`, before the head.{_sources_table(cfg.trained)}")


def _layers(layers: list[int] | None) -> str:
    return "last layer" if not layers else "layers " + ", ".join(map(str, layers))


def _window_budget(model: CascadeModel) -> str:
    budget = getattr(model.slow, "max_windows", 0)
    if not budget:
        return "every window of a long comment."
    return (f"at most {budget} per comment; a longer comment's are chosen by the linear model's reading "
            "of each window, the most toxic first (`LONG_TEXT_POLICY` in models/transformer.py).")


def _sources_table(trained: dict[str, Any]) -> str:
    sources = trained.get("sources")
    if not sources:
        return ""
    rows = "\n".join(f"| {s['name']} | {s['rows']} | {s['share']:.1%} | {s['licence']} |" for s in sources)
    return ("\n\nThe head's training rows (train parts only; eval-only sets, Jigsaw dev/test and every "
            "source's held-out part removed, see `docs/sources.md`):\n\n| source | rows | share | licence |\n"
            f"|---|---|---|---|\n{rows}")


def _limitations(m: dict[str, Any]) -> str:
    lim = m.get("limitations")
    if not lim:
        return ""
    b, s = lim["behaviour"], lim["sources"]
    o = b["overall"]
    worst = "\n".join(f"| {w['phenomenon']} | {w['gold']} | {w['n']} | {w['pass_rate']:.3f} |" for w in b["weakest"])
    src = "\n".join(f"| {r['source']} | {r['use']} | {_fmt(r['any_auc'], 3)} | {_fmt(r['any_recall'], 3)} | "
                    f"{_fmt(r['any_false_flag'], 3)} | {_fmt(r['ih_auc'], 3)} | {_fmt(r['ih_recall'], 3)} |" for r in s["rows"])
    return f"""
## Limitations

What the model still gets wrong, measured (never trained on) and written here by
`bench/card_limitations.py` from `{b['command']}` ({b['date'][:10]}) and `{s['command']}`.

- **English, 2018 Wikipedia first.** Most of its training is Jigsaw; other sites and other
  languages score lower (below), and non-English text is reported as unsupported.
- **Hate speech phenomena** (our behavioural suite's held-out templates, flagged = any label):
  hateful caught {o['hateful_caught']:.3f}, non-hateful passed {o['non_hateful_passed']:.3f}. The weakest (the suite
  calls abuse of a person or an object and untargeted profanity "non-hateful"; a toxicity model
  flags them by design, so their low pass rates are intended):

| phenomenon | gold | n | pass rate |
|---|---|---|---|
{worst}

- **Other sites** (flagged = any label at the thresholds; identity_hate where the source labels it;
  held-out parts of the train sources, test parts of the eval-only ones):

| source | use | any ROC-AUC | any recall | any false-flag rate | identity_hate ROC-AUC | identity_hate recall |
|---|---|---|---|---|---|---|
{src}
"""


def cascade_card(model: CascadeModel, m: dict[str, Any]) -> str:
    """The model card ``README.md`` of the cascade ``model`` from its ``metrics.json`` ``m``."""
    test, dev = m["test"], m["dev_choices"]
    casc = test["cascade"]["at_prevalence"]
    rows = "\n".join(
        f"| {lab} | {_fmt(casc['roc_auc'][lab])} | {_fmt(test['full_route']['at_prevalence']['roc_auc'][lab])} | "
        f"{_fmt(test['linear']['at_prevalence']['roc_auc'][lab])} | {model.thresholds[j]:.3f} | "
        f"{casc['at_thresholds'][lab]['precision']:.3f} | {casc['at_thresholds'][lab]['recall']:.3f} | "
        f"{casc['at_thresholds'][lab]['flagged']:.4f} | {casc['at_thresholds'][lab]['prevalence']:.4f} | "
        f"{casc['ece'][lab]:.4f} |"
        for j, lab in enumerate(LABELS))
    weights = ", ".join(f"{lab} {w:.1f}" for lab, w in zip(LABELS, model.weights))
    delta = test["cascade_minus_full"]
    return f"""# CleanSpeech default model: linear → MiniLM-L6 cascade

The linear model (`linear/`, TF-IDF + logistic regression) scores every comment. A comment whose
highest linear probability reaches the gate **{model.gate:.4f}**{_identity_clause(model)} also goes to the
fine-tuned all-MiniLM-L6-v2 classifier (`transformer/`, int8) and takes the full route: per-label
logit mix of both (linear's share: {weights}). The full route is Platt-calibrated on the dev split, the linear route mapped onto that scale, and both are
expressed at the serving prevalence, so scores of both routes share one scale.
`--no-cascade` sends every comment down the full route.{_caps_clause(model, m)}{_target_clause(model, m)}{_head_clause(model, m)}

Probabilities are calibrated at **{m['prevalence_name']}** prevalence (toxic
{m['prevalence']['toxic']:.4f}); thresholds: {m['operating_point']} per label at that prevalence,
chosen on dev with the {m['backend']} backend (the one that serves).

## Protocol
{m['protocol']} Test rows are re-weighted on `toxic` to the serving prevalence for every figure
marked "at prevalence" (the split over-represents toxic comments).

## Test split ({test['cascade']['n']} rows)
- Cascade macro ROC-AUC at prevalence: **{_ci(casc)}**; as observed: {_ci(test['cascade']['observed'])}.
- Full route (no cascade): {_ci(test['full_route']['at_prevalence'])}; linear alone:
  {_ci(test['linear']['at_prevalence'])}.
- Cascade minus full route: {delta['delta']:+.4f} (paired bootstrap 95% CI {delta['ci95'][0]:+.4f} to
  {delta['ci95'][1]:+.4f}).
- Routed to the transformer: {test['routed_share']:.1%} at prevalence ({test['routed_share_observed']:.1%} of the
  test rows as they are).

Thresholds as served (`thresholds.json` says how they were chosen, and any later move); precision,
recall and flagged share at the thresholds `build-cascade` chose, before the group-hate head and any
cross-source move (the served ones on test: `python bench/bench_operating_point.py`).

| label | ROC-AUC cascade | full route | linear | threshold (served) | precision | recall | flagged | prevalence | ECE |
|---|---|---|---|---|---|---|---|---|---|
{rows}

## Dev choices
Gate: the smallest routed share whose dev macro ROC-AUC is within the allowed loss of the full
route: share {dev['routed_share']:.1%}, dev AUC {dev['cascade_auc']:.4f} vs full {dev['full_auc']:.4f}.

## Long comments
The transformer scores windows of its `max_length` tokens, {_window_budget(model)} The linear
model always reads the whole text.
{_limitations(m)}"""
