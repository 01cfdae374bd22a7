"""LoRA fine-tuning of the generative rewriter (SmolLM2-135M-Instruct) on ParaDetox pairs.

    nice -n 10 .venv/bin/cleanspeech train-rewriter --out runs/rewriter-smollm2

Every human paraphrase of a toxic sentence is one target: the model sees the instruction and the
toxic sentence as a chat (:func:`cleanspeech.rewrite.generative.build_messages`, without the
few-shot turns the base model needs) and learns the paraphrase; the loss is on the answer's
tokens only. Rank-``r`` adapters on every attention and MLP projection train; the base weights stay frozen,
so a checkpoint is a few MB.

Data: by default the ParaDetox training 90% less its dev 10% (the bench's ``--dev`` split), so
the dev figures stay honest; ``--with-dev`` adds the dev pairs back for a final model. The
held-out 10% is never read.

Resumable: every ``--save-every`` steps the adapters (safetensors), the optimiser state and the
step are written to ``--out``; a rerun with the same arguments continues from there with the same
data order. :func:`cleanspeech.models.generator.load_finetuned` loads the result, merged.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from cleanspeech.data.io import write_text_atomic
from cleanspeech.models.generator import ADAPTER_FILE, TARGETS, CONFIG_FILE, add_adapters
from cleanspeech.rewrite.generative import (IGNORE, TUNED_INSTRUCTION, answer_logprobs,  # noqa: F401
                                            collate, encode)

STATE_FILE = "optimizer.pt"


def training_examples(pairs: Sequence[Any]) -> list[tuple[str, str]]:
    """``(toxic, paraphrase)`` for every reference of every pair."""
    return [(p.toxic, ref) for p in pairs for ref in p.references if ref.strip()]


def paradetox_examples(path: str | Path | None = None, with_dev: bool = False) -> list[tuple[str, str]]:
    """The training examples: ParaDetox training 90%, less its dev 10% unless ``with_dev``."""
    from cleanspeech.rewrite.paradetox import DEFAULT_PARADETOX, read_pairs, split_pairs

    train, _held = split_pairs(read_pairs(path or DEFAULT_PARADETOX))
    if with_dev:
        return training_examples(train)
    fit, _dev = split_pairs(train, seed=43)  # the bench's --dev split (bench/bench_rewrite.py)
    return training_examples(fit)


@dataclass(frozen=True)
class RewriterTraining:
    """Settings of one fine-tune; a checkpoint resumes only under the same settings.

    ``targets``: every projection of attention and MLP (adapting only q/v, the classic LoRA
    recipe, leaves a 135M model little room to learn a new task in one pass over 14k pairs).
    ``instruction``: the fine-tuned model's system turn; short, since every prompt token costs a
    forward and a backward pass on every step (the few-shot base uses the long one).
    ``bf16``: autocast on CPUs with bf16 matrix units (AVX512-BF16/AMX); about 1.4x faster a step.
    ``warmup`` steps then a linear decay to zero over the run."""

    rank: int = 8
    alpha: float = 16.0
    lr: float = 3e-4
    batch_size: int = 16
    epochs: int = 1
    max_length: int = 128
    seed: int = 0
    targets: tuple[str, ...] = TARGETS
    instruction: str = TUNED_INSTRUCTION
    bf16: bool = False
    warmup: int = 20

    def as_dict(self, examples: int) -> dict[str, Any]:
        return {**asdict(self), "targets": list(self.targets), "examples": examples, "shots": 0}


def adapter_state(model: Any) -> dict[str, Any]:
    from cleanspeech.models.lora import is_lora_param

    return {n: p.detach().clone().contiguous() for n, p in model.named_parameters() if is_lora_param(n)}


def answer_loss(model: Any, x: Any, mask: Any, y: Any) -> Any:
    """Mean next-token cross-entropy over the answer's tokens (the likelihood the generator
    ranks rewrites with, negated and pooled over the batch)."""
    logp, _rows = answer_logprobs(model, x, mask, y)
    return -logp.mean()


def lr_factor(step: int, total: int, warmup: int) -> float:
    """Linear warm-up over ``warmup`` steps, then linear decay to zero at ``total``."""
    if step < warmup:
        return (step + 1) / warmup
    return max(0.0, (total - step) / max(1, total - warmup))


def train(model: Any, tok: Any, examples: Sequence[tuple[str, str]], out: str | Path,
          cfg: RewriterTraining = RewriterTraining(), *, save_every: int = 50, max_steps: int | None = None,
          log: Any = print) -> dict:
    """Fine-tune ``model`` in place (adapters added here) and write its adapters to ``out``;
    resumes from ``out`` when a checkpoint of the same settings is there. ``max_steps`` stops
    early (the schedule still spans the whole run, so a stopped run resumes on course)."""
    import torch
    from safetensors.torch import load_file, save_file

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    settings = cfg.as_dict(len(examples))
    torch.manual_seed(cfg.seed)
    add_adapters(model, cfg.rank, cfg.alpha, cfg.targets)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    steps_per_epoch = -(-len(examples) // cfg.batch_size)
    total = steps_per_epoch * cfg.epochs
    stop = total if max_steps is None else min(max_steps, total)
    step, cfg_path = 0, out / CONFIG_FILE
    if cfg_path.exists() and (out / ADAPTER_FILE).exists():
        saved = json.loads(cfg_path.read_text(encoding="utf-8"))
        if saved.get("settings") != settings:
            raise ValueError(f"{out} holds a run with other settings; choose another --out")
        model.load_state_dict(load_file(str(out / ADAPTER_FILE)), strict=False)
        if (out / STATE_FILE).exists():
            opt.load_state_dict(torch.load(out / STATE_FILE, weights_only=True))
        step = int(saved["step"])
        log(f"resuming at step {step}/{total}")
    # the order of every epoch is fixed by the seed, so a resumed run sees what it would have
    orders = [np.random.default_rng(cfg.seed + e).permutation(len(examples)) for e in range(cfg.epochs)]
    model.train()
    losses: list[float] = []
    t0 = time.perf_counter()

    def save(done: int) -> None:
        # adapters and optimiser first, the step last: a run killed mid-save resumes from the old step
        save_file(adapter_state(model), str(out / ADAPTER_FILE))
        torch.save(opt.state_dict(), out / STATE_FILE)
        write_text_atomic(json.dumps({
            "settings": settings, "step": done, "total": total, "base": "smollm2",
            "recent_loss": round(float(np.mean(losses[-50:])), 4) if losses else None}, indent=2), cfg_path)

    while step < stop:
        epoch, k = divmod(step, steps_per_epoch)
        idx = orders[epoch][k * cfg.batch_size:(k + 1) * cfg.batch_size]
        x, mask, y = collate(tok, [encode(tok, *examples[i], cfg.max_length, cfg.instruction) for i in idx])
        for group in opt.param_groups:
            group["lr"] = cfg.lr * lr_factor(step, total, cfg.warmup)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.bf16):
            loss = answer_loss(model, x, mask, y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        losses.append(float(loss.detach()))
        step += 1
        if step % save_every == 0 or step == stop:
            save(step)
            log(f"step {step}/{total} loss {np.mean(losses[-save_every:]):.4f} "
                f"({(time.perf_counter() - t0) / len(losses):.2f} s/step)")
    model.eval()
    return {"step": step, "total": total, "loss": float(np.mean(losses[-50:])) if losses else None}


def export_adapter(run: str | Path, out: str | Path) -> Path:
    """The shippable part of a finished run: its adapters in bf16 (half the size; merged into the
    float32 base at load, the rounding moves no greedy rewrite we tried) and its settings, without
    the optimiser state. Refuses a run that has not finished."""
    import torch
    from safetensors.torch import load_file, save_file

    run, out = Path(run), Path(out)
    saved = json.loads((run / CONFIG_FILE).read_text(encoding="utf-8"))
    if saved["step"] < saved["total"]:
        raise ValueError(f"{run} stopped at step {saved['step']} of {saved['total']}: resume it first")
    out.mkdir(parents=True, exist_ok=True)
    weights = {k: v.to(torch.bfloat16).contiguous() for k, v in load_file(str(run / ADAPTER_FILE)).items()}
    save_file(weights, str(out / ADAPTER_FILE))
    write_text_atomic(json.dumps({k: saved[k] for k in ("settings", "step", "total", "base", "recent_loss")},
                                 indent=2) + "\n", out / CONFIG_FILE)
    return out


def tiny_llama(seed: int = 0) -> tuple[Any, Any]:
    """A tiny random ``LlamaForCausalLM`` and a byte-level tokenizer with a chat template, built in
    memory (no download), for tests and dry runs of the generator and of :func:`train`."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    byte_vocab = {ch: i + len(specials) for i, ch in enumerate(pre_tokenizers.ByteLevel.alphabet())}
    vocab = {s: i for i, s in enumerate(specials)} | byte_vocab
    core = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    core.add_special_tokens(specials)
    tok = PreTrainedTokenizerFast(tokenizer_object=core, eos_token="<|im_end|>", bos_token="<|im_start|>",
                                  pad_token="<|im_end|>", unk_token="<|endoftext|>")
    tok.chat_template = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
                         "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=2048,
                         bos_token_id=1, eos_token_id=2, pad_token_id=2, tie_word_embeddings=True)
    return LlamaForCausalLM(config).eval(), tok


def fine_tune(out: str | Path, cfg: RewriterTraining = RewriterTraining(), pairs: str | Path | None = None,
              with_dev: bool = False, max_steps: int | None = None, save_every: int = 50, threads: int = 1,
              tiny: bool = False) -> dict:
    """LoRA fine-tune of SmolLM2-135M-Instruct on ParaDetox pairs into ``out`` (resumed when it
    holds a checkpoint); ``tiny``: a tiny random model, a dry run of the loop. ``cleanspeech
    train-rewriter`` calls this."""
    import torch

    torch.set_num_threads(threads)
    if tiny:
        model, tok = tiny_llama()
    else:
        from cleanspeech.models.generator import load_smollm2_fresh

        model, tok = load_smollm2_fresh()
    examples = paradetox_examples(pairs, with_dev)
    return train(model, tok, examples, out, cfg, max_steps=max_steps, save_every=save_every,
                 log=lambda m: print(m, flush=True))
