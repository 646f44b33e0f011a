"""Evaluation datasets (DEV halves) → corpus records for the ingest pipeline + questions with gold.

Six evaluation sets over four corpora (``../shared/data/README.md`` describes the files):

============  ======================  ==========================  ==========================
dataset       corpus                  questions                   gold unit
============  ======================  ==========================  ==========================
multihop      multihop_rag/corpus     multihop_rag/queries_dev    article ids + fact strings
xquad-ar      xquad/articles_ar_dev   xquad/questions_ar_dev      paragraph id
xquad-en-ar   xquad/articles_ar_dev   xquad/questions_en_dev      paragraph id (Arabic answer)
xquad-en      xquad/articles_en_dev   xquad/questions_en_dev      paragraph id
xquad-ar-en   xquad/articles_en_dev   xquad/questions_ar_dev      paragraph id (English answer)
arcd          arcd/articles_dev       arcd/questions_dev          paragraph id
============  ======================  ==========================  ==========================

Corpus files are read with :func:`ingest.readers.read_file`, the very reader ``sanad ingest``
uses, so an evaluation index holds exactly what a user's ingest of the same file would hold (and
shares its cached embeddings). XQuAD ids are language-neutral (the ar and en records of a
paragraph share an id), so XQuAD article ids get a ``"<lang>:"`` prefix here; the gold ids get the
same prefix. Every file is checked against ``MANIFEST_dev.json`` (row count and sha256) before use.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import SanadError

REPO_ROOT = Path(__file__).resolve().parents[1]

DATASETS: tuple[str, ...] = ("multihop", "xquad-ar", "xquad-en-ar", "xquad-en", "xquad-ar-en", "arcd")
"""The DEV sets (``sanad eval all`` runs these)."""

INVENTED_NEWS: tuple[str, ...] = (
    "invented-news",
    "invented-news-tune",
    "invented-news-heldout",
    "invented-news-heldout2",
)
"""Invented news articles shipped in ``evals/data`` (issue 12): short Arabic and English articles
(headline line, dateline, byline, a syndicated copy, diacritics, Arabic-Indic digits) whose asked
fact sits in a detail sentence after the lede, plus questions they do not answer. ``-tune`` is the
half the extractive answerer's rules were looked at on, ``-heldout`` (other articles) was only
scored (until its misses were read, session 5), ``-heldout2`` (six more articles, written before
the second round of rules) is only scored; ``invented-news`` is all of them. Gold: article ids
(as MultiHop) and answer strings. Loaded by :func:`load_dataset` like the DEV sets (``sanad eval
answers --dataset invented-news --no-negatives``); its index is tiny (28 articles, a few seconds to build)."""

INVENTED_NEWS_DIR = REPO_ROOT / "evals" / "data"
_ARABIC = re.compile("[\u0600-\u06ff]")

MULTIHOP_NULL_TYPE = "null_query"


class DatasetError(SanadError):
    """An evaluation file is missing, malformed or differs from ``MANIFEST_dev.json``."""


@dataclass(frozen=True)
class Question:
    """One evaluation question with its gold.

    Attributes:
        qid: Question id from the file (e.g. ``mhr-q0000``, ``56beb4343aeaaa14008c925b-ar``).
        text: The question.
        lang: BCP 47 code of the question.
        gold_ids: Ids of the gold articles as indexed (MultiHop: evidence articles, in order,
            without repeats; XQuAD/ARCD: the gold paragraph, language-prefixed for XQuAD).
            Empty for a MultiHop null query.
        answers: Gold answer strings (XQuAD en→ar: the Arabic span of the parallel question).
        question_type: MultiHop ``question_type`` (``inference_query`` …), else ``"extractive"``.
        facts: MultiHop evidence ``fact`` strings (verbatim sentences of the gold articles).
        answer_lang: Language of the gold answers.
    """

    qid: str
    text: str
    lang: str
    gold_ids: tuple[str, ...]
    answers: tuple[str, ...]
    question_type: str = "extractive"
    facts: tuple[str, ...] = ()
    answer_lang: str = "und"

    @property
    def is_null(self) -> bool:
        """True for a question the corpus cannot answer (the system should abstain)."""
        return self.question_type == MULTIHOP_NULL_TYPE


@dataclass(frozen=True)
class Dataset:
    """A loaded evaluation set.

    Attributes:
        name: One of :data:`DATASETS`.
        corpus: Name of the corpus (datasets sharing a corpus share an index), e.g. ``xquad-ar``.
        corpus_file: Path of the corpus JSONL.
        questions: The DEV questions (possibly limited).
        files: ``{relative path: sha256}`` of every file used, as checked against the manifest.
        id_prefix: Prefix added to every corpus record id (``"ar:"`` for XQuAD Arabic, else "").
    """

    name: str
    corpus: str
    corpus_file: Path
    questions: tuple[Question, ...]
    files: dict[str, str] = field(default_factory=dict)
    id_prefix: str = ""

    def records(self) -> Iterator[Any]:
        """Corpus records as :class:`ingest.readers.RawRecord` (or ``ReadProblem``), ids prefixed.

        Reads ``corpus_file`` with the same reader as ``sanad ingest``.
        """
        from ingest.readers import RawRecord, read_file

        for item in read_file(self.corpus_file):
            if isinstance(item, RawRecord) and self.id_prefix and item.record_id:
                item = dataclasses.replace(item, record_id=self.id_prefix + item.record_id)
            yield item


# name → (corpus name, corpus file, question file, id prefix)
_LAYOUT: dict[str, tuple[str, str, str, str]] = {
    "multihop": ("multihop", "multihop_rag/corpus.jsonl", "multihop_rag/queries_dev.jsonl", ""),
    "xquad-ar": ("xquad-ar", "xquad/articles_ar_dev.jsonl", "xquad/questions_ar_dev.jsonl", "ar:"),
    "xquad-en-ar": ("xquad-ar", "xquad/articles_ar_dev.jsonl", "xquad/questions_en_dev.jsonl", "ar:"),
    "xquad-en": ("xquad-en", "xquad/articles_en_dev.jsonl", "xquad/questions_en_dev.jsonl", "en:"),
    "xquad-ar-en": ("xquad-en", "xquad/articles_en_dev.jsonl", "xquad/questions_ar_dev.jsonl", "en:"),
    "arcd": ("arcd", "arcd/articles_dev.jsonl", "arcd/questions_dev.jsonl", ""),
}


_PARALLEL_ANSWERS: dict[str, str] = {
    "xquad-en-ar": "xquad/questions_ar_dev.jsonl",
    "xquad-ar-en": "xquad/questions_en_dev.jsonl",
}


def default_data_dir() -> Path:
    """The evaluation data directory: ``$SANAD_EVAL_DATA``, else ``<repo>/../shared/data``."""
    env = os.environ.get("SANAD_EVAL_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


def sha256_file(path: Path) -> str:
    """sha256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_manifest(data_dir: Path) -> dict[str, Any]:
    """The parsed ``MANIFEST_dev.json`` of ``data_dir``.

    Raises:
        DatasetError: the manifest is missing or not JSON.
    """
    path = data_dir / "MANIFEST_dev.json"
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise DatasetError(
            f"no MANIFEST_dev.json in {data_dir}: set SANAD_EVAL_DATA to the evaluation data directory"
        ) from exc
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path} is not valid JSON: {exc}") from exc


