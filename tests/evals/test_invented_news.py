"""The invented news set (issue 12) loads, its halves do not share articles, and every gold answer
is in a gold article."""

from __future__ import annotations

import json

from evals.datasets import INVENTED_NEWS_DIR, load_dataset
from evals.metrics import containment


def _articles() -> dict[str, str]:
    path = INVENTED_NEWS_DIR / "invented_news_articles.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["id"]: r["body"] for r in rows}


def test_halves_split_the_questions_and_the_articles() -> None:
    everything = load_dataset("invented-news")
    tune = load_dataset("invented-news-tune")
    held = load_dataset("invented-news-heldout")
    assert len(tune.questions) + len(held.questions) == len(everything.questions) >= 60
    assert tune.corpus == held.corpus == "invented-news"
    tune_articles = {g for q in tune.questions for g in q.gold_ids}
    held_articles = {g for q in held.questions for g in q.gold_ids}
    assert tune_articles and held_articles and not tune_articles & held_articles
    assert sum(q.is_null for q in everything.questions) >= 10
    assert {q.lang for q in everything.questions} == {"ar", "en"}


def test_every_gold_answer_is_in_its_gold_articles() -> None:
    bodies = _articles()
    for q in load_dataset("invented-news").questions:
        for article in q.gold_ids:
            assert containment(bodies[article], q.answers), (q.qid, article)
