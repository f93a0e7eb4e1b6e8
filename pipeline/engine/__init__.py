"""Engines: where the per-respondent stages run (this process, or a Dask cluster)."""
