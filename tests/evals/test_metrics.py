"""Every evaluation metric against values computed by hand."""

from __future__ import annotations

import pytest

from evals import metrics as m

# ------------------------------------------------------------------------------ retrieval

RANKED = ["a", "b", "a", "c", "d", "e", "f", "g", "h", "i", "j"]


def test_relevance_flags() -> None:
    assert m.relevance_flags(["a", "b", "a"], {"a"}) == [True, False, True]


@pytest.mark.parametrize(
    ("gold", "k", "hit"),
    [
        ({"a"}, 1, 1.0),
        ({"b"}, 1, 0.0),
        ({"b"}, 2, 1.0),
        ({"d"}, 4, 0.0),
        ({"d"}, 5, 1.0),
        ({"j"}, 10, 0.0),
        ({"zz"}, 10, 0.0),
    ],
)
def test_hit_at_k(gold: set[str], k: int, hit: float) -> None:
    assert m.hit_at_k(m.relevance_flags(RANKED, gold), k) == hit


def test_reciprocal_rank() -> None:
    assert m.reciprocal_rank_at_k(m.relevance_flags(RANKED, {"c"}), 10) == pytest.approx(1 / 4)
    assert m.reciprocal_rank_at_k(m.relevance_flags(RANKED, {"c", "b"}), 10) == pytest.approx(1 / 2)
    # rank 11 is outside the cut-off
    assert m.reciprocal_rank_at_k(m.relevance_flags(RANKED, {"j"}), 10) == 0.0
    assert m.reciprocal_rank_at_k([], 10) == 0.0


def test_mean_reciprocal_rank_over_queries() -> None:
    # Three queries with first relevant ranks 1, 3 and none: MRR = (1 + 1/3 + 0) / 3 = 4/9.
    rr = [m.reciprocal_rank_at_k(f, 10) for f in ([True], [False, False, True], [False] * 10)]
    assert m.mean(rr) == pytest.approx(4 / 9)


def test_evidence_recall_and_all_evidence() -> None:
    # gold {a, c, x}: a (rank 1) and c (rank 4) are in the top 4 → 2/3; x never → not all.
    assert m.evidence_recall_at_k(RANKED, {"a", "c", "x"}, 4) == pytest.approx(2 / 3)
    assert m.evidence_recall_at_k(RANKED, {"a", "c", "x"}, 3) == pytest.approx(1 / 3)
    assert m.all_evidence_at_k(RANKED, {"a", "c", "x"}, 10) == 0.0
    assert m.all_evidence_at_k(RANKED, {"a", "c"}, 4) == 1.0
    assert m.all_evidence_at_k(RANKED, {"a", "c"}, 3) == 0.0
    with pytest.raises(ValueError):
        m.evidence_recall_at_k(RANKED, set(), 10)


def test_chunk_rule_ignores_spaces_and_newlines() -> None:
    fact = "The trial started Tuesday."
    assert m.chunk_is_relevant("Intro. The trial\nstarted  Tuesday. More.", [fact])
    assert m.chunk_is_relevant("Thetrialstarted Tuesday.", [fact])
    assert not m.chunk_is_relevant("The trial started Monday.", [fact])
    assert not m.chunk_is_relevant("The trial", [fact])  # a fact cut by a chunk boundary is not contained
    assert not m.chunk_is_relevant("anything", [])  # null query: nothing is relevant
    assert not m.chunk_is_relevant("anything", [" \n"])  # an empty fact never matches
    # Case is kept, as in the official script.
    assert not m.chunk_is_relevant("the trial started tuesday.", [fact])


def test_chunk_level_hits_and_mrr_like_the_paper() -> None:
    facts = ["Fact one.", "Fact two."]
    chunks = ["x", "y", "z", "pre Fact  two. post", "Fact one."]
    flags = [m.chunk_is_relevant(c, facts) for c in chunks]
    assert flags == [False, False, False, True, True]
    assert m.hit_at_k(flags, 4) == 1.0
    assert m.hit_at_k(flags, 3) == 0.0
    assert m.reciprocal_rank_at_k(flags, 10) == pytest.approx(0.25)


# ------------------------------------------------------------------------------ normalisation


def test_normalize_answer_english_like_squad() -> None:
    assert m.normalize_answer("The  Denver Broncos!") == "denver broncos"
    assert m.normalize_answer("an apple, a pear") == "apple pear"
    assert m.normalize_answer("“Quoted” — text…") == "quoted text"


def test_normalize_answer_arabic() -> None:
    # tashkeel and tatweel stripped, alef forms folded, Arabic punctuation removed
    assert m.normalize_answer("مُحَمَّد") == "محمد"
    assert m.normalize_answer("كتـــاب") == "كتاب"
    assert m.normalize_answer("أحمد إبراهيم آمن ٱلله") == m.normalize_answer("احمد ابراهيم امن الله")
    assert m.normalize_answer("نعم، لا؛ لماذا؟ «حسنا»") == "نعم لا لماذا حسنا"
    # Arabic-Indic digits → ASCII
    assert m.normalize_answer("عام ١٩٥٨") == "عام 1958"
    # the definite article is optional by default, kept on request; short words keep it
    assert m.normalize_answer("الكتاب") == "كتاب"
    assert m.normalize_answer("الكتاب", strip_arabic_article=False) == "الكتاب"
    assert m.normalize_answer("الف") == "الف"
    # ى and ة are folded like Sanad's matcher folds them (rag.text.sentences.normalize)
    assert m.normalize_answer("مدرسة") == m.normalize_answer("مدرسه") == "مدرسه"
    assert m.normalize_answer("مستشفى") == "مستشفي"


