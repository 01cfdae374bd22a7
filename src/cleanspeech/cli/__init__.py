"""The ``cleanspeech`` command line: thin commands over :mod:`cleanspeech.pipeline`.

Each capability registers its commands on the shared Typer ``app`` from its own module.
"""

from cleanspeech.cli.app import app
from cleanspeech.cli import core, demo, explain, rewrite, serve, train  # noqa: F401,E402  (registers commands)
from cleanspeech.cli import build  # noqa: F401,E402  (after the everyday commands in --help)

__all__ = ["app"]
