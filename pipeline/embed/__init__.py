"""Embedders: text to unit-length vectors, offline (TF-IDF+SVD, MiniLM, static MiniLM)."""
