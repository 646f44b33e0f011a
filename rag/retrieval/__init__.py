"""Retrieval: the BM25 index, fusion, news signals, sentence evidence and the hybrid retriever."""
