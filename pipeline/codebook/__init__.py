"""Codebooks in and out: CSV/XLSX spreadsheets, REFI-QDA codebooks (.qdc), and the diff of two
theme configs."""
