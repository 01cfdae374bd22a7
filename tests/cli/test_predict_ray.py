"""`cleanspeech predict --engine ray` on a local 2-CPU Ray: output identical to the local path."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from cleanspeech.cli import app
from cleanspeech.labels import LABELS

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'cleanspeech[distributed]')")
pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture(scope="module")
def local_ray(monkeypatch_module=None):
    import os

    address = os.environ.pop("RAY_ADDRESS", None)  # the test must not join someone's cluster
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()
    if address is not None:
        os.environ["RAY_ADDRESS"] = address


def _predict(*args):
    result = runner.invoke(app, ["predict", *[str(a) for a in args]])
    return result


def test_ray_output_equals_local_output(tmp_path, tiny_linear_dir, jigsaw_sample_path, local_ray):
    df = pd.read_csv(jigsaw_sample_path, dtype=str, keep_default_na=False)[["id", "comment_text"]]
    df.loc[7, "comment_text"] = ""
    df.loc[9, "id"] = "000123"  # an id that only survives as a string
    df.to_csv(tmp_path / "in.csv", index=False)
    df.to_parquet(tmp_path / "in.parquet", index=False)
    local = _predict("--model", tiny_linear_dir, tmp_path / "in.csv", "-o", tmp_path / "local.csv")
    assert local.exit_code == 0, local.output

    result = _predict("--engine", "ray", "--workers", "2", "--model", tiny_linear_dir,
                      tmp_path / "in.csv", "-o", tmp_path / "ray.csv")
    assert result.exit_code == 0, result.output
    assert f"wrote {len(df)} rows" in result.output
    assert (tmp_path / "ray.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()

    # Parquet in, sharded Parquet out (a folder of part files in row order).
    result = _predict("--engine", "ray", "--workers", "1", "--model", tiny_linear_dir,
                      tmp_path / "in.parquet", "-o", tmp_path / "ray.parquet")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ray.parquet").is_dir()
    sharded = pd.read_parquet(tmp_path / "ray.parquet")
    expected = pd.read_csv(tmp_path / "local.csv", dtype={"id": str})
    assert sharded["id"].tolist() == expected["id"].tolist()
    assert (sharded[list(LABELS)].to_numpy() - expected[list(LABELS)].to_numpy()).max() < 5e-7


def test_ray_bad_input_exits_2_and_writes_nothing(tmp_path, tiny_linear_dir, local_ray):
    (tmp_path / "bad.csv").write_text("id,comment_text\na,fine\nb,too,many\n")
    result = _predict("--engine", "ray", "--workers", "1", "--model", tiny_linear_dir,
                      tmp_path / "bad.csv", "-o", tmp_path / "o.csv")
    assert result.exit_code == 2, result.output
    assert "bad.csv" in " ".join(result.output.split())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]
