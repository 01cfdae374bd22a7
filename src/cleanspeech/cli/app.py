"""The shared Typer application that every CLI module registers its commands on."""

import typer

app = typer.Typer(
    name="cleanspeech",
    help="Toxic-comment moderation: scores for six labels, explanations, civil rewrites.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
