"""Dates at the API edge (#13): impossible dates are a 422 naming the field, never stored."""

from __future__ import annotations

import httpx
import pytest


def _error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    return str(response.json()["error"]["message"])


@pytest.mark.parametrize(
    ("article", "field"),
    [
        ({"body": "Text of a story.", "published_at": "not a date"}, "api[0].published_at"),
        ({"body": "Text of a story.", "date": "2024-02-30"}, "api[0].date"),
        ({"body": "Text of a story.", "published_at": 0}, "api[0].published_at"),
        ({"body": "Text of a story.", "published_at": ["2024-01-01"]}, "api[0].published_at"),
    ],
)
def test_articles_with_impossible_dates_are_422(
    http: httpx.Client, article: dict[str, object], field: str
) -> None:
    assert field in _error(http.post("/v1/articles", json={"articles": [article]}), 422)


@pytest.mark.parametrize("value", [0, "not a date", "2024-13-01", "01/04/2024"])
def test_filter_dates_must_be_calendar_days(http: httpx.Client, value: object) -> None:
    body = {"query": "x", "filters": {"published_from": value}}
    assert "published_from" in _error(http.post("/v1/search", json=body), 422)


def test_a_hijri_date_is_accepted_and_stored_as_gregorian(http: httpx.Client) -> None:
    article = {
        "id": "hijri-dates/1",
        "title": "موعد صلاة العيد",
        "published_at": "١٥ رمضان ١٤٤٥ هـ",
        "body": "أعلنت الوزارة مواعيد صلاة العيد في المساجد الكبرى.",
    }
    assert http.post("/v1/articles", json={"articles": [article]}).status_code == 200
    stored = http.get("/v1/articles/hijri-dates/1").json()
    assert stored["published_at"] == "2024-03-25"
    http.delete("/v1/articles/hijri-dates/1")
