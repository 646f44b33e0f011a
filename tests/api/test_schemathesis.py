"""Schemathesis against the running API's own OpenAPI schema: no 5xx, every error a JSON error.

The schema is fetched from the session server (``api_env``) at test time, so the cases are
generated from what the app actually publishes. Bounded: 15 generated cases per operation and
generation mode (valid and invalid data), no shrinking, no example database, a fixed seed.
``POST /v1/articles`` and ``DELETE /v1/articles/{id}`` are left out: they write to and delete
from the store the other API tests share.

Schemathesis's own pytest loader (``schemathesis.pytest.from_fixture(...).parametrize()``) sets
``Function._nodeid``, which pytest 9.2 no longer has (``AttributeError`` at run time), so each
operation is driven through the public ``APIOperation.as_strategy`` with a plain ``@given``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.api.conftest import TOKEN, ApiEnv

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 15
SEED = 20240606
AUTH = {"Authorization": f"Bearer {TOKEN}"}

OPERATIONS = [
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("POST", "/v1/ask"),
    ("POST", "/v1/search"),
    ("GET", "/v1/articles"),
    ("GET", "/v1/articles/{article_id}"),
    ("GET", "/v1/models"),
    ("POST", "/v1/chat/completions"),
]
"""The read-only operations fuzzed with valid data."""

INVALID_INPUT = [
    ("POST", "/v1/ask"),
    ("POST", "/v1/search"),
    ("GET", "/v1/articles"),
    ("POST", "/v1/chat/completions"),
]
"""Also fuzzed with invalid data (the others take no input a schema can make invalid)."""

SKIPPED = {("POST", "/v1/articles"), ("DELETE", "/v1/articles/{article_id}")}
"""Operations that change the shared store."""


@pytest.fixture(scope="module")
def api_schema(api_env: ApiEnv) -> Any:
    """The OpenAPI schema the running server publishes at ``/openapi.json``."""
    config = schemathesis.Config.from_dict({"seed": SEED, "cache": {"enabled": False}, "headers": AUTH})
    return schemathesis.openapi.from_url(f"{api_env.url}/openapi.json", config=config, timeout=30)


def test_schema_lists_the_expected_operations(api_schema: Any) -> None:
    """A new operation fails here until it is fuzzed below (or knowingly skipped)."""
    published = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert published == set(OPERATIONS) | SKIPPED


def _check(case: schemathesis.Case, base_url: str) -> None:
    response = case.call(base_url=base_url, headers=AUTH, timeout=60)
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:
        content_type = ",".join(response.headers.get("content-type", []))
        assert content_type.startswith("application/json"), (response.status_code, content_type)
        body = json.loads(response.content)
        assert isinstance(body, dict) and isinstance(body.get("error"), dict), body
        error = body["error"]
        assert isinstance(error.get("type"), str) and isinstance(error.get("message"), str), body


CASES = [(m, p, GenerationMode.POSITIVE) for m, p in OPERATIONS] + [
    (m, p, GenerationMode.NEGATIVE) for m, p in INVALID_INPUT
]


@pytest.mark.parametrize(("method", "path", "mode"), CASES, ids=[f"{m} {p} {g.value}" for m, p, g in CASES])
def test_no_server_errors(
    api_schema: Any, api_env: ApiEnv, method: str, path: str, mode: GenerationMode
) -> None:
    """Generated requests never get a 5xx; every 4xx is ``{"error": {"type", "message"}}``."""
    operation = api_schema[path][method]

    @seed(SEED)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        _check(case, api_env.url)

    run()


# ------------------------------------------------------------------- regressions it found


def test_huge_article_offset_is_422_not_500(http: httpx.Client) -> None:
    """An offset past SQLite's INTEGER overflowed in the catalog query (500); now a 422."""
    too_big = http.get("/v1/articles", params={"offset": 2**63})
    assert too_big.status_code == 422
    assert too_big.json()["error"]["type"] == "validation_error"
    assert "offset" in too_big.json()["error"]["message"]
    largest = http.get("/v1/articles", params={"offset": 2**63 - 1})
    assert largest.status_code == 200 and largest.json()["items"] == []
