"""The shared Typer application that every CLI module registers its commands on."""

import os

import typer

# Model loading bars from transformers / huggingface_hub would interleave with our own output.
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

app = typer.Typer(
    name="cleanspeech",
    help="Toxic-comment moderation: scores for six labels, explanations, civil rewrites.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
