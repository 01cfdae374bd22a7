"""Property-based fuzzing of the OpenAPI schema with schemathesis: no generated request (valid or
not) may get a 5xx, responses must match the schema, and invalid data must be refused (4xx)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from cleanspeech.server import create_app
from cleanspeech.pipeline import Moderator

from api_support import KeywordModel

app = create_app(Moderator(KeywordModel(), name="keyword-test"))
# An over-long text can make the whole body pass the API's size limit, which refuses it with
# 413 Content Too Large before validation: a correct refusal of invalid data, which
# schemathesis's default list of expected statuses (the rest of this list) does not hold.
CONFIG = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {
    "expected-statuses": ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]}}})
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_openapi_fuzz(case: schemathesis.Case) -> None:
    # generous timeout: the first /v1/explain loads the span tagger (torch) in this process
    case.call_and_validate(timeout=120)
