"""Enrichment stages; each takes an ``Article`` and returns it with more filled in."""
