"""``cleanspeech demo``: the main job on the shipped model, end to end, in one screen."""

from __future__ import annotations

from pathlib import Path

import typer

from cleanspeech.cli.app import app
from cleanspeech.cli.common import MODEL_HELP, console, friendly_errors, load_moderator
from cleanspeech.cli.core import _moderation_table
from cleanspeech.data.io import read_texts

EXAMPLES = [
    "You are a disgusting idiot.",
    "Thanks for the helpful edit!",
    "I will find you and kill you, you worthless piece of garbage.",
    "Please stop removing the references without discussing it first.",
]
SAMPLE_CSV = Path(__file__).resolve().parents[3] / "examples" / "comments.csv"


@app.command("demo")
def demo_cmd(
    model: str = typer.Option("default", "--model", "-m", metavar="MODEL", help=MODEL_HELP),
    sample_csv: Path = typer.Option(SAMPLE_CSV, "--csv", metavar="SAMPLE.csv", help="A small CSV to score."),
) -> None:
    """Moderate example comments, explain and rewrite the toxic ones, score a sample CSV."""
    with friendly_errors():
        moderator = load_moderator(model)
        console.rule(f"[bold]CleanSpeech demo — model: {moderator.name} ({moderator.model.model_type})")
        results = moderator.moderate(EXAMPLES)
        console.print(_moderation_table(EXAMPLES, results, moderator.thresholds))
        toxic = [t for t, r in zip(EXAMPLES, results) if r.labels]
        _show_explanations(moderator, toxic)
        _show_rewrites(moderator, toxic)
        ids, texts = read_texts(sample_csv)
        console.rule(f"Scoring {sample_csv.name} ({len(texts)} rows, ids kept, same order)")
        labelled = [f"[dim]{i}[/] {t}" for i, t in zip(ids, texts)]
        console.print(_moderation_table(labelled, moderator.moderate(texts), moderator.thresholds))


def _show_explanations(moderator, texts: list[str]) -> None:
    if not texts:
        return
    from cleanspeech.explain import render_terminal

    console.rule("Why: the words that drive each score")
    for exp in moderator.explain(texts):
        console.print(render_terminal(exp))


def _show_rewrites(moderator, texts: list[str]) -> None:
    if not texts:
        return
    console.rule("How to say it civilly (verified by the classifier)")
    for res in moderator.rewrite(texts):
        console.print(f"[red]{res.original}[/]  ({res.toxicity_before:.2f})")
        console.print(f"  → [green]{res.rewrite}[/]  ({res.toxicity_after:.2f}, {res.method}, "
                      f"civil={res.civil})")
