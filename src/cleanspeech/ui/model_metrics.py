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
