"""Storage: the Chroma adapter, the article catalog (SQLite or Chroma) and the write lock."""
