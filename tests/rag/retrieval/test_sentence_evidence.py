"""rag.retrieval.sentence_evidence and LexicalIndex.idf: hand-computed values."""

from __future__ import annotations

import math

import pytest

from rag.retrieval.lexical import LexicalIndex
from rag.retrieval.sentence_evidence import best_sentence_score


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build(
        [
            ("a", "Prosecutors accused the founder of fraud. The trial began on Tuesday.", "en"),
            ("b", "The founder spoke. Later, prosecutors talked. Fraud was mentioned once.", "en"),
            ("c", "Weather was sunny on Tuesday.", "en"),
        ]
    )


def test_idf_is_lucene_bm25_idf(index: LexicalIndex) -> None:
    idf = index.idf(["fraud", "tuesday", "sunni", "unknownword"])
    # fraud: df 2 of 3 chunks; tuesday: df 2; sunny (stemmed "sunni"): df 1.
    assert idf["fraud"] == pytest.approx(math.log(1 + (3 - 2 + 0.5) / (2 + 0.5)))
    assert idf["sunni"] == pytest.approx(math.log(1 + (3 - 1 + 0.5) / (1 + 0.5)))
    assert "unknownword" not in idf


def test_best_sentence_prefers_terms_together(index: LexicalIndex) -> None:
    terms = set(index.query_tokens("Which founder did prosecutors accuse of fraud?"))
    idf = index.idf(terms)
    together = best_sentence_score(
        "Prosecutors accused the founder of fraud. The trial began on Tuesday.", "en", terms, idf
    )
    scattered = best_sentence_score(
        "The founder spoke. Later, prosecutors talked. Fraud was mentioned once.", "en", terms, idf
    )
    # One sentence holds founder + prosecutor + accus + fraud; the other holds one term each.
    assert together == pytest.approx(sum(idf[t] for t in terms))
    assert scattered == pytest.approx(idf["founder"])  # = idf of prosecutor, of fraud (df 2)
    assert together > scattered
    assert best_sentence_score("Weather was sunny.", "en", terms, idf) == 0.0
