"""The HTTP API through a real uvicorn server on 127.0.0.1, over a real store."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from api.auth import check_bind, is_loopback
from api.client import SanadAPIError, SanadClient, iter_sse
from api.server import create_app, run
from rag.errors import ConfigError
from rag.settings import load_settings
from sanad.app import Sanad
from tests.api.conftest import AR_QUESTION, TOKEN, ApiEnv, ServerThread, wait_ready
from tests.fixtures.fake_openai import FakeOpenAI


def _error(response: httpx.Response, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}, body
    return dict(body["error"])


# ---------------------------------------------------------------------------- health and docs


def test_health_ready_docs_and_ui(api_env: ApiEnv) -> None:
    assert api_env.client.healthz().status == "ok"
    assert api_env.client.readyz().status == "ready"
    assert httpx.get(f"{api_env.url}/docs").status_code == 200
    schema = httpx.get(f"{api_env.url}/openapi.json").json()
    assert {"/v1/ask", "/v1/search", "/v1/articles", "/v1/chat/completions"} <= set(schema["paths"])
    ui = httpx.get(f"{api_env.url}/")
    assert ui.status_code == 200 and "<html" in ui.text.lower()


# ------------------------------------------------------------------------------------- auth


def test_auth_required_and_refused(api_env: ApiEnv) -> None:
    body = {"question": "What did the ECB do?"}
    missing = httpx.post(f"{api_env.url}/v1/ask", json=body)
    assert _error(missing, 401)["type"] == "unauthorized"
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = httpx.post(f"{api_env.url}/v1/ask", json=body, headers={"Authorization": "Bearer nope"})
    assert _error(wrong, 403)["type"] == "forbidden"
    basic = httpx.get(f"{api_env.url}/v1/articles", headers={"Authorization": f"Basic {TOKEN}"})
    _error(basic, 401)
    with SanadClient(api_env.url, token="wrong") as bad, pytest.raises(SanadAPIError) as err:
        bad.list_articles()
    assert err.value.status == 403


def test_refuses_public_bind_without_token() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.com")
    check_bind("127.0.0.1", None)
    check_bind("0.0.0.0", "secret")
    with pytest.raises(ConfigError, match="SANAD_API__TOKEN"):
        check_bind("0.0.0.0", None)
    with pytest.raises(ConfigError):
        settings = load_settings(api={"token": None})
        run(Sanad(settings), settings, host="0.0.0.0", port=0)


# ------------------------------------------------------------------------------------- ask


def test_ask_json_arabic_with_citations(api_env: ApiEnv) -> None:
    reply = api_env.client.ask(AR_QUESTION)
    assert not reply.abstained and reply.language == "ar"
    assert reply.citations and "[1]" in reply.answer
    assert reply.fallback is False and reply.model == "extractive"
    first = reply.citations[0]
    article = api_env.client.get_article(first.article_id)
    assert first.quote and article.text[first.start : first.end] == first.quote
    assert reply.retrieval and reply.retrieval[0].score > 0
    assert reply.timing_ms["total"] > 0


def test_ask_sse_event_by_event(api_env: ApiEnv) -> None:
    events = list(api_env.client.ask_stream("What did the European Central Bank do?"))
    names = [e.event for e in events]
    assert names[-2:] == ["answer", "done"] and names.count("answer") == 1
    assert names[0] == "delta" and set(names[:-2]) == {"delta"}
    answer = events[-2].data
    assert "".join(e.data["text"] for e in events[:-2]).strip()
    assert answer["citations"] and answer["citations"][0]["article_id"] == "news/ecb-rate-cut"
    assert answer["citations"][0]["url"] == "https://example.com/ecb?a=1&b=2"


def test_ask_stream_flag_in_body(http: httpx.Client) -> None:
    with http.stream("POST", "/v1/ask", json={"question": AR_QUESTION, "stream": True}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = list(iter_sse(response.iter_lines()))
    assert [e.event for e in events][-2:] == ["answer", "done"]
    assert events[-2].data["citations"]


def test_ask_with_history_and_filters(api_env: ApiEnv) -> None:
    reply = api_env.client.ask(
        "How many residents were evacuated?",
        [{"role": "user", "text": "Tell me about the floods in Brazil"}],
        k=3,
        filters={"languages": ["en"], "published_from": "2024-05-01"},
    )
    assert all(c.article_id == "news/brazil-floods" for c in reply.citations), [
        c.article_id for c in reply.citations
    ]
    assert len(reply.retrieval) <= 3


# ------------------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"question": "q", "k": -1}, "k"),
        ({"question": "q", "k": 10000}, "k"),
        ({"question": "q", "filters": {"source": ["x"]}}, "filters.source"),
        ({"question": ""}, "question"),
        ({"question": "   "}, "question"),
        ({"question": "q" * 10_000}, "question"),
        ({"question": "q", "filters": {"published_from": "yesterday"}}, "published_from"),
        ({"question": "q", "history": [{"role": "system", "text": "x"}]}, "history"),
        ({"question": "q", "temperature": 1}, "temperature"),
        ({}, "question"),
    ],
)
def test_ask_bad_fields_are_422(http: httpx.Client, body: dict[str, object], field: str) -> None:
    err = _error(http.post("/v1/ask", json=body), 422)
    assert err["type"] == "validation_error" and field in err["message"], err


def test_bad_json_and_bad_query(http: httpx.Client) -> None:
    bad = http.post("/v1/ask", content=b"{not json", headers={"Content-Type": "application/json"})
    assert _error(bad, 400)["type"] == "bad_request"
    assert "limit" in _error(http.get("/v1/articles", params={"limit": 0}), 422)["message"]
    assert _error(http.post("/v1/search", json={"query": "x", "k": 0}), 422)


def test_oversized_bodies_are_413(http: httpx.Client, api_env: ApiEnv) -> None:
    big = {"question": "q", "history": [{"role": "user", "text": "x" * 19_000}] * 5}
    err = _error(http.post("/v1/ask", json=big), 413)
    assert err["type"] == "payload_too_large" and "65536" in err["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        yield b'{"question": "q", "history": ['
        for _ in range(100):
            yield b'{"role": "user", "text": "' + b"y" * 1000 + b'"},'
        yield b'{"role": "user", "text": "z"}]}'

    chunked = http.post("/v1/ask", content=chunks(), headers={"Content-Type": "application/json"})
    _error(chunked, 413)
    upload = http.post("/v1/articles", json={"articles": [{"text": "w " * 150_000}]})
    assert "262144" in _error(upload, 413)["message"]
    # still serving afterwards
    assert api_env.client.healthz().status == "ok"


# ----------------------------------------------------------------------------------- search


def test_search_ranks_with_scores_and_filters(api_env: ApiEnv) -> None:
    hits = api_env.client.search("Porto Alegre flooding evacuated", k=3).results
    assert 1 <= len(hits) <= 3
    assert hits[0].article_id == "news/brazil-floods" and hits[0].rank == 1
    assert hits[0].score >= hits[-1].score
    assert hits[0].dense_score is not None and hits[0].lexical_rank == 1
    arabic = api_env.client.search("بوتين", k=5, filters={"languages": ["ar"]}).results
    assert arabic and {h.language for h in arabic} == {"ar"}


# --------------------------------------------------------------------------------- articles


def test_list_and_get_articles(api_env: ApiEnv) -> None:
    page = api_env.client.list_articles(limit=2)
    assert page.total >= 4 and len(page.items) == 2 and page.limit == 2
    ids = {a.article_id for a in api_env.client.list_articles(limit=500).items}
    assert {"news/ecb-rate-cut", "news/brazil-floods"} <= ids
    generated = [i for i in api_env.english_ids if i.startswith("api-")]
    assert len(generated) == 1 and generated[0] in ids  # no id and no URL: a content-hash id
    ecb = api_env.client.get_article("news/ecb-rate-cut")
    assert ecb.title == "ECB cuts interest rates" and ecb.chunks == len(ecb.chunk_ids) >= 1
    assert ecb.published_at == "2024-06-06" and "Lagarde" in ecb.text


def test_unknown_article_is_404(http: httpx.Client, api_env: ApiEnv) -> None:
    assert _error(http.get("/v1/articles/no-such-article"), 404)["type"] == "not_found"
    assert _error(http.delete("/v1/articles/no-such-article"), 404)["type"] == "not_found"
    with pytest.raises(SanadAPIError) as err:
        api_env.client.get_article("missing/with/slashes")
    assert err.value.status == 404 and err.value.type == "not_found"


def test_post_invalid_articles(http: httpx.Client, api_env: ApiEnv) -> None:
    none_ok = http.post("/v1/articles", json={"articles": [{"title": "no body"}, "a string"]})
    message = _error(none_ok, 400)["message"]
    assert "api[0]" in message and "missing article body" in message and "api[1]" in message
    _error(http.post("/v1/articles", json={"articles": []}), 422)
    _error(http.post("/v1/articles", json=[{"text": "x"}]), 422)
    mixed = api_env.client.add_articles(
        [{"id": "news/ecb-rate-cut", **{k: v for k, v in _ecb().items() if k != "id"}}, {"body": ""}]
    )
    assert mixed.unchanged == 1 and mixed.failed == 1 and mixed.failures[0].where == "api[1]"


def _ecb() -> dict[str, object]:
    from tests.api.conftest import ENGLISH_ARTICLES

    return dict(ENGLISH_ARTICLES[0])


def test_delete_removes_article_and_chunks(api_env: ApiEnv) -> None:
    article = {
        "id": "tmp/volcano",
        "title": "Volcano erupts in Iceland",
        "text": "A volcano erupted on the Reykjanes peninsula in Iceland, sending lava toward Grindavik.",
        "url": "https://example.com/volcano",
    }
    report = api_env.client.add_articles([article])
    assert report.added == 1 and report.article_ids == ["tmp/volcano"]
    hits = api_env.client.search("Reykjanes volcano lava Grindavik", k=3).results
    assert hits[0].article_id == "tmp/volcano"
    api_env.client.delete_article("tmp/volcano")
    with pytest.raises(SanadAPIError) as err:
        api_env.client.get_article("tmp/volcano")
    assert err.value.status == 404
    after = api_env.client.search("Reykjanes volcano lava Grindavik", k=10).results
    assert all(h.article_id != "tmp/volcano" for h in after)
    assert not set(api_env.sanad.catalog.chunk_ids()) & {
        h.chunk_id for h in hits if h.article_id == "tmp/volcano"
    }


# ------------------------------------------------------------------------------ the LLM path


@pytest.fixture(scope="module")
def llm_api(api_env: ApiEnv, fake_llm_server: FakeOpenAI) -> Iterator[str]:
    """A second server over the same store whose chain calls the fake OpenAI server."""
    settings = load_settings(
        data_dir=api_env.settings.data_dir,
        llm={"base_url": fake_llm_server.base_url, "api_key": "x", "model": "fake-model", "max_retries": 0},
    )
    server = ServerThread(create_app(Sanad(settings), settings, mount_ui=False))
    url = server.start()
    wait_ready(url)
    yield url
    server.stop()


def test_llm_answer_with_citations(llm_api: str, fake_llm: FakeOpenAI) -> None:
    fake_llm.enqueue("شكر بوتين كوريا الشمالية على دعمها لتصرفات روسيا في أوكرانيا [1].")
    reply = httpx.post(f"{llm_api}/v1/ask", json={"question": AR_QUESTION}, timeout=60).json()
    assert reply["fallback"] is False and reply["model"] == "fake-model"
    assert "[1]" in reply["answer"] and reply["citations"][0]["number"] == 1
    assert len(fake_llm.requests) == 1


def test_llm_citations_are_one_per_article_in_json_and_sse(llm_api: str, fake_llm: FakeOpenAI) -> None:
    fake_llm.enqueue("Thanked [1]. Sanctions [2]. Summit [3].")
    reply = httpx.post(f"{llm_api}/v1/ask", json={"question": AR_QUESTION}, timeout=60).json()
    first3 = [r["article_id"] for r in reply["retrieval"][:3]]
    articles = list(dict.fromkeys(first3))  # passages [1]..[3], one citation per distinct article
    assert [c["article_id"] for c in reply["citations"]] == articles
    for c in reply["citations"]:
        assert len(c["more_quotes"]) == first3.count(c["article_id"]) - 1
        assert c["also_in"] == [] and all(q["article_id"] == c["article_id"] for q in c["more_quotes"])
    assert "short_answer" in reply and reply["short_answer"] is None  # the LLM path gives no span
    fake_llm.enqueue("Thanked [1]. Sanctions [2]. Summit [3].")
    with httpx.stream(
        "POST", f"{llm_api}/v1/ask", json={"question": AR_QUESTION, "stream": True}, timeout=60
    ) as response:
        body = "".join(response.iter_text())
    final = next(
        json.loads(block.split("data: ", 1)[1])
        for block in body.split("\n\n")
        if block.startswith("event: answer")
    )
    assert final["citations"] == reply["citations"] and "short_answer" in final


def test_llm_failure_falls_back(llm_api: str, fake_llm: FakeOpenAI) -> None:
    fake_llm.enqueue_error(500)
    response = httpx.post(f"{llm_api}/v1/ask", json={"question": AR_QUESTION}, timeout=60)
    assert response.status_code == 200
    reply = response.json()
    assert reply["fallback"] is True and reply["citations"] and reply["notice"]


def test_unknown_paths_wrong_methods_and_bad_json_are_json_errors(http: httpx.Client) -> None:
    nope = http.get("/v1/nope")
    assert nope.status_code == 404 and nope.json()["error"]["type"] == "not_found"
    wrong = http.get("/v1/ask")
    assert wrong.status_code == 405 and "POST" in wrong.headers["allow"]
    assert wrong.json()["error"]["type"] == "method_not_allowed"
    bad = http.post("/v1/ask", content=b'{"question": "x",', headers={"content-type": "application/json"})
    assert bad.status_code == 400 and "not valid JSON" in bad.json()["error"]["message"]
