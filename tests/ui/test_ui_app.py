"""The Streamlit script end to end in-process (``streamlit.testing.v1.AppTest``): single comment,
batch CSV upload with filter and download, model page. The real-browser test is test_ui_browser."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cleanspeech.labels import LABELS
from cleanspeech.ui import APP_PATH

FIXTURE_ROWS = 40


@pytest.fixture()
def app(ui_model: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("CLEANSPEECH_MODEL", ui_model)
    monkeypatch.setenv("CLEANSPEECH_WARMUP", "0")  # no background thread competing with tests
    return AppTest.from_file(str(APP_PATH), default_timeout=90).run()


def _moderate(app: AppTest, text: str) -> AppTest:
    app.text_area(key="comment_input").input(text)
    app.button[0].click()
    return app.run()


def test_page_loads_with_three_tabs(app: AppTest) -> None:
    assert not app.exception
    assert [t.label for t in app.tabs][:3] == ["Single comment", "Batch (CSV)", "Model"]
    assert app.title[0].value == "CleanSpeech moderation"


def _verdict(app: AppTest) -> str:
    return next(m.value for m in app.markdown if 'data-testid="verdict"' in m.value)


def test_single_comment_shows_labels_heatmap_and_rewrite(app: AppTest) -> None:
    _moderate(app, "You are a disgusting idiot.")
    assert not app.exception
    assert "Flagged: toxic" in _verdict(app) and "insult" in _verdict(app)
    raised = next(m.value for m in app.markdown if "labels-raised" in m.value)
    assert "toxic" in raised and "insult" in raised
    metrics = {m.label: m.value for m in app.metric}
    assert float(metrics["Toxicity after"]) < float(metrics["Toxicity before"])
    assert app.html, "the word heatmap (explain.render_html) should be on the page"
    assert app.selectbox(key="heatmap_label").value == "toxic"


def test_civil_comment_raises_nothing_and_needs_no_rewrite(app: AppTest) -> None:
    _moderate(app, "Thanks for the helpful edit!")
    assert not app.exception
    raised = next(m.value for m in app.markdown if "labels-raised" in m.value)
    assert ">none<" in raised
    assert ">Not flagged<" in _verdict(app)
    assert any("no rewrite needed" in s.value for s in app.success)
    assert not any("Suggested civil rewrite" in m.value for m in app.markdown)


def test_text_in_another_language_says_the_model_cannot_judge_it(app: AppTest) -> None:
    _moderate(app, "Gracias por tu ayuda, fue muy útil.")
    assert not app.exception
    assert ">Not flagged<" in _verdict(app)
    assert any(c.value == "es: not English, not judged" for c in app.caption)


def test_empty_comment_is_an_input_error_not_a_chart(app: AppTest) -> None:
    _moderate(app, "   ")
    assert not app.exception
    assert any("The comment is empty" in e.value for e in app.error)
    assert not any('data-testid="verdict"' in m.value for m in app.markdown)
    assert not any(s.value == "Scores" for s in app.subheader)  # no chart of zeros


def test_no_internal_method_names_on_the_page(app: AppTest) -> None:
    for comment in ("You are a disgusting idiot.", "shut up you moron"):
        _moderate(app, comment)
        assert not app.exception
        page = " ".join(str(e.value) for kind in ("markdown", "caption", "warning", "success")
                        for e in app.get(kind) if isinstance(getattr(e, "value", None), str))
        for internal in ("edit-tagger", "offline:", "template:", "lexicon", "Method:"):
            assert internal not in page, (comment, internal)


def test_batch_upload_scores_filters_and_offers_download(app: AppTest, fixture_csv) -> None:
    rows = pd.read_csv(fixture_csv, dtype=str, keep_default_na=False).head(FIXTURE_ROWS)
    data = rows[["id", "comment_text"]].to_csv(index=False).encode()
    app.file_uploader(key="batch_upload").set_value(("comments.csv", data, "text/csv"))
    app.run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    assert table["id"].tolist() == rows["id"].tolist()
    assert table.columns.tolist() == ["id", "comment", "flagged", "labels", *LABELS]
    assert table["flagged"].tolist() == (table["labels"] != "").tolist()
    assert table["comment"].tolist() == rows["comment_text"].tolist()
    app.multiselect(key="batch_filter").set_value(["toxic"]).run()
    filtered = app.dataframe[0].value
    assert len(filtered) < len(table) and filtered["labels"].str.contains("toxic").all()
    labels = [b.label for b in app.get("download_button")]
    assert labels[0] == "Download results (CSV)" and "Download scores only (CSV)" in labels


def test_batch_reports_a_bad_file_without_crashing(app: AppTest) -> None:
    app.file_uploader(key="batch_upload").set_value(("bad.csv", b"", "text/csv")).run()
    assert not app.exception
    assert any("empty" in e.value for e in app.error)


def test_model_page_speaks_to_a_moderator(app: AppTest) -> None:
    assert any(m.value.startswith("Type **") for m in app.markdown)
    assert any(m.value == "**Operating point**" for m in app.markdown)
    limits = next(m.value for m in app.markdown if m.value.startswith("- English only"))
    assert "identity" in limits
    point = [df.value for df in app.dataframe if "threshold" in df.value.columns]
    if point:  # a model with an evaluation: per-label precision and recall at its thresholds
        assert point[0].index.tolist() == list(LABELS)
        assert {"precision", "recall"} <= set(point[0].columns)
    else:
        assert [df.value.shape for df in app.dataframe if list(df.value.columns) == list(LABELS)]
    labels = [e.label for e in app.expander]
    assert "Model card" in labels and "Evaluation details" in labels
    assert all(not e.proto.expanded for e in app.expander)


def test_csv_download_matches_table(app: AppTest) -> None:
    data = b"id,comment_text\nx1,You are a disgusting idiot.\nx2,Thanks for the helpful edit!\n"
    app.file_uploader(key="batch_upload").set_value(("two.csv", data, "text/csv")).run()
    table = app.dataframe[0].value
    assert table["id"].tolist() == ["x1", "x2"]
    assert "insult" in table["labels"].iloc[0].split() and table["labels"].iloc[1] == ""
    assert table["flagged"].tolist() == [True, False]
    back = pd.read_csv(io.StringIO(table.to_csv(index=False)), keep_default_na=False)
    assert back.shape == (2, 10) and back["comment"].iloc[1] == "Thanks for the helpful edit!"


def test_model_page_shows_report_plots_and_metrics(ui_model: str, tmp_path, monkeypatch) -> None:
    """A model folder with report/ (PNGs + metrics.json, as the evaluation report writes them)."""
    import json
    import shutil

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cleanspeech.models.registry import resolve_model_path

    folder = shutil.copytree(resolve_model_path(ui_model), tmp_path / "model")
    shutil.rmtree(folder / "report", ignore_errors=True)  # the shipped model has its own
    (folder / "report").mkdir()
    for name in ("roc", "pr"):
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.plot([0, 1], [0, 1])
        fig.savefig(folder / "report" / f"{name}.png")
        plt.close(fig)
    (folder / "metrics.json").write_text(json.dumps(
        {"macro_roc_auc": 0.97, "roc_auc": {label: 0.97 for label in LABELS}}))
    monkeypatch.setenv("CLEANSPEECH_MODEL", str(folder))
    monkeypatch.setenv("CLEANSPEECH_WARMUP", "0")
    app = AppTest.from_file(str(APP_PATH), default_timeout=90).run()
    assert not app.exception
    assert [t.label for t in app.tabs][-2:] == ["pr", "roc"]
    assert any(m.label == "macro roc auc" and m.value == "0.9700" for m in app.metric)
    assert len(app.image) == 2


def test_long_comment_is_scored_but_rewrite_is_declined_with_the_limit(app: AppTest) -> None:
    from cleanspeech.limits import MAX_CHARS_REWRITE

    _moderate(app, ("You are a disgusting idiot. " * 60)[:MAX_CHARS_REWRITE + 50])
    assert not app.exception
    raised = next(m.value for m in app.markdown if "labels-raised" in m.value)
    assert "toxic" in raised
    assert any(f"up to {MAX_CHARS_REWRITE:,} characters" in i.value for i in app.info)


def test_wrong_column_names_are_an_error_not_the_first_column(app: AppTest) -> None:
    data = b"key,body\nk1,You are a disgusting idiot.\nk2,Thanks!\n"
    app.file_uploader(key="batch_upload").set_value(("mine.csv", data, "text/csv")).run()
    assert not app.exception
    assert any("mine.csv: no column named 'comment_text'" in e.value for e in app.error)
    scored = [df for df in app.dataframe if "comment" in df.value.columns]
    assert not scored, "nothing is scored until the text column is chosen"
    app.selectbox(key="batch_text_column").set_value("body").run()
    table = next(df.value for df in app.dataframe if "comment" in df.value.columns)
    assert table["comment"].tolist() == ["You are a disgusting idiot.", "Thanks!"]


def test_upload_errors_name_the_upload_and_leave_no_temp_files(app: AppTest) -> None:
    import tempfile
    from pathlib import Path

    before = set(Path(tempfile.gettempdir()).glob("cleanspeech-ui-*"))
    data = b"id,comment_text\n1,ok,extra,more\n2,fine\n"
    app.file_uploader(key="batch_upload").set_value(("shifted.csv", data, "text/csv")).run()
    app.run()  # a rerun used to write the upload to disk again
    assert not app.exception
    assert any(e.value.startswith("shifted.csv: line 2 has 4 field(s)") for e in app.error)
    assert set(Path(tempfile.gettempdir()).glob("cleanspeech-ui-*")) == before


def test_model_page_draws_metrics_of_a_model_without_report_folder(app: AppTest, ui_model) -> None:
    from cleanspeech.models.registry import resolve_model_path

    if (resolve_model_path(ui_model) / "report").exists():
        pytest.skip("the served model ships report/ plots")
    assert not app.exception
    assert any(m.label == "macro roc auc" for m in app.metric)
    per_label = [df.value for df in app.dataframe if "roc_auc" in df.value.columns]
    assert per_label and per_label[0].index.tolist() == list(LABELS)
    assert len(app.get("vega_lite_chart")) >= 2  # per-label metrics and the weight search
    raw = next(e for e in app.expander if e.label == "All metrics (JSON)")
    assert raw.proto.expanded is False
