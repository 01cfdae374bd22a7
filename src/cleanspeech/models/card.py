"""Model cards rendered from what a model folder records, never typed by hand.

``render_card(folder)`` reads ``cleanspeech.json`` (settings, ensemble members), ``thresholds.json``
(where they were tuned, at what prevalence) and ``metrics.json``, and returns the ``README.md``.
``metrics.json`` may hold, all optional:

* evaluation blocks under ``test`` / ``dev`` / ``validation`` (or the metrics themselves, as
  ``evaluation.report.write_report`` writes them), each with ``n``, ``macro_roc_auc``,
  ``macro_pr_auc``, per-label ``roc_auc`` / ``pr_auc`` and ``at_thresholds``
  (``precision``/``recall``/``f1``/``support``); bootstrap intervals as ``ci`` =
  ``{"macro_roc_auc": [lo, hi], "roc_auc": {label: [lo, hi]}}``;
* ``data`` and ``training``: flat dicts shown as tables (split sizes, recipe file, ...);
* ``comparisons``: ``{what: macro ROC-AUC}`` (members alone, other backends, ...);
* ``title``, ``summary`` (a sentence) and ``notes`` (a list of sentences) written by the builder.

``cleanspeech model-card FOLDER`` rewrites ``FOLDER/README.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cleanspeech.labels import LABELS

SPLITS = ("test", "dev", "validation")  # reported in this order; test figures first
SUMMARIES = {
    "linear": "Six logistic regressions over TF-IDF word and character n-grams.",
    "transformer": "A fine-tuned transformer encoder with a six-label classification head.",
    "ensemble": "A weighted combination of the member models below.",
}
LIMITS = [
    "Trained on English Wikipedia talk-page comments (Jigsaw, 2018): other sites, languages and "
    "eras score worse, and identity terms are known to raise scores on benign comments.",
    "Thresholds maximise per-label F1 at the prevalence shown above; at other label rates they "
    "over- or under-flag: re-tune them on data like yours.",
    "Rare labels (few positives in the evaluation rows) have wide uncertainty.",
]


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _fmt(value: Any, digits: int | None = 4) -> str:
    """Metrics with fixed ``digits``; settings (``digits=None``) as short as they are."""
    if isinstance(value, float):
        return f"{value:.{digits}f}" if digits is not None else f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "–".join(_fmt(v, digits) for v in value)
    return "none" if value is None else str(value)


def _ci(block: dict[str, Any], key: str, label: str | None = None) -> str:
    ci = block.get("ci", {}).get(key)
    if isinstance(ci, dict):
        ci = ci.get(label)
    return f" [{ci[0]:.4f}, {ci[1]:.4f}]" if ci else ""


def settings_section(config: dict[str, Any]) -> str:
    rows = [["model type", config["model_type"]], ["cleaning", f"`{config.get('cleaning', 'none')}`"]]
    shown = {"model_type", "labels", "cleaning", "members"}
    for key, value in config.items():
        if key in shown:
            continue
        items = value.items() if isinstance(value, dict) else [(key, value)]
        rows += [[k, f"`{_fmt(v, None)}`"] for k, v in items if k not in shown]
    return "## Settings\n" + _table(["setting", "value"], rows)


def members_section(config: dict[str, Any]) -> str:
    rows = []
    for m in config.get("members", []):
        source = f"shipped `{m['ref']}` (referenced)" if "ref" in m else f"`{m['path']}/` (in this folder)"
        fp = m.get("fingerprint", "not pinned")
        rows.append([m.get("ref") or m.get("path"), m.get("model_type", ""), source,
                     f"{float(m['weight']):.2f}", f"`{fp[:19]}…`" if fp.startswith("sha256:") else fp])
    text = _table(["member", "type", "source", "weight", "fingerprint"], rows)
    return (f"## Members (combined by `{config.get('combine', 'proba')}`)\n{text}\n\n"
            "Loading checks each member against its fingerprint, so a retrained member cannot "
            "silently change this model.")


def evaluation_blocks(metrics: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(split name, block)`` for every evaluation block in ``metrics.json``."""
    blocks = [(s, metrics[s]) for s in SPLITS if isinstance(metrics.get(s), dict)
              and "roc_auc" in metrics[s]]
    if not blocks and "roc_auc" in metrics:
        blocks = [(metrics.get("split", "validation"), metrics)]
    return blocks


