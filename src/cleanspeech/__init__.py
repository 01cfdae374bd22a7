"""CleanSpeech: which kinds of toxicity a comment carries, why, and how to say it civilly."""

from importlib.metadata import PackageNotFoundError, version

from cleanspeech.labels import LABELS

try:
    __version__ = version("cleanspeech")
except PackageNotFoundError:  # a source tree on sys.path that was never installed
    __version__ = "0+unknown"

__all__ = ["LABELS", "__version__"]
