"""The fast CPU backend: ONNX Runtime over a dynamically int8-quantised export of the classifier.

A model folder either ships ``model.onnx`` (used as is) or is exported once: the float32 module
(int8 weights dequantised) goes through ``torch.onnx.export`` and
``onnxruntime.quantization.quantize_dynamic`` (``quantize_static_int8`` is the batch-invariant
alternative, see ``ONNX_BATCH_SIZE``) into ``$CLEANSPEECH_CACHE`` (default
``~/.cache/cleanspeech/onnx/<folder fingerprint>/model.int8.onnx``), written atomically.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from cleanspeech.runtime import ort_spinning, ort_threads, ort_workers

EXPORT_VERSION = "7"  # bump when the export recipe changes, so caches are rebuilt
SHIPPED_ONNX = "model.onnx"


def cache_root() -> Path:
    env = os.environ.get("CLEANSPEECH_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "cleanspeech"


def weights_hash(path: Path) -> str:
    """The export cache key: the folder's fingerprint (weights, tokenizer, ``cleanspeech.json``
    with ``max_length``, ...; ``models/fingerprint.py``) + the export recipe version."""
    from cleanspeech.models.fingerprint import folder_fingerprint

    return hashlib.sha256(f"{EXPORT_VERSION}|{folder_fingerprint(path)}".encode()).hexdigest()[:20]


STATIC_LENGTH_TYPES = ("deberta", "deberta-v2")  # traced relative positions bake in the length


def masked_mean(hidden, attention_mask):
    """The mean of one layer's hidden states over the real tokens ``(b, d)``."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)


def layer_means(hidden_states, attention_mask):
    """Each transformer layer's :func:`masked_mean`, layers 1..L side by side ``(b, L·d)`` (the
    embeddings left out): the sentence features a group-hate head reads (``models/hate_head.py``),
    exported as the graph's ``pooled`` output. A head picks its layers: the middle layers keep
    more of what a sentence says about a group than the last one, which fine-tuning on Jigsaw
    bent towards toxic words (``bench/results/hate_head_features.md``)."""
    import torch

    return torch.cat([masked_mean(h, attention_mask) for h in hidden_states[1:]], dim=-1)


