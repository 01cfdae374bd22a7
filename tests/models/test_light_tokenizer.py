"""The ONNX path's LightTokenizer gives exactly the ids, offsets and special tokens of
transformers' AutoTokenizer (it exists only to skip importing transformers and torch)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cleanspeech.data.clean import clean_texts
from cleanspeech.models.light_tokenizer import LightTokenizer
from cleanspeech.models.windows import encode, special_ids

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "jigsaw_sample.csv"
SHIPPED = Path(__file__).resolve().parents[2] / "src" / "cleanspeech" / "shipped_models" / "default" / "transformer"


@pytest.fixture(scope="module")
def texts():
    real = pd.read_csv(FIXTURE)["comment_text"].astype(str).tolist()
    odd = ["", " ", "ｆｕｃｋ you", "emoji 😀 and Ünïcödé", "x" * 3000, "don 't    split\tme\n"]
    return real + clean_texts(real, "normalize-v1") + odd


def test_same_ids_offsets_and_specials_as_autotokenizer(texts):
    from transformers import AutoTokenizer

    hf, light = AutoTokenizer.from_pretrained(SHIPPED), LightTokenizer(SHIPPED)
    hf.model_max_length = int(1e9)
    assert encode(light, texts) == encode(hf, texts)
    assert special_ids(light) == special_ids(hf)


def test_refuses_what_it_does_not_do():
    light = LightTokenizer(SHIPPED)
    with pytest.raises(ValueError, match="body tokens"):
        light(["hi"], add_special_tokens=True)
    assert LightTokenizer.fits(SHIPPED) and not LightTokenizer.fits(SHIPPED.parent)


def test_the_onnx_backend_uses_it():
    from cleanspeech.models.registry import load_model

    model = load_model("default")
    assert isinstance(model.slow.tokenizer, LightTokenizer)
