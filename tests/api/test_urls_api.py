"""Article URLs at the API edge: only http(s); ``javascript:`` and friends are a 422 naming the field."""

from __future__ import annotations

import httpx
import pytest


def _error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    return str(response.json()["error"]["message"])


@pytest.mark.parametrize(
    ("article", "field"),
    [
        ({"id": "u/1", "body": "Text of a story.", "url": "javascript:alert(1)"}, "api[0].url"),
        ({"id": "u/1", "body": "Text of a story.", "url": " JAVASCRIPT:alert(1)"}, "api[0].url"),
        ({"id": "u/1", "body": "Text of a story.", "url": "data:text/html,<b>x</b>"}, "api[0].url"),
        ({"id": "u/1", "body": "Text of a story.", "link": "file:///etc/passwd"}, "api[0].link"),
        ({"id": "u/1", "body": "Text of a story.", "href": "/relative"}, "api[0].href"),
        ({"id": "u/1", "body": "Text of a story.", "url": 42}, "api[0].url"),
    ],
)
def test_articles_with_non_web_urls_are_422(
    http: httpx.Client, article: dict[str, object], field: str
) -> None:
    message = _error(http.post("/v1/articles", json={"articles": [article]}), 422)
    assert field in message and "http(s) URL" in message
    assert http.get("/v1/articles/u/1").status_code == 404  # nothing stored


def test_a_web_url_is_stored_and_returned(http: httpx.Client) -> None:
    article = {"id": "u/2", "body": "The harbour reopened.", "url": "https://news.example/harbour"}
    assert http.post("/v1/articles", json={"articles": [article]}).status_code == 200
    assert http.get("/v1/articles/u/2").json()["url"] == "https://news.example/harbour"
    blank = {"id": "u/3", "body": "The bridge was painted.", "url": ""}
    assert http.post("/v1/articles", json={"articles": [blank]}).status_code == 200
    assert http.get("/v1/articles/u/3").json()["url"] is None
    http.delete("/v1/articles/u/2")
    http.delete("/v1/articles/u/3")
