"""The part of a Hugging Face fast tokenizer that serving needs, read straight from a folder's
``tokenizer.json`` with the ``tokenizers`` library.

Loading ``transformers.AutoTokenizer`` imports transformers and torch: about 2 s of every
``predict`` process's start-up, though the ONNX backend never runs torch. This wrapper gives the
ONNX path what :mod:`cleanspeech.models.windows` calls (``tokenizer(texts, add_special_tokens=False,
return_offsets_mapping=True)`` and the special-token ids) with the same ids and offsets, which
``tests/models/test_light_tokenizer.py`` checks against ``AutoTokenizer`` on real comments.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "tokenizer_config.json"
_ROLES = ("cls", "sep", "bos", "eos", "pad")


class LightTokenizer:
    """``tokenizers.Tokenizer`` plus the special-token ids of ``tokenizer_config.json``."""

    def __init__(self, path: str | Path) -> None:
        from tokenizers import Tokenizer

        path = Path(path)
        self._tok = Tokenizer.from_file(str(path / TOKENIZER_FILE))
        self._tok.no_truncation()  # we window long inputs ourselves
        self._tok.no_padding()
        config = json.loads((path / CONFIG_FILE).read_text(encoding="utf-8"))
        for role in _ROLES:
            token = config.get(f"{role}_token")
            if isinstance(token, dict):  # a serialised AddedToken
                token = token.get("content")
            setattr(self, f"{role}_token_id", self._tok.token_to_id(token) if token else None)

    @staticmethod
    def fits(path: str | Path) -> bool:
        """Whether the folder has what this wrapper reads."""
        path = Path(path)
        return (path / TOKENIZER_FILE).is_file() and (path / CONFIG_FILE).is_file()

    def __call__(self, texts: Sequence[str], add_special_tokens: bool = False, truncation: bool = False,
                 return_offsets_mapping: bool = True, **_: Any) -> dict[str, list]:
        if add_special_tokens or truncation:
            raise ValueError("LightTokenizer only encodes body tokens without truncation (windows add the rest)")
        encs = self._tok.encode_batch(list(texts), add_special_tokens=False)
        out: dict[str, list] = {"input_ids": [e.ids for e in encs]}
        if return_offsets_mapping:
            out["offset_mapping"] = [e.offsets for e in encs]
        return out