def verify_files(data_dir: Path, relpaths: list[str]) -> dict[str, str]:
    """Check files against the manifest (sha256 and row count).

    Args:
        data_dir: The evaluation data directory.
        relpaths: Paths relative to it, e.g. ``["arcd/articles_dev.jsonl"]``.

    Returns:
        ``{relative path: sha256}``.

    Raises:
        DatasetError: a file is missing, not in the manifest, or its checksum or row count differs.
    """
    manifest = load_manifest(data_dir).get("files", {})
    out: dict[str, str] = {}
    for rel in relpaths:
        path = data_dir / rel
        if not path.is_file():
            raise DatasetError(f"missing evaluation file {path}")
        entry = manifest.get(rel)
        if entry is None:
            raise DatasetError(f"{rel} is not listed in {data_dir / 'MANIFEST_dev.json'}")
        digest = sha256_file(path)
        if digest != entry.get("sha256"):
            raise DatasetError(f"{path}: sha256 {digest} differs from the manifest's {entry.get('sha256')}")
        rows = sum(1 for line in path.open(encoding="utf-8") if line.strip())
        if "rows" in entry and rows != int(entry["rows"]):
            raise DatasetError(f"{path}: {rows} rows, the manifest says {entry['rows']}")
        out[rel] = digest
    return out


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every JSON object of a JSONL file (blank lines skipped).

    Raises:
        DatasetError: a line is not a JSON object.
    """
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path}:{n}: invalid JSON: {exc}") from exc
            if not isinstance(obj, dict):
                raise DatasetError(f"{path}:{n}: expected a JSON object")
            rows.append(obj)
    return rows


def multihop_questions(rows: list[dict[str, Any]]) -> list[Question]:
    """MultiHop-RAG query rows → questions (gold = evidence article ids, first-seen order)."""
    out: list[Question] = []
    for row in rows:
        evidence = row.get("evidence") or []
        gold: list[str] = []
        for ev in evidence:
            if ev["article_id"] not in gold:
                gold.append(ev["article_id"])
        out.append(
            Question(
                qid=row["id"],
                text=row["question"],
                lang="en",
                gold_ids=tuple(gold),
                answers=(str(row["answer"]),),
                question_type=row["question_type"],
                facts=tuple(ev["fact"] for ev in evidence),
                answer_lang="en",
            )
        )
    return out


def paragraph_questions(
    rows: list[dict[str, Any]], id_prefix: str, answers_from: list[dict[str, Any]] | None = None
) -> list[Question]:
    """XQuAD/ARCD question rows → questions whose gold is the paragraph id.

    Args:
        rows: Question rows (``id``, ``question``, ``lang``, ``paragraph_id``, ``answers``).
        id_prefix: Prefix of the indexed paragraph ids (``"ar:"`` for XQuAD Arabic).
        answers_from: For cross-lingual XQuAD, the parallel rows whose answers are gold (matched
            on ``source_id``); None to use each row's own answers.

    Raises:
        DatasetError: a parallel question is missing.
    """
    parallel: dict[str, dict[str, Any]] = {}
    if answers_from is not None:
        parallel = {r["source_id"]: r for r in answers_from}
    out: list[Question] = []
    for row in rows:
        source = row
        if answers_from is not None:
            found = parallel.get(row["source_id"])
            if found is None:
                raise DatasetError(f"no parallel question for {row['id']}")
            source = found
        out.append(
            Question(
                qid=row["id"],
                text=row["question"],
                lang=row.get("lang") or "und",
                gold_ids=(id_prefix + row["paragraph_id"],),
                answers=tuple(a["text"] for a in source.get("answers", [])),
                answer_lang=source.get("lang") or "und",
            )
        )
    return out


def load_dataset(
    name: str, data_dir: Path | None = None, limit: int | None = None, verify: bool = True
) -> Dataset:
    """Load one evaluation set.

    Args:
        name: One of :data:`DATASETS`.
        data_dir: The data directory; default :func:`default_data_dir`.
        limit: Keep only the first ``limit`` questions (file order; DEV only ever).
        verify: Check sha256 and row counts against ``MANIFEST_dev.json``.

    Returns:
        The dataset.

    Raises:
        DatasetError: unknown name, missing or changed files.
    """
    if name in INVENTED_NEWS:
        return invented_news(name, limit)
    if name not in _LAYOUT:
        raise DatasetError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS + INVENTED_NEWS)}")
    root = data_dir or default_data_dir()
    corpus, corpus_rel, questions_rel, prefix = _LAYOUT[name]
    rels = [corpus_rel, questions_rel]
    # Cross-lingual sets take their gold answers from the parallel question in the corpus's language.
    parallel_rel = _PARALLEL_ANSWERS.get(name)
    if parallel_rel:
        rels.append(parallel_rel)
    files = verify_files(root, rels) if verify else {}
    rows = read_jsonl(root / questions_rel)
    if name == "multihop":
        questions = multihop_questions(rows)
    else:
        parallel_rows = read_jsonl(root / parallel_rel) if parallel_rel else None
        questions = paragraph_questions(rows, prefix, parallel_rows)
    if limit is not None:
        questions = questions[: max(limit, 0)]
    return Dataset(name, corpus, root / corpus_rel, tuple(questions), files, prefix)


def load_multihop_files(corpus_file: Path, queries_file: Path, name: str = "multihop") -> Dataset:
    """A MultiHop-format dataset from explicit files, unverified (used for the test slice).

    Args:
        corpus_file: Articles JSONL (``id``, ``title``, ``source``, ``url``, ``published_at``, ``body``).
        queries_file: Queries JSONL in the MultiHop ``queries_dev.jsonl`` format.
        name: Dataset name (also the corpus name).
    """
    questions = multihop_questions(read_jsonl(queries_file))
    return Dataset(name, name, corpus_file, tuple(questions), {}, "")


def invented_news(name: str = "invented-news", limit: int | None = None) -> Dataset:
    """The invented news set (:data:`INVENTED_NEWS`), all of it or one half.

    Questions (``invented_news_questions.jsonl``): ``id``, ``split`` ("tune", "heldout" or "heldout2"),
    ``question``, ``lang``, ``gold_ids`` (article ids; empty for a question the articles do not
    answer, ``question_type`` "null_query"), ``answers``. Articles
    (``invented_news_articles.jsonl``): MultiHop's corpus fields, read by ``sanad ingest``'s reader.

    Raises:
        DatasetError: unknown name, or a question row lacks a field.
    """
    if name not in INVENTED_NEWS:
        raise DatasetError(f"unknown invented news set {name!r}; choose one of {', '.join(INVENTED_NEWS)}")
    split = name.removeprefix("invented-news").lstrip("-")
    qpath = INVENTED_NEWS_DIR / "invented_news_questions.jsonl"
    corpus = INVENTED_NEWS_DIR / "invented_news_articles.jsonl"
    questions: list[Question] = []
    for n, row in enumerate(read_jsonl(qpath), 1):
        try:
            if split and row["split"] != split:
                continue
            questions.append(
                Question(
                    qid=row["id"],
                    text=row["question"],
                    lang=row["lang"],
                    gold_ids=tuple(row["gold_ids"]),
                    answers=tuple(row["answers"]),
                    question_type=row["question_type"],
                    answer_lang="ar" if _ARABIC.search("".join(row["answers"])) else "en",
                )
            )
        except KeyError as exc:
            raise DatasetError(f"{qpath}:{n}: missing field {exc}") from exc
    if limit is not None:
        questions = questions[: max(limit, 0)]
    files = {str(p.relative_to(REPO_ROOT)): sha256_file(p) for p in (corpus, qpath)}
    return Dataset(name, "invented-news", corpus, tuple(questions), files, "")