def export_onnx(module, out_file: Path, opset: int = 17, fixed_length: int | None = None) -> None:
    """Export ``module`` (a ``*ForSequenceClassification``) to ONNX with a dynamic batch.

    The length is dynamic too, unless ``fixed_length`` is given (DeBERTa: its traced relative
    position code only holds for the traced length); the runner then pads inputs to it.
    """
    import torch

    class Logits(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
            return out.logits, layer_means(out.hidden_states, attention_mask)

    ids = torch.ones((2, fixed_length or 16), dtype=torch.long)
    axes = {0: "batch"} if fixed_length else {0: "batch", 1: "tokens"}
    wrapper = Logits(module).eval()  # eval on the wrapper too: export must not run dropout
    torch.onnx.export(
        wrapper, (ids, torch.ones_like(ids)), str(out_file),
        input_names=["input_ids", "attention_mask"], output_names=["logits", "pooled"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": {0: "batch"},
                      "pooled": {0: "batch"}},
        opset_version=opset, dynamo=False,
    )


FUSABLE_TYPES = {"bert": "bert"}  # HF model_type -> onnxruntime.transformers optimizer type


def fuse_transformer(fp32_file: Path, out_file: Path, model_type: str, num_heads: int, hidden: int) -> Path:
    """Fuse attention / LayerNorm / GELU with ONNX Runtime's transformer optimizer where it
    knows the architecture; returns the file to quantise (the input unchanged otherwise)."""
    if model_type not in FUSABLE_TYPES:
        return fp32_file
    try:
        from onnxruntime.transformers import optimizer

        opt = optimizer.optimize_model(str(fp32_file), model_type=FUSABLE_TYPES[model_type],
                                       num_heads=num_heads, hidden_size=hidden, opt_level=1)
        opt.save_model_to_file(str(out_file))
        return out_file
    except Exception as exc:  # noqa: BLE001 - fusion is an optimisation; the plain export works
        import warnings

        warnings.warn(f"ONNX transformer fusion skipped ({exc})", stacklevel=2)
        return fp32_file


QUANT_OP_TYPES = ("MatMul", "Gemm", "Attention")


def quantize_int8(fp32_file: Path, int8_file: Path, op_types: tuple[str, ...] = QUANT_OP_TYPES) -> None:
    """Dynamic int8 quantisation of the MatMul weights (activations quantised at run time).

    Fused ``Attention`` nodes are quantised too (``QAttention``): their Q/K/V projection is a
    quarter of the encoder's matmul work and, left in float32, a large share of ONNX Runtime's
    time (profiled on the default model); with them int8 the export is faster at an AUC within 0.0002
    (``bench/bench_onnx_variants.py``, results in ``bench/results/onnx_variants.md``)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # fused com.microsoft ops defeat shape inference; their outputs are float32
    quantize_dynamic(str(fp32_file), str(int8_file), weight_type=QuantType.QInt8,
                     per_channel=True, op_types_to_quantize=list(op_types),
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})


STATIC_OP_TYPES = ("MatMul", "Gemm")


def calibration_feeds(model: Any, texts: list[str], batch_size: int = 8) -> list[dict[str, np.ndarray]]:
    """Length-sorted, padded ``{"input_ids", "attention_mask"}`` batches of ``model``'s windows
    of ``texts`` (any object with :meth:`TransformerModel.windows` and a ``tokenizer``)."""
    wins, _ = model.windows(texts)
    wins = sorted(wins, key=len)
    pad = model.tokenizer.pad_token_id or 0
    feeds = []
    for s in range(0, len(wins), batch_size):
        chunk = wins[s:s + batch_size]
        width = max(len(w) for w in chunk)
        ids = np.array([w + [pad] * (width - len(w)) for w in chunk], dtype=np.int64)
        mask = np.array([[1] * len(w) + [0] * (width - len(w)) for w in chunk], dtype=np.int64)
        feeds.append({"input_ids": ids, "attention_mask": mask})
    return feeds


def quantize_static_int8(fp32_file: Path, int8_file: Path, feeds: list[dict[str, np.ndarray]],
                         op_types: tuple[str, ...] = STATIC_OP_TYPES) -> None:
    """Static int8 quantisation: weights per channel, activations with fixed (calibrated) scales.

    ``feeds`` are ``{"input_ids", "attention_mask"}`` batches of real comments; their min/max
    ranges fix every activation scale, so unlike :func:`quantize_int8` a comment's scores do not
    depend on what else is in its batch.
    """
    import onnx
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat,
                                          QuantType, quantize_static)

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.it = iter(feeds)

        def get_next(self):
            return next(self.it, None)

    quantize_static(str(fp32_file), str(int8_file), Reader(), quant_format=QuantFormat.QDQ,
                    op_types_to_quantize=list(op_types), per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax,
                    extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})


CALIBRATION_TEXTS = "calibration_texts.json"


class _CalibrationWindows:
    """The window maker :func:`calibration_feeds` needs, built from a folder's tokenizer and
    cleaning (kept here so this module does not import ``models.transformer``)."""

    def __init__(self, path: Path, config: dict[str, Any]) -> None:
        from transformers import AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.tokenizer.model_max_length = int(1e9)
        self.max_length = int(config.get("max_length", 256))
        self.overlap = int(config.get("overlap", 64))
        self.cleaning = config.get("cleaning", "none")

    def windows(self, texts: list[str]) -> tuple[list[list[int]], None]:
        from cleanspeech.data.clean import clean_texts
        from cleanspeech.models.windows import encode, window_ranges, with_specials

        out = []
        for enc in encode(self.tokenizer, clean_texts(texts, self.cleaning)):
            for s, e in window_ranges(len(enc.ids), self.max_length, self.overlap)[:2]:
                out.append(with_specials(enc.ids[s:e], self.tokenizer))
        return out, None


def static_calibration(path: Path, config: dict[str, Any]) -> list[dict[str, np.ndarray]] | None:
    """Calibration batches when the folder asks for static int8 (``onnx_quantization: static``)
    and ships its calibration comments (``calibration_texts.json``); None otherwise."""
    import json

    file = path / CALIBRATION_TEXTS
    if config.get("onnx_quantization", "dynamic") != "static":
        return None
    if not file.exists():
        raise FileNotFoundError(f"{path}: onnx_quantization is static but {CALIBRATION_TEXTS} is missing")
    texts = json.loads(file.read_text(encoding="utf-8"))["texts"]
    return calibration_feeds(_CalibrationWindows(path, config), texts)


def build_cached_onnx(path: Path, config: dict[str, Any]) -> Path:
    """The int8 ONNX file for a model folder, exporting it into the cache on first use: static
    int8 (calibrated activation scales; batch-invariant) where the folder ships calibration
    comments and asks for it, dynamic int8 of the fused graph otherwise."""
    target = cache_root() / "onnx" / weights_hash(path) / "model.int8.onnx"
    if target.exists():
        return target
    from cleanspeech.models.torch_loading import load_torch_module

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        fp32 = Path(tmp) / "model.fp32.onnx"
        module = load_torch_module(path, config)
        if hasattr(module, "set_attn_implementation"):  # the eager pattern is what ORT fuses
            module.set_attn_implementation("eager")
        fixed = int(config.get("max_length", 256)) if module.config.model_type in STATIC_LENGTH_TYPES else None
        export_onnx(module, fp32, fixed_length=fixed)
        cfg = module.config
        int8 = Path(tmp) / "model.int8.onnx"
        feeds = static_calibration(path, config)
        if feeds is not None:
            quantize_static_int8(fp32, int8, feeds)
        else:
            fused = fuse_transformer(fp32, Path(tmp) / "model.fused.onnx", cfg.model_type,
                                     cfg.num_attention_heads, cfg.hidden_size)
            quantize_int8(fused, int8)
        os.replace(int8, target)
    return target


# One window per call. Dynamic int8 quantisation scales activations by the min/max of the whole
# input tensor, so in a batch a comment's scores depend on its neighbours (up to 0.17 in
# probability at batch 16): a comment must score the same whatever it is sent with. The
# batch-invariant alternatives were measured on the same dev comments
# (bench/results/onnx_variants.md): the fp32 graph and static int8 (calibrated activation scales,
# quantize_static_int8; a member opts in with onnx_quantization: static and calibration_texts.json)
# give identical scores alone and in batches. On the idle 2-core CPU the fused dynamic export at
# one window per call was the fastest of them (69 comments/s; static int8 53 alone, 64 in batches
# of 16; fp32 ~42); under heavy load (1-min load ~16) static int8 alone had been fastest.
ONNX_BATCH_SIZE = 1


_EXPORT_LOCK = threading.Lock()


class OnnxRunner:
    """Callable ``(input_ids (b, t), attention_mask (b, t)) -> logits (b, 6)`` on ONNX Runtime."""

    def __init__(self, onnx_file: str | Path, threads: int | None = None,
                 workers: int | None = None) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # threads from the CPUs this process may use (cleanspeech.runtime), split into `workers`
        # concurrent calls (runtime.ort_workers: single-threaded calls side by side beat one
        # multi-threaded call on small windows), and no busy-waiting between calls unless
        # CLEANSPEECH_ORT_SPIN=1: spinning workers take CPU from every other process (issue 13)
        self.workers = max(1, ort_workers() if workers is None else workers)
        if threads is None:
            threads = max(1, ort_threads() // self.workers) if self.workers > 1 else ort_threads()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        if threads > 0:
            opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", ort_spinning())
        opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
        self.file = Path(onnx_file)
        self.session = ort.InferenceSession(str(onnx_file), opts, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.outputs = {o.name for o in self.session.get_outputs()}
        width = self.session.get_inputs()[0].shape[1]
        self.fixed_length = width if isinstance(width, int) else None

    @classmethod
    def for_model_folder(cls, path: Path, config: dict[str, Any]) -> OnnxRunner:
        shipped = path / SHIPPED_ONNX
        if shipped.exists():
            return cls(shipped)
        with _EXPORT_LOCK:  # threads loading the same folder at once export it once
            onnx_file = build_cached_onnx(path, config)
        return cls(onnx_file)

    def _run(self, names: list[str], input_ids: np.ndarray, attention_mask: np.ndarray) -> list[np.ndarray]:
        if self.fixed_length and input_ids.shape[1] < self.fixed_length:
            extra = ((0, 0), (0, self.fixed_length - input_ids.shape[1]))
            input_ids, attention_mask = np.pad(input_ids, extra), np.pad(attention_mask, extra)
        feed = {"input_ids": input_ids, "attention_mask": attention_mask}
        feed = {k: v for k, v in feed.items() if k in self.inputs}
        return [out.astype(np.float32) for out in self.session.run(names, feed)]

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        return self._run(["logits"], input_ids, attention_mask)[0]

    def with_pooled(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(logits (b, 6), pooled (b, d))`` from the same call."""
        if "pooled" not in self.outputs:
            raise ValueError(f"{self.file} has no 'pooled' output (a shipped model.onnx exported "
                             "before version 6): re-export it to use a group-hate head")
        logits, pooled = self._run(["logits", "pooled"], input_ids, attention_mask)
        return logits, pooled

    def map(self, batches: list[tuple[np.ndarray, np.ndarray]], pooled: bool = False) -> list:
        """Logits (or ``(logits, pooled)`` pairs) of each ``(input_ids, attention_mask)`` batch, in
        order, up to ``workers`` calls at once (ONNX Runtime's ``run`` is thread-safe and releases
        the GIL). Each batch is its own call, so its scores are exactly those of calling the
        runner on it alone."""
        call = self.with_pooled if pooled else self
        if self.workers <= 1 or len(batches) <= 1:
            return [call(ids, mask) for ids, mask in batches]
        with self._pool_lock:  # one pool per runner, made on first use
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="cleanspeech-ort")
        return list(self._pool.map(lambda b: call(*b), batches))
