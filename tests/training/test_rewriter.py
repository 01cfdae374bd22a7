"""LoRA fine-tuning of the generative rewriter, on a tiny random Llama (no download)."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from cleanspeech.models.generator import ADAPTER_FILE, CONFIG_FILE, load_finetuned  # noqa: E402
from cleanspeech.rewrite.paradetox import Pair  # noqa: E402
from cleanspeech.training.rewriter import (IGNORE, RewriterTraining, answer_loss, collate, encode,  # noqa: E402
                                          lr_factor, tiny_llama, train, training_examples)

EXAMPLES = [("you are a stupid idiot .", "You are wrong."), ("shut the hell up .", "Please be quiet."),
            ("this is fucking garbage .", "This is bad."), ("what a moron .", "What a mistake.")]


def test_every_reference_is_a_target():
    pairs = [Pair("a b", ("x", "y", " ")), Pair("c", ("z",))]
    assert training_examples(pairs) == [("a b", "x"), ("a b", "y"), ("c", "z")]


def test_loss_only_on_the_answer():
    _, tok = tiny_llama()
    ids, labels = encode(tok, "you idiot", "You are wrong.", max_length=512)
    answer = [t for t in labels if t != IGNORE]
    assert len(ids) == len(labels) and answer[-1] == tok.eos_token_id
    assert tok.decode(answer[:-1]) == "You are wrong."
    assert labels[: len(ids) - len(answer)] == [IGNORE] * (len(ids) - len(answer))


def test_train_resumes_and_loads_merged(tmp_path):
    out = tmp_path / "run"
    model, tok = tiny_llama()
    cfg = RewriterTraining(rank=2, alpha=4, lr=1e-2, batch_size=2, epochs=2, warmup=1)
    res = train(model, tok, EXAMPLES, out, cfg, save_every=2, max_steps=2, log=lambda m: None)
    assert res["step"] == 2 and (out / ADAPTER_FILE).exists()
    assert json.loads((out / CONFIG_FILE).read_text())["step"] == 2
    logs: list[str] = []
    model2, tok2 = tiny_llama()
    res = train(model2, tok2, EXAMPLES, out, cfg, save_every=2, log=logs.append)
    assert logs[0].startswith("resuming at step 2") and res["step"] == 4
    # only adapters train: the base weights are the tiny model's own
    fresh, _ = tiny_llama()
    emb = "model.embed_tokens.weight"
    assert torch.equal(dict(model2.named_parameters())[emb], dict(fresh.named_parameters())[emb])
    # merged into a fresh base, the checkpoint computes what the adapted model computes
    merged, _ = load_finetuned(out, base=tiny_llama())
    x = torch.tensor([tok("hello there", add_special_tokens=False).input_ids])
    with torch.no_grad():
        torch.testing.assert_close(merged(input_ids=x).logits, model2(input_ids=x).logits, atol=1e-4, rtol=1e-4)
    assert not any("lora" in n for n, _ in merged.named_parameters())


def test_other_settings_do_not_resume(tmp_path):
    model, tok = tiny_llama()
    train(model, tok, EXAMPLES, tmp_path, RewriterTraining(rank=2, alpha=4, batch_size=2), max_steps=1,
          save_every=1, log=lambda m: None)
    model, tok = tiny_llama()
    with pytest.raises(ValueError, match="other settings"):
        train(model, tok, EXAMPLES, tmp_path, RewriterTraining(rank=4, alpha=4, batch_size=2), max_steps=1,
              log=lambda m: None)


def test_answer_loss_is_the_models_own_loss():
    """Projecting only the answer's positions onto the vocabulary changes the cost, not the loss."""
    model, tok = tiny_llama()
    x, mask, y = collate(tok, [encode(tok, a, b, 128) for a, b in EXAMPLES[:3]])
    with torch.no_grad():
        torch.testing.assert_close(answer_loss(model, x, mask, y), model(input_ids=x, attention_mask=mask, labels=y).loss)


def test_schedule_warms_up_then_decays_to_zero():
    f = [lr_factor(s, 10, 2) for s in range(10)]
    assert f[0] == 0.5 and f[1] == 1.0 and f[2] == 1.0 and f[-1] == 0.125
    assert all(a >= b for a, b in zip(f[1:], f[2:])) and lr_factor(10, 10, 2) == 0.0


def test_export_ships_a_finished_run_in_bf16(tmp_path):
    from cleanspeech.training.rewriter import export_adapter

    model, tok = tiny_llama()
    cfg = RewriterTraining(rank=2, alpha=4, lr=1e-2, batch_size=2, epochs=1, warmup=1)
    train(model, tok, EXAMPLES, tmp_path / "run", cfg, max_steps=1, log=lambda m: None)
    with pytest.raises(ValueError, match="resume it first"):
        export_adapter(tmp_path / "run", tmp_path / "ship")
    train(tiny_llama()[0], tok, EXAMPLES, tmp_path / "run", cfg, log=lambda m: None)
    ship = export_adapter(tmp_path / "run", tmp_path / "ship")
    assert sorted(p.name for p in ship.iterdir()) == [ADAPTER_FILE, CONFIG_FILE]
    full, _ = load_finetuned(tmp_path / "run", base=tiny_llama())
    half, _ = load_finetuned(ship, base=tiny_llama())
    x = torch.tensor([tok("you idiot", add_special_tokens=False).input_ids])
    with torch.no_grad():
        torch.testing.assert_close(half(input_ids=x).logits, full(input_ids=x).logits, atol=2e-3, rtol=2e-3)
