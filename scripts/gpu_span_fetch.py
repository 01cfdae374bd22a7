"""Stamp span taggers trained on the device's int8 transport copy of the base for the real base.

``scripts/gpu_span_train.sh`` trains on the base as ``scripts/gpu_span_prepare.py`` packed it,
so the checksum of the base embeddings in ``tagger.json`` is the copy's and loading on the real
base would refuse. This records the real base's checksum and notes how the tagger was trained;
its figures must then be measured here, on the real base (``bench/bench_span_taggers.py``).

    .venv/bin/python scripts/gpu_span_fetch.py runs/gpu_mpnet/lr5e-4 [more folders]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, "src")

from cleanspeech.explain.tagger import CONFIG_NAME, build_model, embeddings_checksum, resolve_base  # noqa: E402


def main(folders: list[str]) -> None:
    checksums: dict[str, float] = {}
    for folder in map(Path, folders):
        config = json.loads((folder / CONFIG_NAME).read_text())
        base = config["base_model"]
        if base not in checksums:
            checksums[base] = embeddings_checksum(build_model(resolve_base(base)))
        config["training"]["base_copy"] = ("int8 (groups of 64, fp16 scales) transport copy of the base, "
                                           f"checksum {config['base_checksum']}")
        config["base_checksum"] = checksums[base]
        (folder / CONFIG_NAME).write_text(json.dumps(config, indent=2) + "\n")
        print(f"{folder}: base {base}, checksum {checksums[base]}")


if __name__ == "__main__":
    main(sys.argv[1:])
