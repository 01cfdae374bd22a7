"""``cleanspeech explain`` (word-level explanations of a file or one text) and
``cleanspeech eval-spans`` (the SemEval-2021 Task 5 span F1)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from cleanspeech.cli.app import app
from cleanspeech.cli.common import (
    BACKEND_HELP, ID_COLUMN_HELP, MODEL_HELP, SEP_HELP, TEXT_COLUMN_HELP, CliError, console,
    friendly_errors, input_file, load_moderator,
)
from cleanspeech.data.io import read_texts, write_text_atomic

CHUNK = 64


@app.command("explain")
def explain_cmd(
    input: str = typer.Argument(..., metavar="INPUT|TEXT",
                                help="INPUT.csv / .csv.gz / .tsv to explain, or one TEXT."),
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
) -> None:
    """Per-word, per-label attributions and toxic spans of a file or one TEXT.

    A file gives one JSON object per row, in order: {"id", "scores", "labels", "spans": \\[\\[start, end], ...], "tokens": \\[{"text",
    "start", "end", "attributions"}]} with character offsets (end exclusive) in the original
    text. A TEXT prints a heatmap in the terminal."""
    with friendly_errors():
        path = input_file(input, output, as_text=text)
        if path is not None and output is None:
            raise CliError(f"{path} is a file: give -o OUT.jsonl for its explanations")
        mod = load_moderator(model, backend)
        if path is None:
            from cleanspeech.explain import render_html, render_terminal

            exp = mod.explain([input], spans=spans, gate_spans=gate_spans)[0]
            console.print(render_terminal(exp, label))
            if html is not None:
                write_text_atomic(render_html(exp, label), html)
                console.print(f"[dim]wrote {html}[/]")
            return
        ids, texts = read_texts(path, text_column=text_column, id_column=id_column, sep=sep)
        lines = []
        for start in range(0, len(texts), CHUNK):
            for i, exp in enumerate(mod.explain(texts[start:start + CHUNK], spans=spans, gate_spans=gate_spans), start):
                lines.append(json.dumps({"id": ids[i], **exp.to_dict()}, ensure_ascii=False))
            typer.echo(f"explained {min(start + CHUNK, len(texts))}/{len(texts)}", err=True)
        write_text_atomic("".join(line + "\n" for line in lines), output)
        typer.echo(f"wrote {len(lines)} explanations to {output}")


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
