"""Tagging layers beyond keywords: semantic similarity, the learned classifier, fine-tuning."""
