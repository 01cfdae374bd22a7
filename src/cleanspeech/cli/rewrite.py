"""``cleanspeech rewrite`` (civil rewrites of a file or one text) and ``cleanspeech eval-rewrite``
(STA / SIM / ChrF / J on ParaDetox-format pairs, with the Duplicate and Delete baselines)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from cleanspeech.cli.app import app
from cleanspeech.cli.batch import RecordWriter, cap_texts, over_limit_reason, run_batch
from cleanspeech.cli.common import (
    ID_COLUMN_HELP, MODEL_HELP, SEP_HELP, TEXT_COLUMN_HELP, CliError, check_text_length,
    err_console, friendly_errors, input_file,
)
from cleanspeech.data.io import DataError, read_texts, write_text_atomic
from cleanspeech.limits import MAX_CHARS_REWRITE

BACKEND_HELP = ("offline (default; no network), gemini, openai (any OpenAI-compatible endpoint: "
                "OPENAI_BASE_URL), or auto ($CLEANSPEECH_LLM_BACKEND, else offline).")
OUT_COLUMNS = ["id", "original", "rewrite", "toxicity_before", "toxicity_after", "method", "civil",
               "reason"]
CHUNK = 256
REWRITE_HELP = (
    "Civil rewrites of a file or one TEXT, verified by the classifier.\n\n"
    "Toxicity = the highest label probability; civil = no label at or over its threshold. A "
    "file (.csv/.tsv plain or .gz, .jsonl or .parquet) gives one output row per input row, in "
    "order: " + ", ".join(OUT_COLUMNS) + " (CSV, or JSONL / Parquet by the output's name). Rows "
    "whose LLM call fails fall back to the offline rewriter and say so in `method`.\n\n"
    f"Texts over {MAX_CHARS_REWRITE:,} characters are not rewritten (the HTTP API's limit too): "
    "a TEXT is refused; a file's row comes back unchanged with method `skipped` and a `reason`. "
    "Score long text with `moderate` or `predict`."
)


def _check_backend(backend: str) -> None:
    from cleanspeech.rewrite.pipeline import BACKENDS

    if backend not in BACKENDS:
        raise CliError(f"unknown rewrite backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def _rewrite_errors():  # type: ignore[no-untyped-def]
    """The project's own errors only (bad data, usage, a missing model, an LLM that failed):
    a bug in a library keeps its traceback."""
    from cleanspeech.rewrite.llm import BackendError

    return friendly_errors((DataError, CliError, FileNotFoundError, BackendError))


def _rewrite_rows(mod: Any, ids: list[str], texts: list[str], backend: str,
                  generator: bool = True) -> list[dict[str, Any]]:
    """One record per row; a row over the limit comes back unchanged with its scores, method
    ``skipped`` and a ``reason``."""
    from cleanspeech.rewrite.result import RewriteResult, civil_mask, toxicity

    records: list[dict[str, Any]] = [{} for _ in texts]
    ok = [i for i, t in enumerate(texts) if len(t) <= MAX_CHARS_REWRITE]
    over = [i for i, t in enumerate(texts) if len(t) > MAX_CHARS_REWRITE]
    for i, r in zip(ok, mod.rewrite([texts[i] for i in ok], backend=backend,
                                                  generator="auto" if generator else None) if ok else []):
        records[i] = {"id": ids[i], **r.to_dict()}
    if over:
        scores = mod.scores(cap_texts([texts[i] for i in over])[0])
        for k, i in enumerate(over):
            tox, civil = float(toxicity(scores)[k]), bool(civil_mask(scores, mod.thresholds)[k])
            reason = over_limit_reason(texts[i], MAX_CHARS_REWRITE, "rewrite")
            records[i] = {"id": ids[i], **RewriteResult(texts[i], texts[i], tox, tox, "skipped",
                                                        civil, reason).to_dict()}
    return records


@app.command("rewrite", help=REWRITE_HELP)
def rewrite(
    input: str = typer.Argument(..., metavar="INPUT|TEXT",
                                help="INPUT (.csv/.tsv plain or .gz, .jsonl or .parquet) to rewrite, or one TEXT."),
    output: Path = typer.Option(None, "--output", "-o", metavar="OUT.csv",
                                help="Where to write one row per input row (required for a file)."),
    model: str = typer.Option("default", "--model", "-m", metavar="MODEL", help=MODEL_HELP),
    backend: str = typer.Option("offline", "--backend", "-b", metavar="offline|gemini|openai|auto",
                                help=BACKEND_HELP),
    text_column: str = typer.Option("comment_text", "--text-column", metavar="NAME", help=TEXT_COLUMN_HELP),
    id_column: str = typer.Option("id", "--id-column", metavar="NAME", help=ID_COLUMN_HELP),
    sep: str = typer.Option(None, "--sep", metavar="CHAR", help=SEP_HELP),
    text: bool = typer.Option(False, "--text", help="Treat INPUT as text even if a file has that name."),
    progress_every: float = typer.Option(5.0, "--progress-every", metavar="SECONDS", help="Seconds between progress lines on stderr (a file)."),
    generator: bool = typer.Option(True, "--generator/--no-generator",
                                   help="Let the fine-tuned SmolLM2 propose rewrites (where it is installed); "
                                        "--no-generator: the offline edits alone, faster."),
) -> None:
    from cleanspeech.data.progress import ProgressLog
    from cleanspeech.data.stream import ChunkReader
    from cleanspeech.pipeline import Moderator

    with _rewrite_errors():
        _check_backend(backend)
        path = input_file(input, output, as_text=text)
        if path is not None and output is None:
            raise CliError(f"{path} is a file: give -o OUT.csv for its rewrites")
        if path is None:
            check_text_length(input, MAX_CHARS_REWRITE, "rewrite")
            r = Moderator.load(model).rewrite([input], backend=backend,
                                              generator="auto" if generator else None)[0]
            verdict = "civil" if r.civil else "could not be made civil"
            typer.echo(f"before  [toxicity {r.toxicity_before:.3f}]  {r.original}")
            typer.echo(f"after   [toxicity {r.toxicity_after:.3f}]  {r.rewrite}")
            typer.echo(f"method  {r.method}; {verdict}")
            if r.reason:
                typer.echo(f"reason  {r.reason}")
            return
        reader = ChunkReader(path, text_column=text_column, id_column=id_column, sep=sep,
                             chunk_rows=CHUNK)
        mod = Moderator.load(model)
        counts = {"changed": 0, "civil": 0}

        def process(ids: list[str], texts: list[str]) -> list[dict[str, Any]]:
            records = _rewrite_rows(mod, ids, texts, backend, generator)
            counts["changed"] += sum(r["original"] != r["rewrite"] for r in records)
            counts["civil"] += sum(bool(r["civil"]) for r in records)
            return records

        with RecordWriter(output, OUT_COLUMNS) as writer:
            rows = run_batch(reader, writer, process, ProgressLog("rewrite", every=progress_every))
        if reader.bad_utf8_lines:
            err_console.print(f"[yellow]warning:[/] {path}: {reader.bad_utf8_lines} row(s) held "
                              "non-UTF-8 bytes; they were replaced with U+FFFD")
    typer.echo(f"wrote {rows} {'row' if rows == 1 else 'rows'} to {output}: "
               f"{counts['changed']} rewritten, {counts['civil']} civil")


@app.command("eval-rewrite")
def eval_rewrite(
    pairs: Path = typer.Argument(..., metavar="PAIRS.tsv", help="ParaDetox-format pairs (toxic, neutral1..3)."),
    outputs: Path = typer.Argument(..., metavar="OUT.csv", help="Output of `cleanspeech rewrite` (one row per pair)."),
    model: str = typer.Option("default", "--model", "-m", metavar="MODEL", help=MODEL_HELP + " Judges STA."),
    column: str = typer.Option("rewrite", "--column", metavar="NAME", help="Column of OUT.csv holding the rewrites."),
    report: Path = typer.Option(None, "--report", metavar="REPORT.json", help="Also write the scores as JSON here."),
) -> None:
    """Score rewrites of ParaDetox pairs: STA, SIM, ChrF and J, with baselines.

    STA (share civil by the project's classifier), SIM (MiniLM cosine, source vs output),
    ChrF (sacrebleu vs the human paraphrases, 0-1) and J = mean(STA·SIM·ChrF), for the outputs
    and the Duplicate and Delete baselines. J rewards small edits: read all four numbers.
    STA_j / J_j: the same with STA from an independent judge the rewriter never consults
    (cleanspeech.rewrite.judge)."""
    from cleanspeech.pipeline import Moderator
    from cleanspeech.rewrite.judge import load_judge
    from cleanspeech.rewrite.lexicon import EditLexicon
    from cleanspeech.rewrite.metrics import delete_baseline, evaluate
    from cleanspeech.rewrite.paradetox import read_pairs

    try:
        pair_list = read_pairs(pairs)
        _, outs = read_texts(outputs, text_column=column)
    except DataError as exc:
        raise typer.BadParameter(str(exc)) from None
    if len(outs) != len(pair_list):
        raise typer.BadParameter(f"{outputs} has {len(outs)} rows but {pairs} has {len(pair_list)} "
                                 "pairs; rewrite the pairs file itself (--text-column toxic).")
    mod = Moderator.load(model)
    sources = [p.toxic for p in pair_list]
    refs = [p.references for p in pair_list]
    systems = {"outputs": outs, "Duplicate": sources, "Delete": delete_baseline(sources, EditLexicon.load())}
    judge = load_judge()
    scores = {name: evaluate(mod.model, sources, o, refs, judge=judge)[0].to_dict() for name, o in systems.items()}
    typer.echo(f"{'system':<10} {'STA':>6} {'SIM':>6} {'ChrF':>6} {'J':>6} {'STA_j':>6} {'J_j':>6}   (n={len(sources)})")
    for name, s in scores.items():
        jd = f" {s['STA_judge']:>6.3f} {s['J_judge']:>6.3f}" if "STA_judge" in s else ""
        typer.echo(f"{name:<10} {s['STA']:>6.3f} {s['SIM']:>6.3f} {s['ChrF']:>6.3f} {s['J']:>6.3f}{jd}")
    if report is not None:
        write_text_atomic(json.dumps({"pairs": str(pairs), "outputs": str(outputs), "model": model,
                                      "scores": scores}, indent=2) + "\n", report)
