"""Item pipelines; ``enqueue`` hands every article to the enrichment queue."""
