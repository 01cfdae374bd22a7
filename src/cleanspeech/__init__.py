"""CleanSpeech: which kinds of toxicity a comment carries, why, and how to say it civilly."""

from cleanspeech.labels import LABELS

__all__ = ["LABELS"]
__version__ = "0.1.0"
