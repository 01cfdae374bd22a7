"""``cleanspeech explain`` (word-level explanations of a file or one text) and
``cleanspeech eval-spans`` (the SemEval-2021 Task 5 span F1)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from cleanspeech.cli.app import app
from cleanspeech.cli.common import BACKEND_HELP, MODEL_HELP, console, friendly_errors, is_csv_path, load_moderator
from cleanspeech.data.io import read_texts, write_text_atomic

CHUNK = 64


@app.command("explain")
def explain_cmd(
    input: str = typer.Argument(..., help="INPUT.csv (or .csv.gz) to explain, or one TEXT."),
    output: Path = typer.Option(None, "--output", "-o", help="OUT.jsonl (required for a file)."),
    model: str = typer.Option("default", "--model", "-m", help=MODEL_HELP),
    backend: str = typer.Option(None, "--backend", help=BACKEND_HELP),
    text_column: str = typer.Option("comment_text", "--text-column", help="Column holding the text."),
    id_column: str = typer.Option("id", "--id-column", help="Column holding the id (row number if absent)."),
    label: str = typer.Option(None, "--label", help="Label to shade in the terminal (default: top one)."),
    spans: str = typer.Option("auto", "--spans", help="Span method: auto (tagger if shipped), tagger, attribution."),
    gate_spans: bool = typer.Option(False, "--gate-spans", help="Spans only for texts with a label over threshold."),
    html: Path = typer.Option(None, "--html", help="For a TEXT: also write the HTML heatmap here."),
    text: bool = typer.Option(False, "--text", help="Treat INPUT as text even if a file has that name."),
) -> None:
    """Per-word, per-label attributions and toxic spans. A file gives one JSON object per row, in
    order: {"id", "scores", "labels", "spans": [[start, end], ...], "tokens": [{"text", "start",
    "end", "attributions"}]} with character offsets (end exclusive) in the original text. A TEXT
    prints a heatmap in the terminal."""
    with friendly_errors():
        mod = load_moderator(model, backend)
        if text or not is_csv_path(input):
            from cleanspeech.explain import render_html, render_terminal

            exp = mod.explain([input], spans=spans, gate_spans=gate_spans)[0]
            console.print(render_terminal(exp, label))
            if html is not None:
                write_text_atomic(render_html(exp, label), html)
                console.print(f"[dim]wrote {html}[/]")
            return
        if output is None:
            raise typer.BadParameter("a file INPUT needs -o OUT.jsonl", param_hint="--output")
        ids, texts = read_texts(Path(input), text_column=text_column, id_column=id_column)
        lines = []
        for start in range(0, len(texts), CHUNK):
            for i, exp in enumerate(mod.explain(texts[start:start + CHUNK], spans=spans, gate_spans=gate_spans), start):
                lines.append(json.dumps({"id": ids[i], **exp.to_dict()}, ensure_ascii=False))
            typer.echo(f"explained {min(start + CHUNK, len(texts))}/{len(texts)}", err=True)
        write_text_atomic("".join(line + "\n" for line in lines), output)
        typer.echo(f"wrote {len(lines)} explanations to {output}")


@app.command("eval-spans")
def eval_spans_cmd(
    gold: Path = typer.Option(..., "--gold", help="Gold TSD CSV (columns spans, text)."),
    pred: Path = typer.Option(..., "--pred", help="Predictions JSONL from `cleanspeech explain`."),
) -> None:
    """SemEval-2021 Task 5 span F1: per-post F1 over character offsets (both empty → 1, one
    empty → 0), averaged over posts. Rows are matched in order."""
    from cleanspeech.explain.span_metric import evaluate_files

    with friendly_errors():
        result = evaluate_files(gold, pred)
    typer.echo(json.dumps({"f1": round(result["f1"], 4), "posts": int(result["posts"])}))
