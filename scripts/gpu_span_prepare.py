"""Pack all-mpnet-base-v2 and the span data for two device calls, and unpack them there.

The device machine reaches no registry and a call carries at most 64 MiB, while the base is
420 MB in fp32. So the base travels as int8 with an fp16 scale per 64 weights of a row (other
tensors as they are), split over two folders of under 64 MiB each:

    .venv/bin/python scripts/gpu_span_prepare.py pack      # here: .carry/mp1, .carry/mp2
    python3 scripts/gpu_span_prepare.py unpack DIR OUT     # there: DIR holds both parts' files

``unpack`` writes a plain fp32 model folder. The taggers trained on it keep their adapters
only (LoRA); at load they merge into the real fp32 base, so the int8 rounding of the frozen
base is the only difference between training and use: the last hidden states of the round trip
keep a cosine of 0.9995 or more to the real base's on real tokens. The figures that count are
measured here, with the real base (``scripts/gpu_span_fetch.py``).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np

FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")
DATA = ("../shared/data/toxic_spans/tsd_train.csv", "../shared/data/toxic_spans/tsd_trial.csv",
        "../shared/data/jigsaw/train.csv.gz")


SHIFT = 4 * 2**20  # part 1 smaller by the Jigsaw file's size minus the TSD files'
GROUP = 64  # weights per scale: per-row scales lost 0.4% cosine over 12 layers, groups of 64 lose 0.05%


def quantize_groups(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 ``(r, c)`` and fp16 scales ``(r, c // GROUP)``, symmetric per group of a row."""
    g = w.reshape(w.shape[0], -1, GROUP)
    # the floor keeps an all-zero group's fp16 scale above 0
    scale = np.maximum(np.abs(g).max(axis=-1), 1e-4).astype(np.float16).astype(np.float32) / 127.0
    q = np.clip(np.round(g / scale[..., None]), -127, 127).astype(np.int8)
    return q.reshape(w.shape), (scale * 127.0).astype(np.float16)


def pack(carry: Path = Path(".carry")) -> None:
    from safetensors.numpy import load_file, save_file

    sys.path.insert(0, "src")
    from cleanspeech.explain.base_models import mpnet_path

    src = Path(mpnet_path())
    tensors = load_file(str(src / "model.safetensors"))
    packed: dict[str, np.ndarray] = {}
    for name, arr in tensors.items():
        if arr.ndim == 2 and arr.dtype == np.float32 and arr.shape[1] % GROUP == 0:
            packed[f"{name}.int8"], packed[f"{name}.scale"] = quantize_groups(arr)
        else:
            packed[name] = np.ascontiguousarray(arr)
    total = sum(a.nbytes for a in packed.values())
    halves: list[dict[str, np.ndarray]] = [{}, {}]
    size = 0
    for name in sorted(packed):  # a tensor's ".int8" sorts just before its ".scale": keep them together
        scale_of_part_0 = name.endswith(".scale") and f"{name[:-len('.scale')]}.int8" in halves[0]
        part = 0 if size < total / 2 - SHIFT or scale_of_part_0 else 1
        halves[part][name] = packed[name]
        size += packed[name].nbytes if part == 0 else 0
    for i, half in enumerate(halves, start=1):
        out = carry / f"mp{i}"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        save_file(half, str(out / f"part{i}.safetensors"))
    for name in FILES:
        shutil.copy(src / name, carry / "mp1" / name)
    for path in DATA:  # Jigsaw with the tokenizer files, the TSD posts with the other half
        shutil.copy(path, carry / ("mp1" if path.endswith(".gz") else "mp2") / Path(path).name)
    for i in (1, 2):
        mib = sum(p.stat().st_size for p in (carry / f"mp{i}").iterdir()) / 2**20
        print(f"{carry}/mp{i}: {mib:.1f} MiB")


def unpack(folder: Path, out: Path) -> None:
    from safetensors.numpy import load_file, save_file

    packed: dict[str, np.ndarray] = {}
    for part in sorted(folder.glob("part*.safetensors")):
        packed.update(load_file(str(part)))
    state = {}
    for name, arr in packed.items():
        if name.endswith(".scale"):
            continue
        if name.endswith(".int8"):
            stem = name[: -len(".int8")]
            scale = packed[f"{stem}.scale"].astype(np.float32) / 127.0
            g = arr.reshape(arr.shape[0], -1, GROUP).astype(np.float32) * scale[..., None]
            state[stem] = g.reshape(arr.shape)
        else:
            state[name] = arr
    out.mkdir(parents=True, exist_ok=True)
    save_file(state, str(out / "model.safetensors"))
    for name in FILES:
        shutil.copy(folder / name, out / name)
    print(f"{out}: {len(state)} tensors from {len(packed)} packed")


if __name__ == "__main__":
    if sys.argv[1:2] == ["pack"]:
        pack()
    elif sys.argv[1:2] == ["unpack"] and len(sys.argv) == 4:
        unpack(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(__doc__)
