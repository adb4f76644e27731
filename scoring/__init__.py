"""Scoring core: indicator systems, ingestion, normalisation, aggregation, ranks, summaries.

Knows nothing of ``geo`` or ``web``."""
