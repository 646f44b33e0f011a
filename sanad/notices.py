"""What ``sanad ask``/``search`` say when there is nothing to show, in the question's language.

Two cases a newcomer met in silence: a search whose filters leave nothing printed nothing at all,
and ``sanad ask`` run from another folder answered "I couldn't find that" from an empty store it
had just created in ./data. Both now say what happened: which filters applied, and which data
directory holds no articles (with the setting that moves it). Arabic questions get Arabic
messages (:func:`rag.text.language.detect_language`); every other language gets English.
"""

from __future__ import annotations

from pathlib import Path

from rag.text.language import detect_language
from rag.types import Filters

_NO_RESULTS = {
    "en": "No results for this search{filters}.",
    "ar": "لا نتائج لهذا البحث{filters}.",
}
_WITH_FILTERS = {"en": " with the filters {flags}", "ar": " مع المرشّحات {flags}"}
_NO_ARTICLES = {
    "en": (
        "No articles to answer from: the data directory {where} {state}. Ingest articles first "
        "(sanad ingest PATH), or point SANAD_DATA_DIR at the directory that holds them."
    ),
    "ar": (
        "لا مقالات للإجابة منها: مجلد البيانات {where} {state}. أدخِل المقالات أولًا "
        "(sanad ingest PATH)، أو اضبط SANAD_DATA_DIR على المجلد الذي يحويها."
    ),
}
_STATE = {
    ("en", False): "does not exist",
    ("en", True): "holds none",
    ("ar", False): "غير موجود",
    ("ar", True): "لا يحوي أي مقال",
}


def _language(text: str) -> str:
    return "ar" if detect_language(text).split("-")[0] == "ar" else "en"


def filter_flags(filters: Filters) -> str:
    """The filters as the command-line flags that set them, e.g. "--since 2024-01-01 --language ar"."""
    flags = [f"--source {s}" for s in filters.sources] + [f"--language {lang}" for lang in filters.languages]
    if filters.published_from:
        flags.append(f"--since {filters.published_from}")
    if filters.published_to:
        flags.append(f"--until {filters.published_to}")
    return " ".join(flags)


def no_results(query: str, filters: Filters) -> str:
    """One sentence saying a search found nothing, naming the filters that applied.

    Args:
        query: The search text (its language picks the message's).
        filters: The filters of the search.

    Returns:
        E.g. "No results for this search with the filters --since 2024-01-01 --until 2024-01-31."
    """
    language = _language(query)
    flags = filter_flags(filters)
    applied = _WITH_FILTERS[language].format(flags=flags) if flags else ""
    return _NO_RESULTS[language].format(filters=applied)


def no_articles(question: str, data_dir: Path, exists: bool) -> str:
    """Two sentences saying the store holds no articles, naming the data directory (absolute).

    Args:
        question: The question or search text (its language picks the message's).
        data_dir: ``settings.data_dir``.
        exists: Whether the directory exists (then it holds no articles).
    """
    language = _language(question)
    state = _STATE[(language, exists)]
    return _NO_ARTICLES[language].format(where=data_dir.expanduser().resolve(), state=state)
