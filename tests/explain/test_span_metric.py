import json

import pytest

from cleanspeech.data.io import DataError
from cleanspeech.explain.span_metric import evaluate_files, post_f1, read_tsd, span_f1


def test_post_f1_edge_cases():
    assert post_f1([], []) == 1.0
    assert post_f1([1], []) == 0.0
    assert post_f1([], [1]) == 0.0
    assert post_f1([1, 2], [2, 3]) == pytest.approx(0.5)
    assert span_f1([[1, 2], []], [[1, 2], []]) == 1.0


def test_evaluate_files_matches_rows_in_order(tmp_path):
    gold = tmp_path / "gold.csv"
    gold.write_text('spans,text\n"[0, 1, 2]",abc def\n[],nice\n', encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps({"id": "0", "spans": [[0, 3]]}) + "\n" + json.dumps({"id": "1", "spans": [[0, 1]]}) + "\n")
    assert evaluate_files(gold, pred)["f1"] == pytest.approx(0.5)
    assert read_tsd(gold)["offsets"].tolist() == [[0, 1, 2], []]


def test_bad_files_name_the_problem(tmp_path):
    gold = tmp_path / "gold.csv"
    gold.write_text('spans,text\n"[0, x]",abc\n', encoding="utf-8")
    with pytest.raises(DataError, match="row 2"):
        read_tsd(gold)
    gold.write_text('spans,text\n"[0]",abc\n', encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    pred.write_text("")
    with pytest.raises(DataError, match="0 predictions"):
        evaluate_files(gold, pred)
