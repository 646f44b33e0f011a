"""Answering: the chain, LLM construction, the extractive answerer, citations and grounding."""
