"""Request and response models of the HTTP API: what ``/openapi.json``, ``/docs`` and ``/redoc``
document. Descriptions here are the API's reference text, so they say what a field means to a
caller, not how it is computed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

from cleanspeech.labels import LABELS
from cleanspeech.limits import (
    MAX_BODY_BYTES,
    MAX_CHARS,
    MAX_CHARS_EXPLAIN,
    MAX_CHARS_REWRITE,
    MAX_TEXTS,
    MAX_TEXTS_HEAVY,
)
from cleanspeech.operating import SENSITIVITIES

Text = Annotated[str, StringConstraints(max_length=MAX_CHARS, strict=True)]
ExplainText = Annotated[str, StringConstraints(max_length=MAX_CHARS_EXPLAIN, strict=True)]
RewriteText = Annotated[str, StringConstraints(max_length=MAX_CHARS_REWRITE, strict=True)]

ENGLISH_ONLY = ("The classifier was trained on English Wikipedia talk-page comments (Jigsaw); "
                "scores for other languages are not meaningful.")

# --- request models ---------------------------------------------------------------------------
ThresholdOverrides = create_model(  # one optional field per label: unknown labels are a 422
    "ThresholdOverrides", __config__=ConfigDict(extra="forbid", strict=True),
    __doc__="Exact thresholds for this request, label -> value in [0, 1]; labels left out keep "
            "the model's threshold (moved by `sensitivity`). Unknown labels are refused (422).",
    **{label: (float | None, Field(None, ge=0.0, le=1.0, description=f"Threshold for {label}."))
       for label in LABELS},
)


class ModerateRequest(BaseModel):
    """Texts to score, at most ``MAX_TEXTS`` of at most ``MAX_CHARS`` characters each, and
    optionally the operating point to flag them at."""

    model_config = ConfigDict(extra="forbid", strict=True)
    texts: list[Text] = Field(
        ..., max_length=MAX_TEXTS,
        description=f"Comments to score (English), at most {MAX_TEXTS}, each at most "
                    f"{MAX_CHARS} characters.",
        examples=[["You are a disgusting idiot.", "Thanks for the helpful edit!"]],
    )
    sensitivity: Literal[tuple(SENSITIVITIES)] = Field(  # type: ignore[valid-type]
        "default",
        description="Moves every label's threshold together: `default` keeps the model's tuned "
                    "thresholds; `high` flags more (each threshold's odds halved: 0.5 -> 0.33); "
                    "`low` flags less (odds doubled: 0.5 -> 0.67). Scores never change.",
    )
    thresholds: ThresholdOverrides | None = Field(  # type: ignore[valid-type]
        None, description="Per-label thresholds for this request, applied after `sensitivity` "
                          "(an explicit number wins).", examples=[{"toxic": 0.4, "threat": 0.2}])


class ExplainRequest(BaseModel):
    """Texts to explain, at most ``MAX_TEXTS_HEAVY`` of at most ``MAX_CHARS_EXPLAIN`` chars."""

    model_config = ConfigDict(extra="forbid", strict=True)
    texts: list[ExplainText] = Field(
        ..., max_length=MAX_TEXTS_HEAVY,
        description=f"Comments to explain, at most {MAX_TEXTS_HEAVY}, each at most "
        f"{MAX_CHARS_EXPLAIN} characters.",
        examples=[["You are a disgusting idiot."]],
    )


class _RewriteTexts(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    texts: list[RewriteText] = Field(
        ..., max_length=MAX_TEXTS_HEAVY,
        description=f"Comments to rewrite, at most {MAX_TEXTS_HEAVY}, each at most "
        f"{MAX_CHARS_REWRITE} characters.",
        examples=[["You are a disgusting idiot."]],
    )


def rewrite_request_model(backends: Sequence[str]) -> type[BaseModel]:
    """``{"texts": [...], "backend": one of backends}``; the schema lists the backends enabled."""
    return create_model(
        "RewriteRequest", __base__=_RewriteTexts,
        __doc__="Texts to rewrite civilly, and the rewrite backend ('offline' needs no network).",
        backend=(Literal[tuple(backends)], Field(  # type: ignore[valid-type]
            backends[0], description=f"Rewrite backend, one of {', '.join(backends)}.")),
    )


# --- response models --------------------------------------------------------------------------
_float = (float, ...)
LabelScores = create_model(  # one field per label, in LABELS order, so the schema names them
    "LabelScores", __config__=ConfigDict(extra="forbid"), **{label: _float for label in LABELS}
)
LabelFlags = create_model(
    "LabelFlags", __config__=ConfigDict(extra="forbid"),
    __doc__="Per label: true when its score is at or over this request's threshold.",
    **{label: (bool, ...) for label in LABELS},
)
LabelValues = create_model(  # attributions may be negative; labels may be omitted by explainers
    "LabelValues", **{label: (float | None, None) for label in LABELS}
)


class ModelId(BaseModel):
    """Which model and software produced an answer, so a stored verdict can be traced."""

    name: str = Field(description="The model name or folder the server was started with.")
    model_type: str
    folder: str | None = Field(None, description="The model folder's name (null: in memory).")
    fingerprint: str | None = Field(
        None, description="sha256 over the files that decide the model's outputs (weights, "
                          "thresholds, tokenizer); changes whenever its answers could.")
    cleanspeech_version: str = Field(description="Version of the cleanspeech package.")
    api_version: str


class Moderation(BaseModel):
    scores: LabelScores  # type: ignore[valid-type]
    labels: list[str] = Field(description="Labels raised: score at or over its threshold (for text "
                                          "the classifier cannot judge, see `supported`).")
    flagged: bool = Field(description="The verdict: true when any label is raised.")
    flags: LabelFlags  # type: ignore[valid-type]
    language: str = Field(description="`en`, another language's code (`fr`, `de`, ...), `other` "
                                      "(non-Latin script), `la` (placeholder Latin) or `code`.")
    supported: bool = Field(description="False when the English classifier cannot judge the text: "
                                        "its scores then raise a label only at 0.8 or over, or "
                                        "when the language's own insult list names a word.")
    part: list[int] | None = Field(None, description="[start, end) of the comment's worst sentence, "
                                                     "also scored alone: a label is raised when the "
                                                     "whole comment or this sentence reaches its "
                                                     "threshold (`scores` stay the whole comment's).")


class ModerateResponse(BaseModel):
    results: list[Moderation]
    thresholds: LabelScores = Field(  # type: ignore[valid-type]
        description="The thresholds this request was judged at (the model's, moved by "
                    "`sensitivity` and `thresholds`).")
    sensitivity: str
    model: ModelId
    routed_fraction: float | None = Field(
        None, description="Cascade models: share of this request's texts that reached the "
                          "transformer (null for other model kinds).")


class Token(BaseModel):
    text: str
    start: int
    end: int
    attributions: dict[str, float]


class ExplanationOut(BaseModel):
    scores: LabelScores  # type: ignore[valid-type]
    labels: list[str] = Field(description="Labels at or over the model's thresholds.")
    flagged: bool = Field(description="True when any label is raised.")
    spans: list[list[int]] = Field(description="Character [start, end) spans driving the labels.")
    tokens: list[Token]


class ExplainResponse(BaseModel):
    results: list[ExplanationOut]
    model: ModelId


class RewriteOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    original: str
    rewrite: str = Field(description="The suggested text; equal to `original` when no civil "
                                     "rewrite was needed or none was found (see `reason`).")
    toxicity_before: float = Field(description="Highest label score of the original.")
    toxicity_after: float = Field(description="Highest label score of the rewrite.")
    method: str = Field(description="Which candidate won, for logs and debugging (e.g. "
                                    "`unchanged`: nothing to rewrite; `none`: no candidate was "
                                    "less toxic). Not meant to be shown to end users.")
    civil: bool = Field(description="True when the rewrite raises no label at the model's "
                                    "thresholds.")
    reason: str = Field("", description=(
        "Plain-language note: why a flagged comment could not be made civil (starts with "
        "'cannot be made civil: ...'), or what a template rewrite did (e.g. 'the dismissal is "
        "replaced by a polite request'); empty when there is nothing to say."))


class RewriteResponse(BaseModel):
    results: list[RewriteOut]
    model: ModelId


class Health(BaseModel):
    status: str
    model: str
    version: str = Field(description="Version of the cleanspeech package.")


class Limits(BaseModel):
    max_texts: int = MAX_TEXTS
    max_chars_per_text: int = MAX_CHARS
    max_texts_explain: int = MAX_TEXTS_HEAVY
    max_chars_explain: int = MAX_CHARS_EXPLAIN
    max_texts_rewrite: int = MAX_TEXTS_HEAVY
    max_chars_rewrite: int = MAX_CHARS_REWRITE
    max_body_bytes: int = MAX_BODY_BYTES


class ModelInfo(BaseModel):
    name: str
    model_type: str
    labels: list[str]
    languages: list[str] = Field(["en"], description=ENGLISH_ONLY)
    thresholds: LabelScores  # type: ignore[valid-type]
    sensitivities: dict[str, LabelScores] = Field(  # type: ignore[valid-type]
        description="The thresholds each `sensitivity` setting moderates at.")
    metrics: dict[str, Any]
    model_card: str
    routed_fraction: float | None = Field(
        None, description="Cascade models: share of all texts scored since start-up that "
                          "reached the transformer.")
    limits: Limits
    model: ModelId


class ErrorOut(BaseModel):
    detail: Any
