"""What the model page shows of a model's ``metrics.json``, kept free of Streamlit.

Model folders store their metrics in different shapes: the evaluation report's flat dict
(``macro_roc_auc``, ``roc_auc: {label: v}``, ``at_thresholds: {label: {...}}``), or the
ensemble's, which nests those under ``validation`` / ``transformer.validation`` next to
weight-search records and member scores. These helpers find each evaluation-shaped section
so the page can draw numbers, tables and charts for any of them instead of dumping JSON.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from cleanspeech.labels import LABELS
from cleanspeech.ui.tables import headline_metrics, metrics_table


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _label_keyed(value: object) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= set(LABELS)


def per_label_table(section: dict) -> pd.DataFrame | None:
    """Label × metric: the metric-major per-label values plus precision / recall / F1 at the
    model's thresholds (``at_thresholds``); ``None`` when the section has none."""
    table = metrics_table(section)
    at = section.get("at_thresholds")
    if _label_keyed(at) and all(isinstance(at.get(lab), dict) for lab in LABELS):
        extra = pd.DataFrame.from_dict({lab: at[lab] for lab in LABELS}, orient="index")
        extra = extra[[c for c in ("precision", "recall", "f1") if c in extra.columns]]
        table = extra if table is None else table.join(extra)
    return table


def metric_sections(metrics: Any, prefix: str = "") -> dict[str, dict]:
    """``{name: section}`` for the top level and every nested dict that holds macro numbers
    or per-label values (``validation``, ``transformer.validation`` ...), in file order."""
    if not isinstance(metrics, dict):
        return {}
    out: dict[str, dict] = {}
    if headline_metrics(metrics) or per_label_table(metrics) is not None:
        out[prefix or "metrics"] = metrics
    for key, value in metrics.items():
        if isinstance(value, dict) and not _label_keyed(value):
            out.update(metric_sections(value, f"{prefix}.{key}" if prefix else key))
    return out


def other_numbers(metrics: Any) -> pd.DataFrame:
    """Top-level numbers that no section covers (``ensemble_onnx_validation_macro_roc_auc``,
    member scores ``{name: value}``) as a ``name, value`` table."""
    rows = []
    if isinstance(metrics, dict):
        for key, value in metrics.items():
            if _is_number(value) and not key.startswith("macro"):
                rows.append((key, float(value)))
            elif isinstance(value, dict) and value and all(_is_number(v) for v in value.values()) \
                    and not _label_keyed(value):
                rows += [(f"{key}.{k}", float(v)) for k, v in value.items()]
    return pd.DataFrame(rows, columns=["name", "value"])


def record_tables(metrics: Any) -> dict[str, pd.DataFrame]:
    """Lists of records (the ensemble's ``weight_search``) as tables, by key."""
    if not isinstance(metrics, dict):
        return {}
    return {key: pd.DataFrame(value) for key, value in metrics.items()
            if isinstance(value, list) and value and all(isinstance(r, dict) for r in value)}


OPERATING_COLUMNS = ("precision", "recall", "flagged", "prevalence")


def _rank(name: str, model_type: str) -> tuple[int, int, int]:
    """Lower is better: the test split before dev/validation, the served model's own section
    (``cascade``) before its members', figures at the serving prevalence before raw ones."""
    parts = name.split(".")
    return ("test" not in parts, model_type not in parts and len(parts) > 2,
            not any(p in ("at_prevalence", "calibration") for p in parts))


def operating_point(metrics: Any, thresholds: dict[str, float],
                    model_type: str = "") -> tuple[str, pd.DataFrame] | None:
    """``(section name, table)``: per label the threshold a comment is flagged at, and the
    precision / recall (and share flagged, prevalence when recorded) measured there, from the
    best evaluation section of ``metrics.json`` (see :func:`_rank`); ``None`` when none has
    per-label precision and recall."""
    found = []

    def walk(node: Any, prefix: str) -> None:
        if not isinstance(node, dict):
            return
        at = node.get("at_thresholds")
        if _label_keyed(at) and all(isinstance(at.get(lab), dict) and "precision" in at[lab]
                                    and "recall" in at[lab] for lab in LABELS):
            found.append((prefix or "metrics", at))
        for key, value in node.items():
            if isinstance(value, dict) and not _label_keyed(value):
                walk(value, f"{prefix}.{key}" if prefix else key)

    walk(metrics, "")
    if not found:
        return None
    name, at = min(found, key=lambda item: _rank(item[0], model_type))
    table = pd.DataFrame({"threshold": [thresholds.get(lab) for lab in LABELS]}, index=list(LABELS))
    for column in OPERATING_COLUMNS:
        if all(_is_number(at[lab].get(column)) for lab in LABELS):
            table[column] = [float(at[lab][column]) for lab in LABELS]
    return name, table


def limitations(metrics: Any, table: pd.DataFrame | None) -> list[str]:
    """What a moderator should know before trusting a verdict: fixed facts about the training
    data, the labels the model misses most (recall under 0.5 at its threshold) and the notes
    the model's ``metrics.json`` records."""
    items = [
        "English only: trained on English Wikipedia talk-page comments (Jigsaw); scores for "
        "other languages are not meaningful.",
        "Comments that name an identity group (religion, ethnicity, sexuality) are flagged more "
        "often than their wording warrants; review identity_hate flags by hand.",
        "Scores are probabilities from text alone: no context, thread or author history.",
    ]
    if table is not None and "recall" in table:
        weak = [f"{lab} ({rec:.0%})" for lab, rec in table["recall"].items() if rec < 0.5]
        if weak:
            items.append("Catches less than half of the comments that carry these labels (recall): "
                         + ", ".join(weak) + ".")
    notes = metrics.get("notes") if isinstance(metrics, dict) else None
    if isinstance(notes, list):
        items += [str(n) for n in notes if isinstance(n, str)]
    return items