def test_exact_match() -> None:
    assert m.exact_match("the Broncos.", ["Broncos", "Denver"]) == 1.0
    assert m.exact_match("Denver Broncos", ["Broncos"]) == 0.0
    assert m.exact_match("القاهرةُ", ["قاهرة"]) == 1.0


def test_f1_hand_computed() -> None:
    # pred tokens [denver, broncos, won], gold [broncos]: p = 1/3, r = 1 → F1 = 0.5
    assert m.f1_score("Denver Broncos won", ["Broncos"]) == pytest.approx(0.5)
    # max over golds: [denver, broncos] vs gold 2 = exact → 1.0
    assert m.f1_score("Denver Broncos", ["Panthers", "the Denver Broncos"]) == pytest.approx(1.0)
    # Arabic: pred [مدينة, قاهرة, كبرى] (articles dropped), gold [قاهرة] → p 1/3, r 1 → 0.5
    assert m.f1_score("مدينة القاهرة الكبرى", ["القاهرة"]) == pytest.approx(0.5)
    # bag overlap: pred [x, x], gold [x] → p 1/2, r 1 → 2/3
    assert m.f1_score("x x", ["x"]) == pytest.approx(2 / 3)
    assert m.f1_score("", ["x"]) == 0.0
    assert m.f1_score("", [""]) == 1.0


def test_containment() -> None:
    assert m.containment("He scored 308 points in total.", ["308"]) == 1.0
    assert m.containment("He scored 3080 points.", ["308"]) == 0.0  # token boundaries
    assert m.containment("وُلد في المدينةِ المنورة عام ١٩٥٨", ["مدينة المنورة", "1958"]) == 1.0
    assert m.containment("nothing here", ["Sam Bankman-Fried"]) == 0.0
    assert m.containment("Sam Bankman-Fried was tried", ["Sam Bankman-Fried"]) == 1.0
    assert m.containment("anything", ["the"]) == 0.0  # a gold that normalises to nothing never matches


# ------------------------------------------------------------------------------ answers, latency


def test_citation_precision_recall() -> None:
    assert m.citation_precision({"a", "b", "c"}, {"a", "x"}) == pytest.approx(1 / 3)
    assert m.citation_recall({"a", "b", "c"}, {"a", "x"}) == pytest.approx(1 / 2)
    assert m.citation_precision(set(), {"a"}) is None
    assert m.citation_recall({"a"}, set()) is None
    assert m.citation_precision(["a", "a"], ["a"]) == 1.0  # duplicates counted once


def test_rates_abstention_and_false_abstention() -> None:
    # 4 null queries, 3 abstained → 0.75; 5 answerable, 1 abstained → 0.2
    assert m.rate([True, True, False, True]) == pytest.approx(0.75)
    assert m.rate([False, False, True, False, False]) == pytest.approx(0.2)
    assert m.rate([]) is None


def test_language_match() -> None:
    assert m.language_match("ar", "ar")
    assert m.language_match("ar-EG", "AR")
    assert not m.language_match("en", "ar")


def test_mean_skips_none() -> None:
    assert m.mean([1.0, None, 0.0]) == pytest.approx(0.5)
    assert m.mean([None]) is None


def test_percentile_linear_like_numpy() -> None:
    values = [10.0, 20.0, 30.0, 40.0, 50.0]
    assert m.percentile(values, 50) == 30.0
    # rank (5-1)*0.95 = 3.8 → 40 + 0.8*10 = 48
    assert m.percentile(values, 95) == pytest.approx(48.0)
    assert m.percentile([7.0], 95) == 7.0
    assert m.percentile([], 50) is None
    assert m.percentile([3.0, 1.0, 2.0], 0) == 1.0
    with pytest.raises(ValueError):
        m.percentile(values, 101)


def test_abstention_precision_recall_by_hand() -> None:
    # 5 questions: 3 should be abstained on (T), the system abstains on q0, q1 and q3.
    abstained = [True, True, False, True, False]
    should = [True, False, True, True, False]
    # TP = 2 (q0, q3); precision 2/3, recall 2/3
    p, r = m.abstention_precision_recall(abstained, should)
    assert p == pytest.approx(2 / 3) and r == pytest.approx(2 / 3)
    assert m.abstention_precision_recall([False, False], [True, False]) == (None, 0.0)
    assert m.abstention_precision_recall([True], [False]) == (0.0, None)
    with pytest.raises(ValueError):
        m.abstention_precision_recall([True], [])


def test_gold_articles_quoted() -> None:
    assert m.gold_articles_quoted({"a", "b", "x"}, ["a", "b"]) == 1.0
    assert m.gold_articles_quoted({"a", "x"}, ["a", "b"]) == 0.0
    assert m.gold_articles_quoted({"a"}, ["a"]) == 1.0  # one gold article: quoting it suffices
    assert m.gold_articles_quoted({"a", "c"}, ["a", "b", "c"]) == 1.0


def test_short_answer_span_scores_arabic_by_mlqa_rule() -> None:
    # the span «١٢ هكتاراً» against the gold «12 هكتارا»: digits and tanween folded → EM 1
    assert m.exact_match("١٢ هكتاراً", ["12 هكتارا"]) == 1.0
    # «المستشفى الجديد» vs «مستشفى جديد»: article stripped, ى folded
    assert m.exact_match("المستشفى الجديد", ["مستشفي جديد"]) == 1.0
    assert m.f1_score("سبع عيادات جديدة", ["سبع عيادات"]) == pytest.approx(0.8)
