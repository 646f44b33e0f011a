"""LangChain's ``BaseRetriever`` seam over :class:`rag.retrieval.retriever.HybridRetriever`."""

from __future__ import annotations

import dataclasses
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.retrieval.retriever import HybridRetriever
from rag.types import Filters, Retrieved


def retrieved_to_document(item: Retrieved) -> Document:
    """A LangChain ``Document``: the chunk text, its fields as metadata, plus score and ranks."""
    meta: dict[str, Any] = dataclasses.asdict(item.chunk)
    del meta["text"]
    meta.update(
        score=item.score,
        dense_rank=item.dense_rank,
        lexical_rank=item.lexical_rank,
        dense_score=item.dense_score,
        lexical_score=item.lexical_score,
    )
    return Document(page_content=item.chunk.text, metadata=meta, id=item.chunk.chunk_id)


class SanadLangChainRetriever(BaseRetriever):
    """LangChain adapter of :class:`HybridRetriever`.

    Attributes:
        retriever: The hybrid retriever.
        k: Documents per query.
        filters: Filters applied to every query (None for none).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: HybridRetriever
    k: int = 5
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [retrieved_to_document(r) for r in self.retriever.retrieve(query, self.k, self.filters)]
