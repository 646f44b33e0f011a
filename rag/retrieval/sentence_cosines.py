"""Cross-lingual re-scoring by the best sentence's cosine (issue #14).

An English question about an Arabic page meets the page's sibling paragraphs with the same names,
so neither BM25 (blind across scripts) nor the cross-script keys (the siblings share every name)
can tell the paragraph that answers from its neighbours, and one chunk embedding averages five or
six sentences. On XQuAD en→ar DEV, 77 of the 128 dense top-1 misses were a sibling paragraph with
the gold at rank 2 or 3 (docs/results.md, issue 14). The sentence that states the asked fact is
closer to the question than the chunk as a whole, so when the question and one of the first
:data:`CROSS_SENTENCE_DEPTH` candidates are in different scripts (Arabic and Latin:
:func:`dominant_script`; the best one alone until session 7, when mixed collections showed the
same-language article on the topic first and the other-language one holding the fact second)
they are re-scored by their best sentence:
``score + weight × (best sentence cosine − the head's best)`` — the chunk holding the closest
sentence keeps its score, the others lose in proportion to how much farther their best
sentence is (MaxSim over sentences, after ColBERT's late interaction at sentence grain: Khattab &
Zaharia, SIGIR 2020).

Sentence vectors come from the embeddings cache, keyed by text like chunk vectors: the extractive
answerer embeds the same sentences of the passages it reads (:func:`sentence_texts` splits them as
it does), so offline answers pay for them once; the LLM path pays ~10 ms per uncached sentence, only
for cross-lingual questions. Measured on DEV (docs/results.md, session 6): XQuAD en→ar article hit@1
0.818 → 0.832, flat over depth 2–10 and weights 0.1–0.3 (×10 in this module's units); the same
re-scoring on Arabic questions over Arabic paragraphs gains only 0.935 → 0.940, not worth a sentence
embedding on every question.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import numpy as np

from rag.embedding.embedders import DocumentEmbeddings
from rag.text.sentences import sentence_spans

log = logging.getLogger(__name__)

CROSS_SENTENCE_DEPTH = 3
"""Candidates re-scored (the gold sibling is at rank 2 or 3 in most cross-lingual misses)."""

CROSS_SENTENCE_WEIGHT = 2.0
"""Fused-score points per unit of best-sentence cosine behind the head's best (a sentence 0.02
farther costs 0.04); DEV grid in the module docstring."""

MIN_SENTENCE_CHARS = 12
"""Shorter spans (list bullets, "(AP)") are not sentences to compare; the extractive answerer uses
the same floor, so both read the same sentences and share their cached vectors."""


_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")


def dominant_script(text: str) -> str | None:
    """``"arabic"`` or ``"latin"``, whichever has more letters in ``text`` (None for neither).

    Scripts, not detected languages, decide when to re-score: a short English question full of
    names ("What did Thomas Schmidt open in Hamburg?") is easily detected as German, but its
    script is never in doubt.
    """
    arabic, latin = len(_ARABIC_LETTER.findall(text)), len(_LATIN_LETTER.findall(text))
    if not arabic and not latin:
        return None
    return "arabic" if arabic > latin else "latin"


def sentence_texts(text: str) -> list[str]:
    """The sentences of a chunk's ``text`` that are compared (at least :data:`MIN_SENTENCE_CHARS`)."""
    return [text[a:b] for a, b in sentence_spans(text) if b - a >= MIN_SENTENCE_CHARS]


def best_sentence_cosines(
    vector: Sequence[float], texts: Sequence[str], embeddings: DocumentEmbeddings
) -> list[float] | None:
    """The best cosine between ``vector`` and a sentence of each text.

    Args:
        vector: The question's embedding (dimension d).
        texts: Chunk texts.
        embeddings: Passage embedder (cached); its vectors must share ``vector``'s space.

    Returns:
        One cosine in [-1, 1] per text (a text without a sentence gets -1.0), or None when the
        embedder fails: retrieval then keeps its ranking.
    """
    per_text = [sentence_texts(t) for t in texts]
    flat = [s for sents in per_text for s in sents]
    if not flat:
        return None
    try:
        vecs = np.asarray(embeddings.embed_documents(flat), dtype=np.float32)
    except Exception as exc:  # a broken remote embedder costs the re-scoring, never the search
        log.warning("retrieval: sentence embedding failed, ranking kept: %s", exc)
        return None
    q = np.asarray(vector, dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1) * (np.linalg.norm(q) or 1.0)
    cos = (vecs @ q) / np.where(norms > 0, norms, 1.0)
    out: list[float] = []
    pos = 0
    for sents in per_text:
        out.append(float(cos[pos : pos + len(sents)].max()) if sents else -1.0)
        pos += len(sents)
    return out


def rescore_head(
    fused: Sequence[tuple[str, float]],
    cosines: Sequence[float],
    weight: float = CROSS_SENTENCE_WEIGHT,
) -> list[tuple[str, float]]:
    """``fused`` with its first ``len(cosines)`` entries re-scored by their best sentence.

    Args:
        fused: ``(chunk_id, fused score)``, best first.
        cosines: :func:`best_sentence_cosines` of the head, index for index.
        weight: Score points per unit of cosine behind the head's best.

    Returns:
        ``fused`` with the head's scores moved by ``weight × (cosine − max cosine)``, re-sorted by
        score (stable for ties): a head chunk whose sentences are all far from the question can
        fall below the next candidates, as in the DEV measurement.
    """
    n = len(cosines)
    if n < 2:
        return list(fused)
    best = max(cosines)
    head = [(cid, score + weight * (c - best)) for (cid, score), c in zip(fused[:n], cosines, strict=True)]
    return sorted([*head, *fused[n:]], key=lambda kv: -kv[1])
