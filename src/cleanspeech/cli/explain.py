"""``cleanspeech explain`` (word-level explanations of a file or one text) and
``cleanspeech eval-spans`` (the SemEval-2021 Task 5 span F1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from cleanspeech.cli.app import app
from cleanspeech.cli.batch import RecordWriter, cap_texts, over_limit_reason, run_batch
from cleanspeech.cli.common import (
    BACKEND_HELP, ID_COLUMN_HELP, MODEL_HELP, SEP_HELP, TEXT_COLUMN_HELP, CliError,
    check_text_length, console, err_console, friendly_errors, input_file, load_moderator,
)
from cleanspeech.data.io import write_text_atomic
from cleanspeech.limits import MAX_CHARS_EXPLAIN

CHUNK = 64
# Explaining takes a good fraction of a second per row, so counting a file's rows first (well
# under a second for thousands of rows) buys an exact share done and ETA: the reader's byte
# position runs ahead by its read buffer, which on a file of a few hundred rows is a third of it.
COUNT_ROWS_UP_TO = 64 * 2**20  # bytes; larger files report progress by byte position


def _explain_rows(mod: Any, ids: list[str], texts: list[str], **kwargs: Any) -> list[dict[str, Any]]:
    """One record per row; a row over the limit gets its scores and labels, no spans, and a
    ``reason`` (explaining costs grow with length)."""
    records: list[dict[str, Any]] = [{} for _ in texts]
    ok = [i for i, t in enumerate(texts) if len(t) <= MAX_CHARS_EXPLAIN]
    over = [i for i, t in enumerate(texts) if len(t) > MAX_CHARS_EXPLAIN]
    for i, exp in zip(ok, mod.explain([texts[i] for i in ok], **kwargs) if ok else []):
        records[i] = {"id": ids[i], **exp.to_dict()}
    if over:
        capped, _ = cap_texts([texts[i] for i in over])
        for i, res in zip(over, mod.moderate(capped)):
            records[i] = {"id": ids[i], **res.to_dict(), "spans": [], "tokens": [],
                          "reason": over_limit_reason(texts[i], MAX_CHARS_EXPLAIN, "explain")}
    return records


EXPLAIN_HELP = (
    "Per-word, per-label attributions and toxic spans of a file or one TEXT.\n\n"
    'A file gives one JSON object per row, in order: {"id", "scores", "labels", "spans": '
    '\\[\\[start, end], ...], "tokens": \\[{"text", "start", "end", "attributions"}]} with '
    "character offsets (end exclusive) in the original text. A TEXT prints a heatmap in the "
    "terminal.\n\n"
    f"Texts over {MAX_CHARS_EXPLAIN:,} characters are not explained (the HTTP API's limit too): a "
    "TEXT is refused; a file's row gets its scores and labels, empty spans and tokens, and a "
    '"reason". Score long text with `moderate` or `predict`.'
)


@app.command("explain", help=EXPLAIN_HELP)
def explain_cmd(
    input: str = typer.Argument(..., metavar="INPUT|TEXT",
                                help="INPUT (.csv/.tsv plain or .gz, .jsonl or .parquet) to explain, or one TEXT."),
    output: Path = typer.Option(None, "--output", "-o", metavar="OUT.jsonl",
                                help="Where to write one JSON line per row (required for a file)."),
    model: str = typer.Option("default", "--model", "-m", metavar="MODEL", help=MODEL_HELP),
    backend: str = typer.Option(None, "--backend", metavar="onnx|torch", help=BACKEND_HELP),
    text_column: str = typer.Option("comment_text", "--text-column", metavar="NAME", help=TEXT_COLUMN_HELP),
    id_column: str = typer.Option("id", "--id-column", metavar="NAME", help=ID_COLUMN_HELP),
    sep: str = typer.Option(None, "--sep", metavar="CHAR", help=SEP_HELP),
    label: str = typer.Option(None, "--label", metavar="LABEL", help="Label to shade in the terminal (default: top one)."),
    spans: str = typer.Option("auto", "--spans", metavar="auto|tagger|attribution",
                              help="Span method: auto (tagger if shipped), tagger, attribution."),
    gate_spans: bool = typer.Option(False, "--gate-spans", help="Spans only for texts with a label over threshold."),
    html: Path = typer.Option(None, "--html", metavar="OUT.html", help="For a TEXT: also write the HTML heatmap here."),
    text: bool = typer.Option(False, "--text", help="Treat INPUT as text even if a file has that name."),
    progress_every: float = typer.Option(5.0, "--progress-every", metavar="SECONDS", help="Seconds between progress lines on stderr (a file)."),
) -> None:
    from cleanspeech.data.progress import ProgressLog
    from cleanspeech.data.stream import ChunkReader
    from cleanspeech.explain.core import warm_explain

    with friendly_errors():
        path = input_file(input, output, as_text=text)
        if path is not None and output is None:
            raise CliError(f"{path} is a file: give -o OUT.jsonl for its explanations")
        if path is None:
            check_text_length(input, MAX_CHARS_EXPLAIN, "explain")
            mod = load_moderator(model, backend)
            from cleanspeech.explain import render_html, render_terminal

            exp = mod.explain([input], spans=spans, gate_spans=gate_spans)[0]
            console.print(render_terminal(exp, label))
            if html is not None:
                write_text_atomic(render_html(exp, label), html)
                console.print(f"[dim]wrote {html}[/]")
            return
        def open_reader() -> ChunkReader:
            return ChunkReader(path, text_column=text_column, id_column=id_column, sep=sep, chunk_rows=CHUNK)

        reader = open_reader()
        total = sum(len(c.ids) for c in open_reader()) if path.stat().st_size <= COUNT_ROWS_UP_TO else None
        mod = load_moderator(model, backend)
        warm_explain(spans)  # load the span tagger before the clock starts: rows/s is explaining
        with RecordWriter(output, ["id", "scores", "labels", "spans", "tokens"], jsonl_only=True) as writer:
            rows = run_batch(reader, writer,
                             lambda ids, texts: _explain_rows(mod, ids, texts, spans=spans, gate_spans=gate_spans),
                             ProgressLog("explain", every=progress_every), total=total)
        if reader.bad_utf8_lines:
            err_console.print(f"[yellow]warning:[/] {path}: {reader.bad_utf8_lines} row(s) held "
                              "non-UTF-8 bytes; they were replaced with U+FFFD")
    typer.echo(f"wrote {rows} explanations to {output}")


@app.command("eval-spans")
def eval_spans_cmd(
    gold: Path = typer.Option(..., "--gold", metavar="TSD.csv", help="Gold TSD CSV (columns spans, text)."),
    pred: Path = typer.Option(..., "--pred", metavar="OUT.jsonl", help="Predictions JSONL from `cleanspeech explain`."),
) -> None:
    """SemEval-2021 Task 5 span F1 of predicted spans against gold spans.

    Per-post F1 over character offsets (both empty → 1, one
    empty → 0), averaged over posts. Rows are matched in order."""
    from cleanspeech.explain.span_metric import evaluate_files

    with friendly_errors():
        result = evaluate_files(gold, pred)
    typer.echo(json.dumps({"f1": round(result["f1"], 4), "posts": int(result["posts"])}))
