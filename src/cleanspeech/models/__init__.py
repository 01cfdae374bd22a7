"""Model stage: one protocol (``predict_proba`` → ``(n, 6)``) and the model kinds behind it."""

from cleanspeech.models.base import ToxicityModel
from cleanspeech.models.registry import load_model, resolve_model_path

__all__ = ["ToxicityModel", "load_model", "resolve_model_path"]