def results_section(split: str, block: dict[str, Any]) -> str:
    head = (f"## Results on the {split} split ({block.get('n', '?')} rows)\n"
            f"Macro ROC-AUC **{block['macro_roc_auc']:.4f}**{_ci(block, 'macro_roc_auc')}")
    if "macro_pr_auc" in block:
        head += f", macro PR-AUC {block['macro_pr_auc']:.4f}{_ci(block, 'macro_pr_auc')}"
    if "macro_f1" in block:
        head += f", macro F1 {block['macro_f1']:.4f} at the thresholds"
    at = block.get("at_thresholds", {})
    rows = []
    for label in LABELS:
        a = at.get(label, {})
        rows.append([label, f"{block['roc_auc'][label]:.4f}{_ci(block, 'roc_auc', label)}",
                     _fmt(block.get("pr_auc", {}).get(label)), _fmt(a.get("precision"), 3),
                     _fmt(a.get("recall"), 3), _fmt(a.get("f1"), 3), _fmt(a.get("support"))])
    return head + ".\n\n" + _table(
        ["label", "ROC-AUC", "PR-AUC", "precision", "recall", "F1", "positives"], rows)


def thresholds_section(thresholds: dict[str, Any]) -> str:
    if not thresholds:
        return "## Thresholds\nNone recorded: 0.5 for every label."
    prev = thresholds.get("prevalence", {})
    rows = [[label, f"{thresholds['thresholds'][label]:.3f}", _fmt(prev.get(label))] for label in LABELS]
    return (f"## Thresholds\nTuned on: {thresholds.get('tuned_on', 'unknown')}; objective: "
            f"{thresholds.get('objective', 'unknown')}.\n\n"
            + _table(["label", "threshold", "prevalence where tuned"], rows))


def _dict_section(title: str, data: dict[str, Any], header: str = "value") -> str:
    return f"## {title}\n" + _table(["", header], [[k, _fmt(v, None)] for k, v in data.items()])


def training_data_section(sources: list[dict[str, Any]]) -> str:
    """Every mixture source a model trained on, its rows, share and licence (the credit it owes)."""
    return ("## Training data from other sources\nTrain parts only (eval-only sets, Jigsaw dev/test and every "
            "source's held-out part removed, see `docs/sources.md`):\n\n"
            + _table(["source", "rows", "share", "licence"],
                     [[s["name"], s["rows"], f"{s['share']:.1%}", s["licence"]] for s in sources]))


def render_card(folder: str | Path) -> str:
    """The Markdown model card of ``folder`` (see the module docstring for what it reads)."""
    folder = Path(folder)
    config = _read_json(folder / "cleanspeech.json")
    if not config:
        raise FileNotFoundError(f"{folder}: no cleanspeech.json to describe")
    metrics = _read_json(folder / "metrics.json")
    kind = config["model_type"]
    parts = [f"# {metrics.get('title', f'CleanSpeech {kind} model')}",
             metrics.get("summary", SUMMARIES.get(kind, "")), settings_section(config)]
    if config.get("members"):
        parts.append(members_section(config))
    if isinstance(metrics.get("data"), dict):
        parts.append(_dict_section("Data", metrics["data"]))
    training = dict(metrics.get("training", {})) if isinstance(metrics.get("training"), dict) else {}
    if (folder / "training_config.yaml").exists():
        training.setdefault("config", "`training_config.yaml` (in this folder)")
    if training:
        parts.append(_dict_section("Training", training))
    if metrics.get("training_data"):
        parts.append(training_data_section(metrics["training_data"]))
    blocks = evaluation_blocks(metrics)
    parts += [results_section(split, block) for split, block in blocks]
    if not blocks:
        parts.append("## Results\nNo evaluation recorded in `metrics.json`.")
    if isinstance(metrics.get("comparisons"), dict):
        parts.append(_dict_section("Compared", {k: _fmt(v) for k, v in metrics["comparisons"].items()},
                                   "macro ROC-AUC"))
    parts.append(thresholds_section(_read_json(folder / "thresholds.json")))
    if metrics.get("notes"):
        parts.append("## Notes\n" + "\n".join(f"- {n}" for n in metrics["notes"]))
    parts.append("## Limits\n" + "\n".join(f"- {n}" for n in LIMITS))
    parts.append("_Generated by `cleanspeech.models.card` from this folder's `cleanspeech.json`, "
                 "`thresholds.json` and `metrics.json`._")
    return "\n\n".join(p for p in parts if p) + "\n"


def write_card(folder: str | Path) -> Path:
    """Render and write ``folder/README.md`` (atomically)."""
    from cleanspeech.data.io import write_text_atomic

    return write_text_atomic(render_card(folder), Path(folder) / "README.md")

