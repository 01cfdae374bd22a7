"""Property-based fuzzing of the OpenAPI schema with schemathesis: no generated request (valid or
not) may get a 5xx, responses must match the schema, and invalid data must be refused (4xx)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from cleanspeech.api import create_app
from cleanspeech.pipeline import Moderator

from api_support import KeywordModel

app = create_app(Moderator(KeywordModel(), name="keyword-test"))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_openapi_fuzz(case: schemathesis.Case) -> None:
    # generous timeout: the first /v1/explain loads the span tagger (torch) in this process
    case.call_and_validate(timeout=120)
