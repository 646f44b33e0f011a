"""The invented news set (issue 12) loads, its splits do not share articles, and every gold answer
is in a gold article."""

from __future__ import annotations

import json

from evals.datasets import INVENTED_NEWS_DIR, load_dataset
from evals.metrics import containment


def _articles() -> dict[str, str]:
    path = INVENTED_NEWS_DIR / "invented_news_articles.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["id"]: r["body"] for r in rows}


def test_splits_share_no_articles() -> None:
    everything = load_dataset("invented-news")
    tune = load_dataset("invented-news-tune")
    held = load_dataset("invented-news-heldout")
    held2 = load_dataset("invented-news-heldout2")
    halves = (tune, held, held2)
    assert sum(len(h.questions) for h in halves) == len(everything.questions) >= 80
    assert {h.corpus for h in halves} == {"invented-news"}
    articles = [{g for q in h.questions for g in q.gold_ids} for h in halves]
    assert all(articles)
    assert not articles[0] & articles[1] and not articles[0] & articles[2] and not articles[1] & articles[2]
    assert sum(q.is_null for q in everything.questions) >= 10
    assert {q.lang for q in everything.questions} == {"ar", "en"}


def test_every_gold_answer_is_in_its_gold_articles() -> None:
    bodies = _articles()
    for q in load_dataset("invented-news").questions:
        for article in q.gold_ids:
            assert containment(bodies[article], q.answers), (q.qid, article)
