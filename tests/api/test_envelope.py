"""Edges of the HTTP surface (nc8 report, D12), on the real server with the chat UI mounted at "/":
wrong methods and unknown paths get the ``{"error": …}`` envelope, not the UI's own 404; flags
are JSON booleans; a body that is not JSON is a 415; the chat route refuses ``n`` above 1."""

from __future__ import annotations

import httpx
import pytest

from api.server import not_json_media_type
from tests.api.test_hostile_input import _error, _valid


@pytest.mark.parametrize(
    ("method", "path", "status", "allow"),
    [
        ("POST", "/healthz", 405, "GET"),
        ("DELETE", "/readyz", 405, "GET"),
        ("GET", "/slack/events", 405, "POST"),
        ("GET", "/v1", 404, None),
        ("GET", "/v1/", 404, None),
    ],
)
def test_wrong_methods_and_unknown_api_paths_answer_in_the_envelope(
    http: httpx.Client, method: str, path: str, status: int, allow: str | None
) -> None:
    response = http.request(method, path)
    err = _error(response, status, path)
    assert err["type"] == ("method_not_allowed" if allow else "not_found")
    if allow:
        assert response.headers["allow"] == allow
    assert http.get("/healthz").json()["status"] == "ok"  # the real routes still answer
    assert http.get("/").status_code == 200  # and so does the chat UI


@pytest.mark.parametrize("path", ["/v1/ask", "/v1/chat/completions"])
@pytest.mark.parametrize("value", ["yes", "true", 1])
def test_stream_must_be_a_json_boolean(http: httpx.Client, path: str, value: object) -> None:
    _error(http.post(path, json=_valid(path, stream=value)), 422, "stream")


@pytest.mark.parametrize("path", ["/v1/ask", "/v1/search", "/v1/articles", "/v1/chat/completions"])
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_415_naming_json(http: httpx.Client, path: str, content_type: str) -> None:
    body = b'{"question": "solar"}' if content_type == "text/plain" else b"question=solar"
    err = _error(http.post(path, content=body, headers={"Content-Type": content_type}), 415)
    assert err["type"] == "unsupported_media_type"
    assert "application/json" in err["message"] and content_type in err["message"]


def test_a_json_list_body_stays_a_422(http: httpx.Client) -> None:
    _error(http.post("/v1/ask", json=["solar"]), 422, "body")


@pytest.mark.parametrize("n", [2, 0, "2"])
def test_chat_refuses_more_than_one_choice(http: httpx.Client, n: object) -> None:
    _error(http.post("/v1/chat/completions", json=_valid("/v1/chat/completions", n=n)), 422, "n")


def test_chat_accepts_n_1_and_null(http: httpx.Client) -> None:
    for n in (1, None):
        done = http.post("/v1/chat/completions", json=_valid("/v1/chat/completions", n=n))
        assert done.status_code == 200, done.text
        assert len(done.json()["choices"]) == 1


def test_json_media_types() -> None:
    assert not_json_media_type("") is None
    assert not_json_media_type("application/json; charset=utf-8") is None
    assert not_json_media_type("application/merge-patch+json") is None
    assert not_json_media_type("Text/Plain; charset=utf-8") == "text/plain"
    assert not_json_media_type("multipart/form-data; boundary=x") == "multipart/form-data"
