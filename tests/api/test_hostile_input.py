"""Hostile requests against the real API server (issue #7): every one is a 4xx with a clear message.

The matrix covers oversized and deeply nested bodies, invalid UTF-8, lone surrogates and NUL
characters, out-of-range or mistyped ``k``, unknown fields, over-long and blank questions and
non-dates, on ``/v1/ask``, ``/v1/search``, ``/v1/articles`` and ``/v1/chat/completions``. Each
response must be ``{"error": {"type", "message"}}`` and the message must name the field at fault.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from tests.api.conftest import ApiEnv

ENDPOINTS = ["/v1/ask", "/v1/search", "/v1/articles", "/v1/chat/completions"]


def _error(response: httpx.Response, status: int, *needles: str) -> dict[str, str]:
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}, body
    for needle in needles:
        assert needle in body["error"]["message"], (needle, body)
    return dict(body["error"])


def _raw(http: httpx.Client, path: str, content: bytes) -> httpx.Response:
    return http.post(path, content=content, headers={"Content-Type": "application/json"})


def _valid(path: str, **override: Any) -> dict[str, Any]:
    """A valid body of ``path`` with ``override`` merged in."""
    bodies: dict[str, dict[str, Any]] = {
        "/v1/ask": {"question": "What did the ECB do?"},
        "/v1/search": {"query": "ECB interest rate"},
        "/v1/articles": {"articles": [{"id": "hostile/x", "text": "A short article about tides."}]},
        "/v1/chat/completions": {
            "model": "sanad",
            "messages": [{"role": "user", "content": "What did the ECB do?"}],
        },
    }
    return {**bodies[path], **override}


# ---------------------------------------------------------------------------- raw bodies


@pytest.mark.parametrize("path", ENDPOINTS)
def test_invalid_utf8_is_400_naming_the_byte(http: httpx.Client, path: str) -> None:
    body = json.dumps(_valid(path)).encode()[:-2] + b'\xff\xfe"}'
    err = _error(_raw(http, path, body), 400, "not valid UTF-8", "0xff")
    assert err["type"] == "bad_request"
    latin1 = json.dumps(_valid(path), ensure_ascii=False).replace("ECB", "café").encode("latin-1", "replace")
    if b"\xe9" in latin1:
        _error(_raw(http, path, latin1), 400, "UTF-8")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_deeply_nested_json_is_a_fast_4xx(http: httpx.Client, path: str, api_env: ApiEnv) -> None:
    started = time.perf_counter()
    _error(_raw(http, path, b"[" * 60_000), 400, "nested too deeply")
    nested = b'{"x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    _error(_raw(http, path, nested[: api_env.settings.api.max_body_bytes]), 400)
    assert time.perf_counter() - started < 5
    assert api_env.client.healthz().status == "ok"


def test_oversized_and_deep_bodies_over_the_limit_are_413(http: httpx.Client) -> None:
    for path in ("/v1/ask", "/v1/search", "/v1/chat/completions"):
        _error(_raw(http, path, b"[" * 100_000), 413, "65536")
    _error(_raw(http, "/v1/articles", b"[" * 300_000), 413, "262144")
    _error(_raw(http, "/v1/articles", b"[" * 200_000), 400, "nested too deeply")  # under its limit


@pytest.mark.parametrize("path", ENDPOINTS)
def test_lone_surrogates_and_nul_are_422(http: httpx.Client, path: str) -> None:
    field = {
        "/v1/ask": "question",
        "/v1/search": "query",
        "/v1/chat/completions": "messages",
        "/v1/articles": "articles",
    }[path]
    for escaped, needle in (('"a\\ud800b"', ""), ('"a\\u0000b"', "NUL")):
        if path == "/v1/chat/completions":
            raw = f'{{"model": "sanad", "messages": [{{"role": "user", "content": {escaped}}}]}}'
        elif path == "/v1/articles":
            raw = f'{{"articles": [{{"id": "hostile/bad-text", "text": {escaped}}}]}}'
        else:
            raw = f'{{"{field}": {escaped}}}'
        response = _raw(http, path, raw.encode())
        where = "api[0].text" if path == "/v1/articles" else field
        _error(response, 422, field, where, needle)


# ------------------------------------------------------------------------------------ k


@pytest.mark.parametrize("path", ["/v1/ask", "/v1/search"])
@pytest.mark.parametrize("k", [10**9, 10**30, -1, 0, "5", True, 2.5, None, [3], {"k": 3}])
def test_bad_k_is_422_naming_k(http: httpx.Client, path: str, k: object) -> None:
    if k is None and path == "/v1/ask":
        assert http.post(path, json=_valid(path, k=None)).status_code == 200  # null: the default
        return
    err = _error(http.post(path, json=_valid(path, k=k)), 422, "k")
    assert err["type"] == "validation_error" and err["message"].startswith("k: ")


# ----------------------------------------------------------------------- unknown fields


@pytest.mark.parametrize("path", ["/v1/ask", "/v1/search", "/v1/articles"])
def test_unknown_top_level_fields_are_422(http: httpx.Client, path: str) -> None:
    _error(http.post(path, json=_valid(path, temperatur=0.2)), 422, "temperatur", "Extra inputs")


@pytest.mark.parametrize("path", ["/v1/ask", "/v1/search"])
@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"source": ["x"]}, "filters.source"),
        ({"languages": ["en"], "$where": "1"}, "filters.$where"),
        ({"published_from": 0}, "filters.published_from"),
        ({"published_to": 20240101}, "filters.published_to"),
        ({"published_from": "2024-13-01"}, "filters.published_from"),
        ({"published_from": "2024/06/01"}, "filters.published_from"),
        ({"published_from": "2024-06-01T10:00:00"}, "filters.published_from"),
        ({"published_to": True}, "filters.published_to"),
        ({"sources": "Example Wire"}, "filters.sources"),
        ({"languages": ["a\u0000"]}, "filters.languages"),
        ([], "filters"),
        ({"published_from": "2024-06-30", "published_to": "2024-06-01"}, "is after published_to"),
    ],
)
def test_bad_filters_are_422_naming_the_field(
    http: httpx.Client, path: str, filters: object, field: str
) -> None:
    _error(http.post(path, json=_valid(path, filters=filters)), 422, field)


def test_chat_completions_ignores_unknown_openai_options(http: httpx.Client) -> None:
    body = _valid("/v1/chat/completions", temperature=0.3, top_p=1, user="u1", seed=7)
    response = http.post("/v1/chat/completions", json=body)
    assert response.status_code == 200 and response.json()["choices"][0]["message"]["content"]


def test_published_dates_as_strings_still_filter(http: httpx.Client) -> None:
    body = _valid("/v1/search", filters={"published_from": "2024-06-01", "published_to": "2024-06-30"})
    hits = http.post("/v1/search", json=body).json()["results"]
    assert hits and {h["article_id"] for h in hits} == {"news/ecb-rate-cut"}


# ------------------------------------------------------------------------------ questions


@pytest.mark.parametrize(
    ("path", "field"),
    [("/v1/ask", "question"), ("/v1/search", "query"), ("/v1/chat/completions", "messages")],
)
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("q" * 10_000, "4000"),
        ("", ""),
        ("   ", ""),
        ("\t\n\u3000 ", ""),
        ("\u200b\u200f\ufeff", "invisible"),
        ("a\u0000b", "NUL"),
    ],
)
def test_long_blank_and_nul_questions_are_422(
    http: httpx.Client, path: str, field: str, text: str, needle: str
) -> None:
    if path == "/v1/chat/completions":
        body = _valid(path, messages=[{"role": "user", "content": text}])
    else:
        body = {field: text}
    err = _error(http.post(path, json=body), 422, field, needle)
    assert err["type"] == "validation_error"


# ---------------------------------------------------------------- chat completions shape


@pytest.mark.parametrize(
    ("messages", "needle"),
    [
        ([], "at least 1"),
        ([{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "A"}], "role 'user'"),
        ([{"role": "system", "content": "be nice"}], "role 'user'"),
        ([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}], "empty"),
        ([{"role": "user", "content": 5}], "messages.0.content"),
        ([{"content": "Q?"}], "messages.0.role"),
        ("What did the ECB do?", "messages"),
    ],
)
def test_chat_completions_without_a_user_question_is_422(
    http: httpx.Client, messages: object, needle: str
) -> None:
    err = _error(
        http.post("/v1/chat/completions", json={"model": "sanad", "messages": messages}), 422, needle
    )
    assert err["message"].startswith("messages")


def test_chat_completions_answers_the_last_user_message(http: httpx.Client) -> None:
    messages = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Tell me about the floods in Brazil"},
        {"role": "assistant", "content": "Floods hit Porto Alegre [1].\n\nSources:\n[1] Floods"},
        {"role": "user", "content": "How many residents of Porto Alegre were evacuated?"},
        {"role": "tool", "content": "ignored", "tool_call_id": "t1"},
    ]
    response = http.post("/v1/chat/completions", json={"model": "sanad", "messages": messages})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["citations"] and body["citations"][0]["article_id"] == "news/brazil-floods"
    unknown = http.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": messages[1:2]})
    _error(unknown, 404, "gpt-4o", "sanad")


def test_articles_unusable_items_are_400_naming_each(http: httpx.Client) -> None:
    nested: Any = "x"
    for _ in range(200):
        nested = [nested]
    response = http.post("/v1/articles", json={"articles": [nested, 7, None, {"text": "   "}]})
    err = _error(response, 400, "api[0]", "api[1]", "api[2]", "api[3]")
    assert err["type"] == "bad_request"
