"""What the load test asks and ingests, and what a well-formed answer is (issue #7).

Seed articles (three English, two Arabic, short on purpose), :data:`N_ARTICLES` tiny synthetic
articles (one chunk each, every fifth in Arabic, each naming a made-up town so exactly one
article answers its question), the questions asked under load, and :func:`answer_problems`, the
well-formedness check of a ``/v1/ask`` answer. :mod:`evals.load` runs the scenario.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

N_ARTICLES = 200
"""Articles posted by the ingest thread."""

N_ASKS = 20
"""Concurrent ``/v1/ask`` requests."""

TOKEN = "load-test-token-0123456789"

SEED_ARTICLES: list[dict[str, Any]] = [
    {
        "id": "seed/ecb-rate-cut",
        "title": "ECB cuts interest rates",
        "source": "Example Wire",
        "published_at": "2024-06-06",
        "language": "en",
        "text": (
            "The European Central Bank cut its key interest rate by a quarter point on Thursday, its "
            "first cut since 2019. ECB president Christine Lagarde said further cuts were not "
            "pre-committed. Inflation in the euro area was 2.6 percent in May."
        ),
    },
    {
        "id": "seed/brazil-floods",
        "title": "Floods in southern Brazil",
        "source": "Example Wire",
        "published_at": "2024-05-05",
        "language": "en",
        "text": (
            "Heavy rains caused severe flooding in southern Brazil this week. Thousands of residents "
            "of Porto Alegre were evacuated as the Guaiba river rose to a record level."
        ),
    },
    {
        "id": "seed/bike-lanes",
        "title": "Bike lanes approved",
        "source": "City Desk",
        "published_at": "2024-04-01",
        "language": "en",
        "text": (
            "The city council approved new protected bike lanes downtown. The lanes will open in "
            "May and cost 4 million dollars, the council said on Monday."
        ),
    },
    {
        "id": "seed/ar-putin-visit",
        "title": "بوتين في بيونغ يانغ",
        "source": "Example Wire",
        "published_at": "2024-06-18",
        "language": "ar",
        "text": (
            "شكر الرئيس الروسي فلاديمير بوتين كوريا الشمالية على دعمها لعمليات روسيا في أوكرانيا. "
            "ووصل بوتين إلى بيونغ يانغ يوم الثلاثاء لعقد قمة مع الزعيم كيم جونغ أون. "
            "وكان بوتين قد أرسل إلى كيم سيارة ليموزين فاخرة في وقت سابق من هذا العام."
        ),
    },
    {
        "id": "seed/ar-dates-harvest",
        "title": "موسم حصاد التمور",
        "source": "Example Wire",
        "published_at": "2024-08-01",
        "language": "ar",
        "text": (
            "بدأ موسم حصاد التمور في واحة الأحساء يوم الأحد. "
            "ويتوقع المزارعون إنتاج مئة ألف طن من التمور هذا العام. "
            "وتصدّر الواحة معظم إنتاجها إلى دول الخليج."
        ),
    },
]
"""Seed articles, short on purpose: the extractive answerer embeds every sentence of the top
passages, so long seeds would make the asks measure sentence embedding, not the API."""

_LATIN = [
    "vel",
    "mor",
    "tan",
    "kes",
    "dor",
    "lin",
    "bra",
    "sud",
    "ferr",
    "qua",
    "zol",
    "pim",
    "rav",
    "gal",
    "tor",
]
_LATIN_END = [
    "ora",
    "ith",
    "ane",
    "ovo",
    "ust",
    "ela",
    "amb",
    "ix",
    "eno",
    "ard",
    "ulm",
    "esk",
    "ion",
    "yra",
    "and",
]
_THINGS = (
    "library",
    "footbridge",
    "clinic",
    "swimming pool",
    "bakery school",
    "wind farm",
    "ferry pier",
    "observatory",
    "market hall",
    "tram depot",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_AR_NAMES = ("بر", "سل", "مد", "نو", "كا", "ري", "تا", "زي", "لو", "فا", "هم", "جو", "دا", "قي", "شم")
_AR_THINGS = ("مكتبة", "جسرا", "مستشفى", "مسبحا", "مدرسة", "مزرعة رياح", "مرفأ", "مرصدا", "سوقا", "محطة")
_AR_DAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")


@dataclass(frozen=True)
class LoadArticle:
    """A tiny synthetic article and the question its one fact answers.

    Attributes:
        article: The ``POST /v1/articles`` object (``id``, ``title``, ``text``, ``language``…).
        question: A question only this article answers.
        answer: A word or phrase the answer must contain.
    """

    article: dict[str, Any]
    question: str
    answer: str


def town_name(i: int) -> str:
    """A made-up Latin-script town name, distinct for ``0 <= i < 225``."""
    return (_LATIN[i % 15] + _LATIN_END[(i // 15) % 15]).capitalize()


def load_articles(n: int = N_ARTICLES) -> list[LoadArticle]:
    """``n`` tiny articles (one or two sentences: one chunk each), every fifth in Arabic.

    Ids are ``load/000`` … ``load/<n-1>``; each names a made-up town (distinct for ``n <= 225``)
    and one building it opened, so each has exactly one right answer.

    Raises:
        ValueError: ``n`` is larger than 225 (names would repeat).
    """
    if n > 225:
        raise ValueError("at most 225 distinct load articles")
    out: list[LoadArticle] = []
    for i in range(n):
        aid = f"load/{i:03d}"
        cost = 2 + (i * 7) % 90
        if i % 5 == 4:
            name = _AR_NAMES[i % 15] + _AR_NAMES[(i // 15) % 15] + "ان"
            thing = _AR_THINGS[i % 10]
            text = (
                f"افتتحت بلدة {name} {thing} جديدة يوم {_AR_DAYS[i % 7]}. "
                f"وقالت البلدية إن الكلفة بلغت {cost} مليون دولار."
            )
            art = {"id": aid, "title": f"بلدة {name}", "source": "Load Wire", "language": "ar", "text": text}
            out.append(LoadArticle(art, f"ماذا افتتحت بلدة {name}؟", thing))
        else:
            name = town_name(i)
            thing = _THINGS[i % 10]
            text = (
                f"The town of {name} opened a new {thing} on {_DAYS[i % 7]}. "
                f"Officials in {name} said it cost {cost} million dollars."
            )
            art = {
                "id": aid,
                "title": f"{name} opens a {thing}",
                "source": "Load Wire",
                "language": "en",
                "text": text,
            }
            out.append(LoadArticle(art, f"What did the town of {name} open?", thing))
    return out


@dataclass(frozen=True)
class AskSpec:
    """One ask of the load: the question, JSON or SSE, and the article it must cite (None: any).

    Attributes:
        question: The question.
        language: The language the answer must be in ("en" or "ar").
        stream: Ask for Server-Sent Events.
        expect_article: An article id that must be among the citations (None: no expectation).
    """

    question: str
    language: str
    stream: bool
    expect_article: str | None = None


SEED_QUESTIONS: tuple[tuple[str, str, str], ...] = (
    ("By how much did the ECB cut its key interest rate?", "en", "seed/ecb-rate-cut"),
    ("على ماذا شكر بوتين كوريا الشمالية؟", "ar", "seed/ar-putin-visit"),
    ("Which city's residents were evacuated in the Brazil floods?", "en", "seed/brazil-floods"),
    ("ماذا أرسل بوتين إلى كيم جونغ أون؟", "ar", "seed/ar-putin-visit"),
    ("How much will the downtown bike lanes cost?", "en", "seed/bike-lanes"),
    ("What was inflation in the euro area in May?", "en", "seed/ecb-rate-cut"),
    ("متى بدأ موسم حصاد التمور في واحة الأحساء؟", "ar", "seed/ar-dates-harvest"),
    ("Which river rose to a record level in southern Brazil?", "en", "seed/brazil-floods"),
    ("كم طنا من التمور يتوقع المزارعون إنتاجه هذا العام؟", "ar", "seed/ar-dates-harvest"),
    ("When will the new protected bike lanes open?", "en", "seed/bike-lanes"),
)
"""(question, answer language, article it must cite) about the seed articles."""


def load_asks(n: int = N_ASKS) -> list[AskSpec]:
    """``n`` asks cycling over :data:`SEED_QUESTIONS`, half of them SSE.

    The first cycle streams the odd positions, the second the even ones, so each question is
    asked both ways when ``n >= 2 × len(SEED_QUESTIONS)``.
    """
    m = len(SEED_QUESTIONS)
    out = []
    for i in range(n):
        question, language, article = SEED_QUESTIONS[i % m]
        out.append(AskSpec(question, language, (i + i // m) % 2 == 1, article))
    return out


# ------------------------------------------------------------------------------- well-formed


_MARKER = re.compile(r"\[(\d+)\]")


def answer_problems(payload: Any, language: str, texts: Mapping[str, str] | None = None) -> list[str]:
    """What is wrong with one ``/v1/ask`` answer (JSON body or the SSE ``answer`` event's data).

    Well-formed: ``answer`` a non-empty string; ``abstained`` a bool; ``language`` equal to
    ``language``; citations numbered 1..n without gaps or repeats; every ``[n]`` marker in the
    text has a citation and every citation's marker is in the text; an abstention cites nothing;
    when ``texts`` (article id → stored text) is given, every citation points to a known article
    and its quote is ``text[start:end]``.

    Args:
        payload: The decoded JSON.
        language: Expected answer language.
        texts: Stored article texts by id, or None to skip the article checks.

    Returns:
        Human-readable problems; empty when the answer is well-formed.
    """
    if not isinstance(payload, dict):
        return [f"answer is not a JSON object: {payload!r:.200}"]
    problems: list[str] = []
    text = payload.get("answer")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"empty or non-string answer: {text!r:.200}")
        text = ""
    if not isinstance(payload.get("abstained"), bool):
        problems.append(f"abstained is not a bool: {payload.get('abstained')!r}")
    if payload.get("language") != language:
        problems.append(f"language {payload.get('language')!r}, expected {language!r}")
    cites = payload.get("citations")
    if not isinstance(cites, list):
        return [*problems, f"citations is not a list: {cites!r:.200}"]
    numbers = [c.get("number") for c in cites if isinstance(c, dict)]
    if numbers != list(range(1, len(cites) + 1)):
        problems.append(f"citation numbers {numbers} are not 1..{len(cites)}")
    markers = {int(m) for m in _MARKER.findall(text)}
    if markers != set(numbers):
        problems.append(f"markers {sorted(markers)} in the text != citation numbers {numbers}")
    if payload.get("abstained") is True and cites:
        problems.append("an abstention carries citations")
    for c in cites:
        if not isinstance(c, dict):
            continue
        aid = str(c.get("article_id"))
        if texts is not None:
            if aid not in texts:
                problems.append(f"citation [{c.get('number')}] points to unknown article {aid!r}")
            elif texts[aid][c.get("start", 0) : c.get("end", 0)] != c.get("quote"):
                problems.append(f"citation [{c.get('number')}] quote is not the article's text[start:end]")
        if not str(c.get("quote") or "").strip():
            problems.append(f"citation [{c.get('number')}] has an empty quote")
    return problems


def seed_objects() -> list[dict[str, Any]]:
    """The seed articles (:data:`SEED_ARTICLES`), copied."""
    return [dict(a) for a in SEED_ARTICLES]
