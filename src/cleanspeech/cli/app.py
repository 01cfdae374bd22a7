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


def _print_version(value: bool) -> None:
    if value:
        from cleanspeech import __version__

        typer.echo(f"cleanspeech {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version,
                                 help="Print the version and exit."),
) -> None:
    """Toxic-comment moderation: scores for six labels, explanations, civil rewrites."""


def _plain_type_column() -> None:
    """Typer's rich help prints a ``<type>`` column beside every parameter: ``--json <bool>``
    for a flag, ``<list[str]>`` for texts. A flag takes no value, and a metavar we gave
    (``INPUT.csv``) already says what is expected, so both leave that column empty."""
    from typer import core

    arg_type, opt_type = core.TyperArgument.display_type_rich, core.TyperOption.display_type_rich

    def argument_type(self, ctx):  # type: ignore[no-untyped-def]
        return None if self.metavar is not None else arg_type(self, ctx)

    def option_type(self, ctx):  # type: ignore[no-untyped-def]
        return None if self.is_flag and self.metavar is None else opt_type(self, ctx)

    core.TyperArgument.display_type_rich = argument_type
    core.TyperOption.display_type_rich = option_type


_plain_type_column()
