"""Sanad core: retrieval-augmented answers with citations over a collection of articles."""

__version__ = "0.1.0"
