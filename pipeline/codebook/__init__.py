"""Codebooks in and out (CSV/XLSX, REFI-QDA), hand-coded data, evaluation, training."""
