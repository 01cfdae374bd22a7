"""Weight-space ensembling of a base classifier and its fine-tuned copy (WiSE-FT, Wortsman et al.
2022): ``θ = (1 - mix) · θ_base + mix · θ_tuned``.

Fine-tuning the shipped member on hard examples (issue 12) taught it counter-speech and negation
but cost Jigsaw ranking; interpolating the two weight sets keeps most of each at no inference
cost (one network, same size). ``mix`` is chosen on the dev split, never on the behavioural
suite's eval templates (``scripts/wise_ft.py``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cleanspeech.models.torch_loading import load_torch_module


def _module(folder: Path):
    return load_torch_module(folder, json.loads((folder / "cleanspeech.json").read_text()))


def interpolate(base, tuned, mix: float):
    """``tuned`` with its floating-point parameters moved to ``(1 - mix)·base + mix·tuned``."""
    if not 0.0 <= mix <= 1.0:
        raise ValueError(f"mix must be in [0, 1], got {mix}")
    base_state, state = base.state_dict(), tuned.state_dict()
    if base_state.keys() != state.keys():
        raise ValueError("base and tuned models have different parameters")
    for name, t in state.items():
        if t.is_floating_point():
            state[name] = (1.0 - mix) * base_state[name].to(t.dtype) + mix * t
    tuned.load_state_dict(state)
    return tuned


def interpolate_folders(base: str | Path, tuned: str | Path, mix: float, out: str | Path) -> Path:
    """Write ``out``: ``tuned``'s folder (tokenizer, cleaning, config) with interpolated HF weights."""
    base, tuned, out = Path(base), Path(tuned), Path(out)
    module = interpolate(_module(base), _module(tuned), mix)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(tuned, tmp, ignore=shutil.ignore_patterns("*.safetensors", "*.bin", "val_predictions.npz"))
    module.save_pretrained(tmp)
    config = json.loads((tmp / "cleanspeech.json").read_text())
    config.update(weights_format="hf")
    config["wise_ft"] = {"base": str(base), "tuned": str(tuned), "mix": mix}
    (tmp / "cleanspeech.json").write_text(json.dumps(config, indent=2) + "\n")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return out
