"""``cleanspeech explain`` and ``eval-spans`` end to end on real fixture rows."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from cleanspeech.cli import app
from cleanspeech.labels import LABELS

runner = CliRunner()


def _ok(args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow
def test_explain_file_writes_one_record_per_row_in_order(tmp_path, tiny_linear_dir, jigsaw_sample_path):
    df = pd.read_csv(jigsaw_sample_path, dtype=str, keep_default_na=False).head(12)
    df.loc[3, "comment_text"] = ""
    df[["id", "comment_text"]].rename(columns={"comment_text": "body", "id": "key"}).to_csv(tmp_path / "in.csv", index=False)
    out = tmp_path / "out.jsonl"
    _ok(["explain", "--model", tiny_linear_dir, tmp_path / "in.csv", "-o", out, "--text-column", "body",
         "--id-column", "key", "--spans", "attribution"])
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == df["id"].tolist()
    assert list(rows[0]) == ["id", "scores", "labels", "spans", "tokens"]
    for r, text in zip(rows, df["comment_text"]):
        assert list(r["scores"]) == list(LABELS)
        assert all(text[t["start"]:t["end"]] == t["text"] for t in r["tokens"])
        assert all(0 <= s < e <= len(text) for s, e in r["spans"])
    assert rows[3]["tokens"] == [] and rows[3]["spans"] == []


@pytest.mark.slow
def test_explain_file_progress_counts_rows_not_bytes(tmp_path, tiny_linear_dir, jigsaw_sample_path, monkeypatch):
    """The share done comes from the file's row count (the reader's byte position runs ahead)."""
    import cleanspeech.cli.explain as cli_explain

    monkeypatch.setattr(cli_explain, "CHUNK", 5)
    df = pd.read_csv(jigsaw_sample_path, dtype=str, keep_default_na=False).head(20)
    df[["id", "comment_text"]].to_csv(tmp_path / "in.csv", index=False)
    output = _ok(["explain", "--model", tiny_linear_dir, tmp_path / "in.csv", "-o", tmp_path / "out.jsonl",
                  "--spans", "attribution", "--progress-every", "0"])
    shares = [line.split(", ")[2] for line in output.splitlines() if line.startswith("explain: ") and "done" in line]
    assert shares == ["25% done", "50% done", "75% done", "100% done"]


@pytest.mark.slow
def test_explain_text_prints_heatmap_and_writes_html(tmp_path, tiny_linear_dir):
    html = tmp_path / "h.html"
    out = _ok(["explain", "--model", tiny_linear_dir, "you are a <stupid> idiot", "--spans", "attribution",
               "--html", html])
    assert "idiot" in out and "toxic" in out
    page = html.read_text(encoding="utf-8")
    assert "&lt;" in page and "&gt;" in page and "<stupid>" not in page


def test_eval_spans_reports_f1(tmp_path):
    gold = tmp_path / "gold.csv"
    gold.write_text('spans,text\n"[4, 5, 6, 7, 8]",you idiot\n[],fine\n', encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    pred.write_text('{"id": "0", "spans": [[4, 9]]}\n{"id": "1", "spans": []}\n', encoding="utf-8")
    assert json.loads(_ok(["eval-spans", "--gold", gold, "--pred", pred]).strip().splitlines()[-1]) == {"f1": 1.0, "posts": 2}


def test_eval_spans_names_a_misaligned_file(tmp_path):
    gold = tmp_path / "gold.csv"
    gold.write_text('spans,text\n[],fine\n', encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    pred.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["eval-spans", "--gold", str(gold), "--pred", str(pred)])
    assert result.exit_code == 2 and "0 predictions" in " ".join(result.output.split())  # wrapped at long tmp paths
